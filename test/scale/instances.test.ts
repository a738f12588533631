// SPEC §18 end to end: two App instances (real Probot servers, REDIS_URL) behind a round-robin
// balancer in front of the local GitHub, on a real redis-server. Throttling and retries stay on,
// as in production. Each scenario has its own GitHub, Redis and instances; they run one after
// another (the machine is small and every scenario waits on paced writes).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nudgeKeysIn, replyKeyOf } from "../../src/core/model/markers.js";
import { ensureBuild } from "../e2e/build.global.js";
import { readFileSync } from "node:fs";
import { cardOf, type Cluster, comment, REPO, send, settle, startCluster, waitFor } from "../../src/dev/cluster.js";

const FULL_FORM = readFileSync(new URL("../fixtures/forms/full-form/issue.md", import.meta.url), "utf8");
const TEST_MS = 240_000;
const clusters: Cluster[] = [];

beforeAll(() => ensureBuild(), 300_000);
afterAll(async () => {
  await Promise.all(clusters.map((c) => c.stop()));
});

async function cluster(env?: Record<string, string>): Promise<Cluster> {
  const started = await startCluster(env ? { env } : {});
  clusters.push(started);
  return started;
}

async function declared(c: Cluster): Promise<number> {
  const n = c.gh.openIssue(REPO, "dana", { title: "Meta purchases down 70% since 09:00", body: FULL_FORM, labels: ["incident"] }).number;
  await waitFor("the card", () => cardOf(c.gh, n), c.logs);
  await settle(c.gh);
  return n;
}

const LOGINS = Array.from({ length: 20 }, (_, i) => `u${i + 1}`);
/** Every fourth comment also holds a misspelt command: it is applied and gets one reply. */
const withReply = (i: number) => i % 4 === 3;

interface Burst {
  ids: number[];
  from: number;
}

/**
 * 20 commands posted at the same moment; their deliveries are held, then sent concurrently
 * through the balancer (so they split across the instances). `during` runs once `after` of them
 * were answered: the failure under test.
 */
async function burst(c: Cluster, incident: number, during?: { after: number; run: () => Promise<void> }): Promise<Burst> {
  c.balancer.hold = true;
  const before = c.balancer.captured.length;
  const from = c.gh.requests.length;
  const ids = await Promise.all(LOGINS.map((login, i) => comment(c.gh, incident, login, `/responder @${login} measurement${withReply(i) ? "\n/severty 1" : ""}`)));
  await c.gh.idle();
  c.balancer.hold = false;
  const held = c.balancer.captured.slice(before).filter((d) => d.event === "issue_comment");
  expect(held).toHaveLength(20);
  let answered = 0;
  let failure: Promise<void> | undefined;
  const statuses = await Promise.all(
    held.map(async (d) => {
      const status = await c.balancer.forward(d);
      answered += 1;
      if (during && answered === during.after) failure = during.run();
      return status;
    }),
  );
  await failure;
  expect(statuses.every((s) => s === 200)).toBe(true);
  return { ids, from };
}

function botReactions(c: Cluster, n: number): Map<number, string[]> {
  return new Map(c.gh.comments(REPO, n).map((x) => [x.id, x.reactions.filter((r) => r.user === "firebreak[bot]").map((r) => r.content)]));
}

/** All 20 on the card, each acknowledged once, one reply per misspelt command and no other. */
async function expectBurstApplied(c: Cluster, incident: number, { ids }: Burst): Promise<void> {
  await waitFor(
    "all 20 commands on the card",
    () => {
      const s = cardOf(c.gh, incident);
      return s && ids.every((id) => s.applied.includes(id));
    },
    c.logs,
  );
  await waitFor("20 acknowledgements", () => [...botReactions(c, incident).values()].filter((r) => r.length > 0).length === 20, c.logs);
  await settle(c.gh);
  const state = cardOf(c.gh, incident)!;
  expect(state.roles.responders.map((r) => r.login).sort()).toEqual([...LOGINS].sort());
  const reactions = botReactions(c, incident);
  for (const id of ids) expect(reactions.get(id)).toEqual(["+1"]);
  const own = c.gh.comments(REPO, incident).filter((x) => x.author === "firebreak[bot]");
  // The scheduled pass may also remind about the missing owner (the emulator's clock starts in the
  // past): once at most, across instances; the replies to the burst are the rest.
  expect(own.filter((x) => nudgeKeysIn(x.body).length > 0).length).toBeLessThanOrEqual(1);
  const replies = own.filter((x) => nudgeKeysIn(x.body).length === 0);
  const keys = replies.map((r) => replyKeyOf(r.body));
  expect(new Set(keys).size).toBe(keys.length);
  expect(replies).toHaveLength(LOGINS.filter((_, i) => withReply(i)).length);
  expect(replies.every((r) => r.body.includes("did you mean `/severity`"))).toBe(true);
  expect(c.logs()).not.toContain("Firebreak failed");
}

const reactionPosts = (c: Cluster, from: number) => c.gh.requests.slice(from).filter((r) => r.method === "POST" && r.path.endsWith("/reactions")).map((r) => r.path);

describe("Firebreak as several App instances on one Redis (SPEC §18)", () => {
  it("20 simultaneous commands on one incident, split across two instances: all on the card, each acknowledged once, no duplicate replies", { timeout: TEST_MS }, async () => {
    const c = await cluster();
    const incident = await declared(c);
    const b = await burst(c, incident);
    // Both instances took part.
    const answeredBy = c.balancer.captured.filter((d) => d.event === "issue_comment").map((d) => c.balancer.answeredBy.get(d.id));
    expect(new Set(answeredBy)).toEqual(new Set([0, 1]));
    await expectBurstApplied(c, incident, b);
    // Exactly one acknowledgement request per comment: no instance re-applied what the other had.
    expect(reactionPosts(c, b.from).sort()).toEqual(b.ids.map((id) => `/repos/${REPO}/issues/comments/${id}/reactions`).sort());

    // The same delivery, sent to both instances at once, is handled by one of them.
    c.balancer.hold = true;
    const before = c.balancer.captured.length;
    const id = await comment(c.gh, incident, "olga", "/owner @olga");
    await c.gh.idle();
    c.balancer.hold = false;
    const delivery = c.balancer.captured.slice(before).find((d) => d.event === "issue_comment")!;
    const from = c.gh.requests.length;
    expect(await Promise.all(c.instances.map((i) => send(i.webhookUrl, delivery)))).toEqual([200, 200]);
    await waitFor("/owner on the card", () => cardOf(c.gh, incident)?.roles.owner === "olga", c.logs);
    await settle(c.gh);
    const skipped = c.logs().split("\n").filter((l) => l.includes(delivery.id) && l.includes("delivery already handled by another instance"));
    expect(skipped).toHaveLength(1);
    expect(reactionPosts(c, from)).toEqual([`/repos/${REPO}/issues/comments/${id}/reactions`]);
    expect(c.gh.requests.slice(from).filter((r) => r.method === "PATCH")).toHaveLength(1);
  });

  it("runs the scheduled pass once per interval across the instances", { timeout: TEST_MS }, async () => {
    const c = await cluster({ FIREBREAK_SCHEDULE_EVERY: "10s" });
    // Deliveries go nowhere: only the scheduled pass can see this incident.
    c.gh.setWebhook(undefined);
    const n = c.gh.openIssue(REPO, "dana", { title: "Checkout broken on iOS", body: FULL_FORM, labels: ["incident"] }).number;
    c.gh.comment(REPO, n, "olga", "/owner @olga");
    const passes = () => c.logs().match(/scheduled pass repeat:[^"\s]+/g) ?? [];
    await waitFor("three scheduled passes", () => passes().length >= 3, c.logs);
    await settle(c.gh);
    const slots = passes().map((p) => Number(/(\d+)$/.exec(p)?.[1]));
    // Each interval's job ran on one instance only, and no interval was skipped.
    expect(new Set(slots).size).toBe(slots.length);
    const sorted = [...slots].sort((a, b) => a - b);
    expect(sorted.slice(1).map((s, i) => s - sorted[i]!)).toEqual(sorted.slice(1).map(() => 10_000));
    // Each pass lists the installations once: as many passes reached GitHub as were logged.
    expect(c.gh.requests.filter((r) => r.method === "GET" && r.path === "/app/installations")).toHaveLength(slots.length);
    // The first pass declared the incident and applied its command (two card writes); the later ones found nothing to do.
    expect(cardOf(c.gh, n)).toMatchObject({ status: "investigating", roles: { owner: "olga" } });
    expect(c.gh.requests.filter((r) => r.method === "PATCH" && r.path === `/repos/${REPO}/issues/${n}`)).toHaveLength(2);
  });

  it("an instance stopped mid-burst loses nothing: its deliveries are redelivered to the other", { timeout: TEST_MS }, async () => {
    const c = await cluster();
    const incident = await declared(c);
    const [first] = c.instances;
    const b = await burst(c, incident, { after: 6, run: () => first!.kill() });
    // What the stopped instance had answered but maybe not handled: redelivered, as GitHub's
    // "Redeliver" does; the balancer sends them to the instance still running.
    const toFirst = c.balancer.captured.filter((d) => d.event === "issue_comment" && c.balancer.answeredBy.get(d.id) === 0);
    expect(toFirst.length).toBeGreaterThan(0);
    for (const d of toFirst) expect(await c.balancer.forward(d)).toBe(200);
    await expectBurstApplied(c, incident, b);
  });

  it("Redis restarted mid-burst loses nothing", { timeout: TEST_MS }, async () => {
    const c = await cluster();
    const incident = await declared(c);
    const b = await burst(c, incident, {
      after: 8,
      run: async () => {
        await c.redis.stop();
        await c.redis.start();
      },
    });
    await expectBurstApplied(c, incident, b);
    expect(c.logs()).toContain("Redis is back");
  });
});
