// Delivery: filters, retries with backoff, de-duplication through the record, failures shown on
// the card and never thrown, and the hosted App's limits on where URLs come from and go to.
import { afterEach, beforeEach, expect, it } from "vitest";
import { parseBody } from "../../src/core/card.js";
import type { IncidentState } from "../../src/core/model/incident.js";
import { relayNews } from "../../src/relay/index.js";
import type { RelayDeps } from "../../src/relay/send.js";
import { declaredIncident } from "../support/incident-factory.js";
import { configWith, issueWith, updated } from "./fixtures.js";
import { startSink, type Sink } from "../../src/dev/relay-sink.js";

const ref = { owner: "acme", repo: "shop" };
const at = "2026-11-24T09:45:00.000Z";
const fast = { retries: 3, minTimeout: 1, maxTimeout: 2 };

let sink: Sink;
beforeEach(async () => (sink = await startSink()));
afterEach(() => sink.close());

async function run(before: IncidentState | undefined, after: IncidentState, relay: Parameters<typeof configWith>[0], deps: Partial<RelayDeps> = {}) {
  const config = configWith(relay);
  const update = await relayNews(ref, { config, issue: issueWith(after, config), event: { kind: "commands", at } }, before, after, { env: { FIREBREAK_RELAY_SLACK: sink.url }, hosted: false, retry: fast, ...deps });
  return update?.body === undefined ? undefined : { body: update.body, state: parseBody(update.body).state };
}

it("sends a declaration once to each destination whose filters take it", async () => {
  const declared = declaredIncident();
  const other = await startSink();
  try {
    const recorded = await run(undefined, declared, [
      { kind: "webhook", url_env: "FIREBREAK_RELAY_SLACK", events: ["declared"], severities: [1, 2] },
      { kind: "webhook", url_env: "FIREBREAK_RELAY_SEV1", events: ["declared"], severities: [1] },
      { kind: "webhook", url_env: "FIREBREAK_RELAY_UPDATES", events: ["update"] },
    ], { env: { FIREBREAK_RELAY_SLACK: sink.url, FIREBREAK_RELAY_SEV1: other.url, FIREBREAK_RELAY_UPDATES: other.url } });
    expect(sink.bodies).toMatchObject([{ event: "declared", key: "declared@20261124T090000Z", headline: "SEV2 incident declared" }]);
    expect(other.bodies).toEqual([]);
    expect(recorded?.state?.relay).toEqual({ sent: ["declared@20261124T090000Z>FIREBREAK_RELAY_SLACK"], pending: [], failing: [] });
  } finally {
    await other.close();
  }
});

it("reads each event from the record's change: a severity swap, containment, resolution and close", async () => {
  const before = declaredIncident({ status: "investigating" });
  const after = declaredIncident({
    status: "closed",
    severity: 1,
    containment: [{ at: "2026-11-24T09:20:00.000Z", by: "olga-owner", text: "Paused Meta <!here>" }],
    resolution: { cause: "pixel removed by theme v4.2", evidence: "Events Manager", at: "2026-11-24T09:30:00.000Z", by: "olga-owner", commentId: 5 },
    times: { contained: "2026-11-24T09:20:00.000Z", resolved: "2026-11-24T09:30:00.000Z", closed: at },
  });
  await run(before, after, [{ kind: "webhook" }]);
  expect(sink.bodies.map((b) => [(b as { key: string }).key, (b as { detail?: string }).detail])).toEqual([
    ["severity@20261124T094500Z", undefined],
    ["contained@20261124T092000Z", "Paused Meta <!here>"],
    ["resolved@20261124T093000Z", "pixel removed by theme v4.2"],
    ["closed@20261124T094500Z", "pixel removed by theme v4.2"],
  ]);
});

it("retries a destination that answers 5xx and records it once it took the message", async () => {
  sink.answer(503, 502);
  const recorded = await run(declaredIncident(), updated, [{ kind: "slack", events: ["update"] }]);
  expect(sink.bodies).toHaveLength(3);
  expect(recorded?.state?.relay).toEqual({ sent: ["update@20261124T094500Z>FIREBREAK_RELAY_SLACK"], pending: [], failing: [] });
});

it("retries a JSON webhook that is throttled (429), not one that refuses the message (400)", async () => {
  sink.answer(429, 400);
  const recorded = await run(declaredIncident(), updated, [{ kind: "webhook", events: ["update"] }]);
  expect(sink.bodies).toHaveLength(2);
  expect(recorded?.state?.relay).toEqual({
    sent: [],
    pending: ["update@20261124T094500Z>FIREBREAK_RELAY_SLACK"],
    failing: [{ destination: "webhook (FIREBREAK_RELAY_SLACK)", since: at, reason: "answered 400" }],
  });
});

it("shows a destination that keeps failing on the card, without its URL, and clears it once it works again", async () => {
  sink.answer(500, 500, 500, 500);
  const failed = await run(declaredIncident(), updated, [{ kind: "slack", events: ["update"] }]);
  expect(sink.bodies).toHaveLength(4);
  expect(failed?.body).toMatch(/\n> ⚠️ Relay to slack \(FIREBREAK_RELAY_SLACK\) failing since 2026-11-24 09:45 UTC: .*500/);
  expect(failed?.body).not.toContain(sink.url);
  // The next event (here one that changes nothing) sends what is pending, and the warning goes.
  const recovered = await run(failed!.state, failed!.state!, [{ kind: "slack", events: ["update"] }]);
  expect(sink.bodies).toHaveLength(5);
  expect(recovered?.state?.relay).toEqual({ sent: ["update@20261124T094500Z>FIREBREAK_RELAY_SLACK"], pending: [], failing: [] });
});

it("never sends what the record says was relayed: a redelivered event or another instance sends nothing", async () => {
  const first = await run(declaredIncident(), updated, [{ kind: "slack", events: ["update"] }]);
  const again = await run(declaredIncident(), first!.state!, [{ kind: "slack", events: ["update"] }]);
  expect(sink.bodies).toHaveLength(1);
  expect(again).toBeUndefined();
});

it("sends again when the record of a send was never written: the one duplicate SPEC §16 allows", async () => {
  // GitHub refused the record write after the first send, so the issue still holds the record without it.
  await run(declaredIncident(), updated, [{ kind: "slack", events: ["update"] }]);
  await run(declaredIncident(), updated, [{ kind: "slack", events: ["update"] }]);
  expect(sink.bodies).toHaveLength(2);
});

it("relays nothing from a record Firebreak did not write but a declaration: a rebuilt record replays no history", async () => {
  expect(await run(undefined, updated, [{ kind: "webhook" }])).toBeUndefined();
  expect(sink.bodies).toEqual([]);
});

it("in the hosted App, reads only FIREBREAK_RELAY_ variables and reaches only public addresses", async () => {
  const recorded = await run(declaredIncident(), updated, [
    { kind: "webhook", url_env: "GITHUB_TOKEN", events: ["update"] },
    { kind: "slack", events: ["update"] },
    { kind: "teams", url_env: "FIREBREAK_RELAY_UNSET", events: ["update"] },
  ], { hosted: true, env: { GITHUB_TOKEN: sink.url, FIREBREAK_RELAY_SLACK: sink.url } });
  expect(sink.bodies).toEqual([]);
  expect(recorded?.state?.relay?.failing.map((f) => [f.destination, f.reason])).toEqual([
    ["webhook (GITHUB_TOKEN)", "the hosted App reads only FIREBREAK_RELAY_… variables, not GITHUB_TOKEN"],
    ["slack (FIREBREAK_RELAY_SLACK)", expect.stringMatching(/refused: 127\.0\.0\.1 is a loopback address/)],
    ["teams (FIREBREAK_RELAY_UNSET)", "FIREBREAK_RELAY_UNSET is not set"],
  ]);
  // A self-hosted server on a private network may lift the guard.
  await run(declaredIncident(), updated, [{ kind: "slack", events: ["update"] }], { hosted: true, allowPrivate: true });
  expect(sink.bodies).toHaveLength(1);
});
