// `firebreak reconcile` against the built-in local GitHub: an incident labelled by hand gets
// its card, and a command no run answered is applied and acknowledged; a second run writes nothing.
import { afterEach, beforeEach, expect, it } from "vitest";
import { memoryIo } from "../../src/cli/common.js";
import { main } from "../../src/cli/program.js";
import { runReconcile } from "../../src/cli/reconcile.js";
import { parseBody } from "../../src/core/card.js";
import { emulator, writesOf } from "./helpers.js";

let world: Awaited<ReturnType<typeof emulator>>;
beforeEach(async () => {
  world = await emulator();
  world.gh.addCollaborator("acme/shop", "devon", "write");
  world.gh.createLabel("acme/shop", "incident");
});
afterEach(() => world.stop());

const reconcile = async () => {
  const io = memoryIo(world.env);
  const code = await runReconcile({ repo: "acme/shop" }, io, { throttle: false });
  return { code, out: io.stdout.join("\n") };
};

it("declares a hand-labelled incident, then applies a command no run answered, and is idempotent", async () => {
  world.gh.openIssue("acme/shop", "devon", { title: "Checkout broken on iOS", body: "Orders from iOS stopped at 10:00.", labels: ["incident"] });

  const first = await reconcile();
  expect(first.code).toBe(0);
  expect(first.out).toMatch(/acme\/shop: 1 open incident\n {2}#1 {2}declared — updated body, labels/);
  expect(parseBody(world.gh.issue("acme/shop", 1)?.body).state?.status).toBe("triage");

  // A command whose run was cancelled (the Action keeps one pending run per issue).
  world.gh.comment("acme/shop", 1, "devon", "/owner @devon");
  const second = await reconcile();
  expect(second.out).toMatch(/#1 {2}command — updated body, labels, assignees, acknowledged 1 command/);
  const after = world.gh.issue("acme/shop", 1);
  expect(parseBody(after?.body).state?.roles.owner).toBe("devon");
  expect(after?.assignees).toEqual(["devon"]);
  expect(world.gh.comments("acme/shop", 1)[0]?.reactions.map((r) => r.content)).toEqual(["+1"]);

  world.gh.resetRequests();
  const third = await reconcile();
  expect(third.code).toBe(0);
  expect(third.out).toContain("already in line");
  expect(writesOf(world.gh)).toEqual([]);
});

it("says so when there are no open incidents", async () => {
  expect((await reconcile()).out).toBe("acme/shop: no open incidents.");
});

it("catches up a close whose run never came: the resolved incident gets its postmortem", async () => {
  world.gh.openIssue("acme/shop", "devon", { title: "Checkout broken on iOS", body: "Orders from iOS stopped at 10:00.", labels: ["incident"] });
  await reconcile();
  world.gh.comment("acme/shop", 1, "devon", "/resolve\ncause: the theme's new button never fired on iOS\nlayer: conversion\nevidence: test orders failed before the rollback and passed after");
  await reconcile();
  expect(parseBody(world.gh.issue("acme/shop", 1)?.body).state?.status).toBe("resolved");

  // Closed while no run was listening (a cancelled pending run): the next reconcile sees it.
  world.gh.closeIssue("acme/shop", 1, "devon", "completed");
  const caughtUp = await reconcile();
  expect(caughtUp.code).toBe(0);
  const card = parseBody(world.gh.issue("acme/shop", 1)?.body).state;
  expect(card?.status).toBe("closed");
  // #2 is the dashboard the first pass opened.
  expect(card?.postmortem?.issue).toBe(3);
  expect(world.gh.issue("acme/shop", 3)?.labels).toContain("postmortem");
  expect(world.gh.issue("acme/shop", 1)?.state).toBe("closed");
});

it("through the command line with a personal token, Firebreak's records and issues are the token owner's: a second run writes nothing", async () => {
  world.gh.openIssue("acme/shop", "devon", { title: "Checkout broken on iOS", body: "Orders from iOS stopped at 10:00.", labels: ["incident"] });
  const io = memoryIo(world.env);
  expect(await main(["reconcile", "--repo", "acme/shop"], io)).toBe(0);
  const dashboards = () => world.gh.issues("acme/shop").filter((i) => i.labels.includes("firebreak-dashboard"));
  expect(dashboards().map((d) => d.author)).toEqual(["acme"]);
  world.gh.resetRequests();
  expect(await main(["reconcile", "--repo", "acme/shop"], memoryIo(world.env))).toBe(0);
  // The card is trusted (the token's owner wrote it) and the dashboard found: nothing rebuilt, nothing opened twice.
  expect(writesOf(world.gh)).toEqual([]);
  expect(dashboards()).toHaveLength(1);
});
