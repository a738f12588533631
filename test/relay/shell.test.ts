// The relay inside a real run: `firebreak reconcile` against the local GitHub, relaying to local
// sinks. A failing destination never fails the run and shows on the card; what was relayed is in
// the record, so the next run sends nothing twice; a record write GitHub refuses is the one way
// to a duplicate (SPEC §16).
import { afterEach, beforeEach, expect, it } from "vitest";
import { memoryIo } from "../../src/cli/common.js";
import { runReconcile } from "../../src/cli/reconcile.js";
import { parseBody } from "../../src/core/card.js";
import { emulator } from "../cli/helpers.js";
import { startSink, type Sink } from "../../src/dev/relay-sink.js";

let world: Awaited<ReturnType<typeof emulator>>;
let slack: Sink;
let down: Sink;
beforeEach(async () => {
  world = await emulator();
  slack = await startSink();
  down = await startSink();
  world.gh.addCollaborator("acme/shop", "devon", "write");
  world.gh.createLabel("acme/shop", "incident");
  world.gh.putFile(
    "acme/shop",
    ".github/firebreak.yml",
    ["relay:", "  - kind: slack", "    url_env: FIREBREAK_RELAY_SLACK", "  - kind: webhook", "    url_env: FIREBREAK_RELAY_DOWN", "    events: [declared, resolved]"].join("\n"),
  );
});
afterEach(async () => {
  await Promise.all([world.stop(), slack.close(), down.close()]);
});

const reconcile = async () => {
  const io = memoryIo({ ...world.env, FIREBREAK_RELAY_SLACK: slack.url, FIREBREAK_RELAY_DOWN: down.url });
  return runReconcile({ repo: "acme/shop" }, io, { throttle: false });
};
const record = () => parseBody(world.gh.issue("acme/shop", 1)?.body).state;
const keys = (sink: Sink) => sink.bodies.map((b) => (b as { text?: string; key?: string }).key ?? (b as { text: string }).text);

it("relays the declaration and an update once each, while a failing destination only shows on the card", async () => {
  // A revoked webhook: refused at once, without retries (those are shown in delivery.test.ts).
  down.failWith(404);
  world.gh.openIssue("acme/shop", "devon", { title: "Checkout broken on iOS", body: "Orders from iOS stopped at 10:00.", labels: ["incident"] });
  expect(await reconcile()).toBe(0);
  expect(keys(slack)).toEqual(["SEV2 incident declared: #1 Checkout broken on iOS"]);
  const attempts = down.bodies.length;
  // The pass tried after declaring and again after reading the log.
  expect(attempts).toBeGreaterThan(0);
  expect(record()?.status).toBe("triage");
  expect(world.gh.issue("acme/shop", 1)?.body).toMatch(/> ⚠️ Relay to webhook \(FIREBREAK_RELAY_DOWN\) failing since .*: answered 404/);

  // The destination is back: the next pass sends what failed, and the card's warning goes.
  down.failWith(undefined);
  world.gh.comment("acme/shop", 1, "devon", "/update\nsymptom: iOS orders at zero since 10:00 @here\nnext: test order on iOS");
  expect(await reconcile()).toBe(0);
  expect(keys(slack)).toEqual(["SEV2 incident declared: #1 Checkout broken on iOS", "SEV2 incident update: #1 Checkout broken on iOS"]);
  expect(down.bodies.slice(attempts)).toMatchObject([{ event: "declared", incident: { number: 1, title: "Checkout broken on iOS" } }]);
  expect(record()?.relay?.sent.map((k) => k.replace(/@\w+/, "")).sort()).toEqual(["declared>FIREBREAK_RELAY_DOWN", "declared>FIREBREAK_RELAY_SLACK", "update>FIREBREAK_RELAY_SLACK"]);
  expect(record()?.relay?.failing).toEqual([]);
  expect(record()?.relay?.pending).toEqual([]);
  expect(world.gh.issue("acme/shop", 1)?.body).not.toContain("Relay to");

  // Nothing new: a further pass sends nothing and writes nothing.
  world.gh.resetRequests();
  expect(await reconcile()).toBe(0);
  expect(slack.bodies).toHaveLength(2);
  expect(down.bodies).toHaveLength(attempts + 1);
  expect(world.gh.requests.filter((r) => r.method === "PATCH")).toEqual([]);
});
