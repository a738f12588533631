// Nudges in the bundled Action (`node dist/index.js` with a runner's environment) against the
// local GitHub. The run's time is the runner's clock; GitHub's clock is set two hours behind it,
// so an incident GitHub dates "now" is two hours old to the scheduled run.
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { parseBody } from "../../src/core/card.js";
import { nudgeKeysIn } from "../../src/core/model/markers.js";
import { LocalGitHub } from "../../src/dev/local-github/index.js";
import { actionCheckout, runAction, type ActionRun } from "../support/action-harness.js";

const REPO = "acme/shop";
const BOT = "firebreak[bot]";
const HOURS = 3_600_000;
let checkout: ReturnType<typeof actionCheckout>;
let gh: LocalGitHub;

beforeAll(() => {
  checkout = actionCheckout();
});
afterAll(() => checkout.cleanup());
beforeEach(async () => {
  gh = new LocalGitHub({ clock: () => new Date(Date.now() - 2 * HOURS) });
  await gh.start();
  gh.addRepo(REPO);
  gh.addCollaborator(REPO, "devon", "write");
  gh.createLabel(REPO, "incident", "b60205", "A marketing incident");
});
afterEach(() => gh.stop());

const schedule = (): Promise<ActionRun> =>
  runAction({ main: checkout.main, apiUrl: gh.url, repository: REPO, eventName: "schedule", payload: { schedule: "*/5 * * * *" }, token: gh.appToken, botLogin: BOT });
const reminders = () => gh.comments(REPO, 1).filter((c) => c.author === BOT).flatMap((c) => nudgeKeysIn(c.body));

it("reminds once per window, not again on a retried or overlapping run, and stops once the owner's update is in", async () => {
  gh.openIssue(REPO, "devon", { title: "Checkout broken", body: "Orders from iOS stopped at 08:40.", labels: ["incident"] });
  // The schedule run declares the hand-labelled issue (GitHub dates it two hours ago), and owner_within (1h) is past.
  const first = await schedule();
  expect(first.code).toBe(0);
  expect(first.outputs["action-taken"]).toBe("reconciled");
  expect(reminders()).toHaveLength(1);
  expect(reminders()[0]).toMatch(/^owner@/);
  expect(first.summary).toContain("owner: reminded devon");

  // A retried run and two overlapping ones: the window's reminder is found, none is added.
  const again = await Promise.all([schedule(), schedule(), schedule()]);
  for (const run of again) expect(run.code).toBe(0);
  expect(reminders()).toHaveLength(1);

  // Owned and updated (commands whose runs were cancelled: the schedule applies them first).
  gh.comment(REPO, 1, "devon", "/owner @devon");
  gh.comment(REPO, 1, "devon", "/update\nsymptom: iOS orders back to 80%");
  const after = await schedule();
  expect(after.code).toBe(0);
  const state = parseBody(gh.issue(REPO, 1)?.body).state;
  expect(state?.roles.owner).toBe("devon");
  expect(state?.updates).toHaveLength(1);
  // The update is two hours old to the run, and SEV2 asks for one every 4h: nothing is owed.
  expect(reminders()).toHaveLength(1);
}, 120_000);
