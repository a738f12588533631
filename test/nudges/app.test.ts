// Nudges in the real App (Probot, signed webhooks) against the local GitHub: the incident is
// declared and driven through webhooks; reminders come from the App's scheduled pass, whose
// time steps with GitHub's clock.
import { afterEach, expect, it } from "vitest";
import { firebreakApp } from "../../src/app/index.js";
import { appScheduledPass } from "../../src/app/scheduled.js";
import { parseBody } from "../../src/core/card.js";
import { nudgeKeysIn } from "../../src/core/model/markers.js";
import type { AppWorld } from "../../src/dev/harness.js";
import { startAppWorld } from "../../src/dev/harness.js";

const REPO = "acme/shop";
const START = Date.parse("2026-11-30T09:00:00Z");
const MIN = 60_000;
const BOT = "firebreak[bot]";

let world: AppWorld | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

it("one reminder per window, none after the update, none twice on a repeated or overlapping pass", async () => {
  let now = START;
  const app = firebreakApp({ appSlug: "firebreak" });
  world = await startAppWorld({ appFn: app, idle: () => app.idle(), throttle: false, emulator: { clock: () => new Date(now) } });
  const { gh } = world;
  gh.addRepo(REPO);
  gh.addCollaborator(REPO, "devon", "write");
  gh.createLabel(REPO, "incident", "b60205", "A marketing incident");
  gh.putFile(REPO, ".github/firebreak.yml", "severities:\n  2: { update_every: 1h }\n");
  const at = (minutes: number) => (now = START + minutes * MIN);
  const reminders = () => gh.comments(REPO, 1).filter((c) => c.author === BOT).flatMap((c) => nudgeKeysIn(c.body));
  // Two App instances' schedulers: each pass walks the installation's repositories.
  const instanceA = appScheduledPass(world.probot, app, () => new Date(now));
  const instanceB = appScheduledPass(world.probot, app, () => new Date(now));

  gh.openIssue(REPO, "devon", { title: "Checkout broken", body: "Orders from iOS stopped at 08:40.", labels: ["incident"] });
  await world.settle();
  at(5);
  gh.comment(REPO, 1, "devon", "/owner @devon");
  await world.settle();
  expect(parseBody(gh.issue(REPO, 1)?.body).state?.roles.owner).toBe("devon");

  at(59);
  await instanceA();
  await world.settle();
  expect(reminders()).toEqual([]);

  at(61);
  await Promise.all([instanceA(), instanceB()]);
  await world.settle();
  expect(reminders()).toEqual(["update@2026-11-30T10:00:00.000Z"]);
  expect(gh.comments(REPO, 1).find((c) => nudgeKeysIn(c.body).length > 0)?.body).toContain("@devon");
  // The next tick of the same window: nothing new.
  at(80);
  await instanceB();
  await world.settle();
  expect(reminders()).toHaveLength(1);

  // The update arrives by webhook; the window restarts from it.
  at(95);
  gh.comment(REPO, 1, "devon", "/update\nsymptom: iOS orders back to 80%");
  await world.settle();
  expect(parseBody(gh.issue(REPO, 1)?.body).state?.updates).toHaveLength(1);
  for (const m of [100, 140, 154]) {
    at(m);
    await instanceA();
    await world.settle();
  }
  expect(reminders()).toEqual(["update@2026-11-30T10:00:00.000Z"]);
  at(156);
  await instanceA();
  await world.settle();
  expect(reminders()).toEqual(["update@2026-11-30T10:00:00.000Z", "update@2026-11-30T11:35:00.000Z"]);
  // The card shows the deadline the reminder is about.
  expect(gh.issue(REPO, 1)?.body).toContain("**Due** update by 2026-11-30 11:35 UTC");
}, 90_000);
