// The App end to end, as `npm start` runs it: `node build/app/server.js` with Probot's standard
// environment, pointed (GHE_HOST) at the in-memory GitHub emulator, which sends it signed
// webhooks. Throttling and retries stay on, as in production, so every write is paced like on
// GitHub. Each scenario gets its own emulator and server, and the scenarios run side by side.
import { type ChildProcess, spawn } from "node:child_process";
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, it } from "vitest";
import type { ExpectStatic } from "vitest";
import { parseBody } from "../../src/core/card.js";
import { DEFAULT_CONFIG } from "../../src/core/config.js";
import { LocalGitHub, sign } from "../../src/dev/local-github/index.js";
import type { RequestLogEntry } from "../../src/dev/local-github/index.js";
import type { IncidentState } from "../../src/core/model/incident.js";
import { labelStyles } from "../../src/core/model/labels.js";
import { CARD_START, replyKeyOf } from "../../src/core/model/markers.js";
import { hourlyKpi } from "../detection-faces/kpi.js";
import { ensureBuild } from "./build.global.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const REPO = "acme/shop";
const FULL_FORM = readFileSync(new URL("../fixtures/forms/full-form/issue.md", import.meta.url), "utf8");
const FORM_TEMPLATE = readFileSync(new URL("../../templates/ISSUE_TEMPLATE/marketing-incident.yml", import.meta.url), "utf8");
const { privateKey: PRIVATE_KEY } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});
/** Long enough for 20 paced writes (Probot's throttling spaces writes about 1 s apart). */
const WAIT_MS = 60_000;
const TEST_MS = 120_000;

// ---------------------------------------------------------------------------------------
// A world: an emulated GitHub, a relay that records every delivery, and the App's server.

interface Captured {
  event: string;
  id: string;
  body: string;
}

/** Between the emulator and the server: records each delivery, and forwards it unless held. */
class Relay {
  readonly captured: Captured[] = [];
  hold = false;
  private server: Server | undefined;
  constructor(private readonly target: string) {}

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      void this.relay(req).then(
        (status) => res.writeHead(status).end(),
        () => res.writeHead(502).end(),
      );
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`;
  }

  private async relay(req: IncomingMessage): Promise<number> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const header = (name: string) => String(req.headers[name] ?? "");
    this.captured.push({ event: header("x-github-event"), id: header("x-github-delivery"), body });
    if (this.hold) return 200;
    const res = await fetch(this.target, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": header("user-agent"),
        "x-github-event": header("x-github-event"),
        "x-github-delivery": header("x-github-delivery"),
        "x-hub-signature-256": header("x-hub-signature-256"),
      },
      body,
    });
    await res.arrayBuffer();
    return res.status;
  }

  stop(): Promise<void> {
    const server = this.server;
    if (!server) return Promise.resolve();
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  }
}

interface World {
  gh: LocalGitHub;
  relay: Relay;
  webhookUrl: string;
  secret: string;
  logs: string[];
  stop(): Promise<void>;
}

const worlds: World[] = [];

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Timestamps one second apart per reading: distinct, ordered and on the form's day. */
function clock(start = "2026-11-24T09:30:00Z"): () => Date {
  let t = Date.parse(start);
  return () => new Date((t += 1000));
}

async function startWorld(options: { labels?: boolean; env?: Record<string, string> } = {}): Promise<World> {
  const gh = new LocalGitHub({ clock: clock() });
  const { port: ghPort } = await gh.start();
  gh.addRepo(REPO);
  gh.addCollaborator(REPO, "dana", "triage");
  gh.addCollaborator(REPO, "olga", "write");
  for (let i = 1; i <= 20; i++) gh.addCollaborator(REPO, `u${i}`, "triage");
  // A repository set up with `firebreak init`: labels with their colours, the issue form in place.
  if (options.labels !== false) for (const style of labelStyles(DEFAULT_CONFIG)) gh.createLabel(REPO, style.name, style.color, style.description);
  gh.putFile(REPO, ".github/ISSUE_TEMPLATE/marketing-incident.yml", FORM_TEMPLATE);

  const secret = `secret-${randomUUID()}`;
  const port = await freePort();
  const logs: string[] = [];
  const server: ChildProcess = spawn(process.execPath, ["build/app/server.js"], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      APP_ID: "1",
      PRIVATE_KEY,
      WEBHOOK_SECRET: secret,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      LOG_FORMAT: "json",
      GHE_HOST: `127.0.0.1:${ghPort}`,
      GHE_PROTOCOL: "http",
      APP_SLUG: "firebreak",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  server.stdout?.on("data", (d: Buffer) => logs.push(d.toString("utf8")));
  server.stderr?.on("data", (d: Buffer) => logs.push(d.toString("utf8")));
  const exited = new Promise<void>((resolve) => server.once("exit", () => resolve()));

  const webhookUrl = `http://127.0.0.1:${port}/api/github/webhooks`;
  const relay = new Relay(webhookUrl);
  gh.setWebhook({ url: await relay.start(), secret });
  const world: World = {
    gh,
    relay,
    webhookUrl,
    secret,
    logs,
    async stop() {
      if (server.exitCode === null && server.signalCode === null) {
        server.kill("SIGTERM");
        await exited;
      }
      await relay.stop();
      await gh.stop();
    },
  };
  worlds.push(world);
  await waitFor(world, "the server to answer /ping", async () => {
    if (server.exitCode !== null) throw new Error(`the server exited with ${server.exitCode}:\n${logs.join("")}`);
    try {
      return (await fetch(`http://127.0.0.1:${port}/ping`)).ok;
    } catch {
      return false;
    }
  });
  return world;
}

/** Polls until `ready` holds, bounded; the server's log is in the message when it never does. */
async function waitFor<T>(world: World, what: string, ready: () => T | undefined | false | Promise<T | undefined | false>): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await ready();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\nserver log:\n${world.logs.join("").slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Until the emulator has no delivery in flight and its request log stops growing (the server's queue drained). */
async function settle(world: World): Promise<void> {
  await world.gh.idle();
  let seen = -1;
  let quiet = 0;
  // Writes are paced about 1 s apart, so a quiet stretch shorter than that proves nothing.
  while (quiet < 12) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = world.gh.requests.length;
    quiet = now === seen ? quiet + 1 : 0;
    seen = now;
  }
  await world.gh.idle();
}

function cardOf(world: World, n: number): IncidentState | undefined {
  const body = world.gh.issue(REPO, n)?.body ?? "";
  return body.startsWith(CARD_START) ? parseBody(body).state : undefined;
}

/** Posts a comment through the REST API as `login`, as a browser would. */
async function comment(world: World, n: number, login: string, body: string): Promise<number> {
  const res = await fetch(`${world.gh.url}/repos/${REPO}/issues/${n}/comments`, {
    method: "POST",
    headers: { authorization: `token ${world.gh.tokenFor(login)}`, "content-type": "application/json" },
    body: JSON.stringify({ body }),
  });
  if (res.status !== 201) throw new Error(`comment as ${login}: ${res.status}`);
  return ((await res.json()) as { id: number }).id;
}

/** Sends a recorded delivery straight to the server, signed with `secret`. */
async function deliver(world: World, d: Captured, secret = world.secret): Promise<number> {
  const res = await fetch(world.webhookUrl, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": d.event,
      "x-github-delivery": d.id,
      "x-hub-signature-256": sign(secret, d.body),
    },
    body: d.body,
  });
  await res.arrayBuffer();
  return res.status;
}

function botReactions(world: World, n: number): Map<number, string[]> {
  return new Map(world.gh.comments(REPO, n).map((c) => [c.id, c.reactions.filter((r) => r.user === "firebreak[bot]").map((r) => r.content)]));
}

function botReplies(world: World, n: number): string[] {
  return world.gh.comments(REPO, n).filter((c) => c.author === "firebreak[bot]").map((c) => c.body);
}

// ---------------------------------------------------------------------------------------
// The SPEC §10 accounting.

interface Calls {
  /** What the budget counts. */
  counted: string[];
  /** Reads of repository files that this process had not cached yet (warm, they are 304s or cache hits). */
  coldFiles: string[];
}

const line = (r: RequestLogEntry) => `${r.method} ${r.path}`;

/** Firebreak's requests from `from` on, without 304s, token requests, installation lookups and label creation. */
function callsSince(world: World, from: number): Calls {
  const rows = world.gh.requests.slice(from).filter(
    (r) =>
      r.token.kind === "installation" && // not the people the test acts as
      r.status !== 304 &&
      !/^\/app\/installations\/[^/]+\/access_tokens$/.test(r.path) &&
      !(r.method === "GET" && /^\/repos\/[^/]+\/[^/]+\/installation$/.test(r.path)) &&
      !/^\/repos\/[^/]+\/[^/]+\/labels$/.test(r.path),
  );
  const isFile = (r: RequestLogEntry) => r.method === "GET" && r.path.includes("/contents/");
  return { counted: rows.filter((r) => !isFile(r)).map(line), coldFiles: rows.filter(isFile).map((r) => `${line(r)} ${r.status}`) };
}

const measured: Record<string, Calls> = {};

// ---------------------------------------------------------------------------------------

beforeAll(() => ensureBuild(), 300_000);
afterAll(async () => {
  await Promise.all(worlds.map((w) => w.stop()));
  for (const [event, calls] of Object.entries(measured)) {
    const tally = new Map<string, number>();
    for (const call of calls.counted) tally.set(call, (tally.get(call) ?? 0) + 1);
    const listed = [...tally].map(([call, n]) => (n > 1 ? `${n}× ${call}` : call)).join(", ");
    console.info(`[e2e] ${event}: ${calls.counted.length} calls — ${listed}${calls.coldFiles.length ? ` (+ cold file reads: ${calls.coldFiles.join(", ")})` : ""}`);
  }
});

function assertCleanLog(expect: ExpectStatic, world: World): void {
  expect(world.logs.join("")).not.toContain("Firebreak failed");
}

describe.concurrent("Firebreak as a GitHub App (npm start) against an emulated GitHub", () => {
  it("declares an incident submitted through the form, and rejects a webhook with a bad signature", { timeout: TEST_MS }, async ({ expect }) => {
    const world = await startWorld();
    const { gh } = world;
    const from = gh.requests.length;
    const opened = gh.openIssue(REPO, "dana", { title: "Meta purchases down 70% since 09:00", body: FULL_FORM, labels: ["incident"] });
    const state = await waitFor(world, "the card", () => cardOf(world, opened.number));
    await settle(world);

    const issue = gh.issue(REPO, opened.number)!;
    expect(issue.labels).toEqual(["incident", "sev:2", "layer:measurement", "status:triage"]);
    expect(issue.body?.endsWith(FULL_FORM)).toBe(true);
    expect(issue.body).toContain("### Incident status: 🟠 Triage");
    expect(state).toMatchObject({
      status: "triage",
      severity: 2,
      roles: { detector: "dana", responders: [] },
      layer: { likely: "measurement", source: "form" },
      declaration: { scope: ["Meta"], outcomes: "reporting-only", isForm: true },
    });
    // Declared once: the `labeled` delivery that came with the form found the card.
    expect(gh.deliveries.filter((d) => d.event === "issues" && d.status === 200).map((d) => d.action)).toEqual(expect.arrayContaining(["opened", "labeled"]));
    expect(gh.requests.slice(from).filter((r) => r.method === "PATCH").map((r) => r.path)).toHaveLength(1);
    expect(botReplies(world, opened.number)).toEqual([]);
    measured["declaration (cold process)"] = callsSince(world, from);

    // A forged delivery claiming owner rights for an outsider, signed with the wrong secret.
    const before = gh.requests.length;
    const bodyBefore = gh.issue(REPO, opened.number)?.body;
    const forged = JSON.stringify({
      action: "created",
      issue: { number: opened.number, title: "x", body: bodyBefore, state: "open", html_url: "x", created_at: issue.createdAt, user: { login: "dana" }, labels: [] },
      comment: { id: 999_999, body: "/severity 1", user: { login: "mallory" }, author_association: "OWNER", created_at: issue.createdAt },
      repository: { full_name: REPO },
      sender: { login: "mallory", type: "User" },
      installation: { id: 1 },
    });
    const status = await deliver(world, { event: "issue_comment", id: randomUUID(), body: forged }, "not-the-secret");
    expect([400, 401]).toContain(status);
    await settle(world);
    expect(gh.requests.length).toBe(before);
    expect(gh.issue(REPO, opened.number)?.body).toBe(bodyBefore);
    expect(gh.issue(REPO, opened.number)?.labels).toContain("sev:2");
    // One log line for the rejected delivery: no stack traces, no payload.
    const logLines = world.logs.join("").split("\n").filter((l) => l.trim() !== "");
    const rejected = logLines.filter((l) => /signature/i.test(l));
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toContain("webhook rejected: invalid signature");
    expect(rejected[0]).toContain("WEBHOOK_SECRET");
    expect(world.logs.join("")).not.toContain("mallory");
    expect(world.logs.join("")).not.toMatch(/AggregateError|"stack"/);
    assertCleanLog(expect, world);
  });

  it("declares a form submission GitHub left unlabelled (the label did not exist yet), recognised by its body through the form", { timeout: TEST_MS }, async ({ expect }) => {
    const world = await startWorld({ labels: false });
    const { gh } = world;
    // A fresh repository: the form names `incident`, which does not exist, so GitHub drops it.
    const opened = gh.openIssue(REPO, "dana", { title: "Meta purchases down 70% since 09:00", body: FULL_FORM, labels: ["incident"] });
    expect(opened.labels).toEqual([]);
    const state = await waitFor(world, "the card", () => cardOf(world, opened.number));
    // Another form's submission and a plain issue with a heading are left alone.
    const bug = gh.openIssue(REPO, "dana", { title: "Typo on the about page", body: "### Steps to reproduce\n\nOpen /about\n\n### Expected\n\nNo typo\n", labels: [] });
    const plain = gh.openIssue(REPO, "dana", { title: "Question", body: "Who owns the pixel?", labels: [] });
    await settle(world);

    expect(state).toMatchObject({ status: "triage", severity: 2, layer: { likely: "measurement", source: "form" }, declaration: { isForm: true } });
    expect(gh.issue(REPO, opened.number)?.labels).toEqual(["incident", "sev:2", "layer:measurement", "status:triage"]);
    expect(gh.issue(REPO, opened.number)?.body?.endsWith(FULL_FORM)).toBe(true);
    // The labels now exist, styled as `firebreak labels` would make them.
    const incident = labelStyles(DEFAULT_CONFIG).find((l) => l.name === "incident")!;
    expect(gh.labels(REPO).find((l) => l.name === "incident")).toMatchObject({ color: incident.color, description: incident.description });
    for (const n of [bug.number, plain.number]) {
      expect(gh.issue(REPO, n)?.labels).toEqual([]);
      expect(gh.issue(REPO, n)?.body?.startsWith(CARD_START)).toBe(false);
      expect(gh.requests.filter((r) => r.method !== "GET" && r.path.startsWith(`/repos/${REPO}/issues/${n}`))).toEqual([]);
    }
    assertCleanLog(expect, world);
  });

  for (const variant of ["delivered by the emulator, one at a time", "delivered concurrently"] as const) {
    it(`applies 20 commands posted at the same moment, ${variant}: all on the card, each acknowledged once`, { timeout: TEST_MS }, async ({ expect }) => {
      const world = await startWorld();
      const { gh, relay } = world;
      const opened = gh.openIssue(REPO, "dana", { title: "Meta purchases down", body: FULL_FORM, labels: ["incident"] });
      await waitFor(world, "the card", () => cardOf(world, opened.number));
      await settle(world);

      const concurrent = variant === "delivered concurrently";
      relay.hold = concurrent; // held: recorded, answered 200, not forwarded
      const capturedBefore = relay.captured.length;
      const from = gh.requests.length;
      const logins = Array.from({ length: 20 }, (_, i) => `u${i + 1}`);
      const ids = await Promise.all(logins.map((login) => comment(world, opened.number, login, `/responder @${login} measurement`)));
      if (concurrent) {
        await gh.idle();
        relay.hold = false;
        const held = relay.captured.slice(capturedBefore).filter((d) => d.event === "issue_comment");
        expect(held).toHaveLength(20);
        const statuses = await Promise.all(held.map((d) => deliver(world, d)));
        expect(statuses.every((s) => s >= 200 && s < 300)).toBe(true);
      }

      const state = await waitFor(world, "all 20 commands on the card", () => {
        const s = cardOf(world, opened.number);
        return s && ids.every((id) => s.applied.includes(id)) ? s : undefined;
      });
      await waitFor(world, "20 reactions", () => [...botReactions(world, opened.number).values()].filter((r) => r.length > 0).length === 20);
      await settle(world);

      expect(state.roles.responders.map((r) => r.login).sort()).toEqual([...logins].sort());
      expect(state.roles.responders.every((r) => r.layer === "measurement")).toBe(true);
      const reactions = botReactions(world, opened.number);
      for (const id of ids) expect(reactions.get(id)).toEqual(["+1"]);
      // Exactly one reaction request per comment: no event re-applied what another one had.
      const reactionPosts = gh.requests.slice(from).filter((r) => r.method === "POST" && r.path.endsWith("/reactions"));
      expect(reactionPosts.map((r) => r.path).sort()).toEqual(ids.map((id) => `/repos/${REPO}/issues/comments/${id}/reactions`).sort());
      const replies = botReplies(world, opened.number);
      const keys = replies.map(replyKeyOf);
      expect(new Set(keys).size).toBe(keys.length);
      expect(replies).toEqual([]);
      // The card stays within its write budget: at most one card write per command.
      const patches = gh.requests.slice(from).filter((r) => r.method === "PATCH");
      expect(patches.length).toBeGreaterThanOrEqual(1);
      expect(patches.length).toBeLessThanOrEqual(20);
      // A card write only ever goes with newly applied commands: an event that finds nothing new writes nothing.
      const writes = gh.requests.slice(from).filter((r) => r.token.kind === "installation" && r.method !== "GET");
      // (Acknowledgements go out right after the card write that records them.)
      writes.forEach((w, i) => {
        if (w.path.endsWith("/reactions")) expect(`${writes[i - 1]?.method} ${writes[i - 1]?.path}`).toMatch(/^PATCH |\/reactions$/);
      });
      if (concurrent) {
        // All 20 comments existed before any delivery arrived: the first event applied them all, the rest found nothing to do.
        expect(patches).toHaveLength(1);
      }
      measured[`20 commands ${variant}`] = callsSince(world, from);
      assertCleanLog(expect, world);
    });
  }

  it("runs the scheduled pass by itself every FIREBREAK_SCHEDULE_EVERY: an incident whose webhooks never came gets its card", { timeout: TEST_MS }, async ({ expect }) => {
    const world = await startWorld({ env: { FIREBREAK_SCHEDULE_EVERY: "10s" } });
    const { gh } = world;
    // Deliveries go nowhere: only the scheduled pass can see this incident.
    gh.setWebhook({ url: "http://127.0.0.1:9/nowhere", secret: world.secret });
    const opened = gh.openIssue(REPO, "dana", { title: "Checkout broken on iOS", body: FULL_FORM, labels: ["incident"] });
    gh.comment(REPO, opened.number, "olga", "/owner @olga");
    const state = await waitFor(world, "the scheduled pass to write the card", () => {
      const card = cardOf(world, opened.number);
      return card?.roles.owner ? card : undefined;
    });
    expect(state).toMatchObject({ status: "investigating", roles: { detector: "dana", owner: "olga" } });
    expect(gh.issue(REPO, opened.number)?.assignees).toEqual(["olga"]);
  });

  it("detects a KPI break on its own scheduled pass, analysing the source on its worker thread", { timeout: TEST_MS }, async ({ expect }) => {
    const world = await startWorld({ env: { FIREBREAK_SCHEDULE_EVERY: "10s" } });
    const { gh } = world;
    gh.putFile(REPO, ".github/firebreak.yml", "nudges: false\ndetection:\n  sources:\n    - path: data/kpi/hourly.csv\n  channels: { meta: Meta }\n");
    gh.putFile(REPO, "data/kpi/hourly.csv", hourlyKpi({ end: "2026-11-28T12:00:00Z", breaks: [{ channel: "meta", metric: "spend", from: "2026-11-28T02:00:00Z", factor: 0.05 }] }));
    // `npm start` analyses KPI sources only on its worker: an incident appears only if that thread worked.
    const opened = await waitFor(world, "the scheduled pass to open a detection incident", () =>
      gh.issues(REPO).find((i) => i.author === "firebreak[bot]" && i.labels.includes("incident") && (i.body ?? "").includes("firebreak:detection")),
    );
    expect(opened.body).toContain("meta");
    expect(world.logs.join("")).not.toContain("failed: analysing");
  });

  it("refuses to start with a FIREBREAK_SCHEDULE_EVERY below 10 seconds, saying why", { timeout: TEST_MS }, async ({ expect }) => {
    await expect(startWorld({ env: { FIREBREAK_SCHEDULE_EVERY: "2s" } })).rejects.toThrow(/FIREBREAK_SCHEDULE_EVERY must be at least 10s/);
  });

  it("flood: 1,000 outsider comments before /resolve cannot make an incident impossible to close (newest pages first)", { timeout: 240_000 }, async ({ expect }) => {
    const world = await startWorld();
    const { gh, relay } = world;
    const incident = gh.openIssue(REPO, "dana", { title: "Checkout pixel silent", body: FULL_FORM, labels: ["incident"] }).number;
    await waitFor(world, "the card", () => cardOf(world, incident));
    await settle(world);
    const ownerId = await comment(world, incident, "olga", "/owner @olga");
    await waitFor(world, "/owner on the card", () => cardOf(world, incident)?.applied.includes(ownerId));
    await settle(world);

    // The flood: 1,050 comments by someone with no access (their deliveries are recorded, not sent:
    // a comment without a command costs the App nothing, and this keeps the test quick).
    relay.hold = true;
    for (let i = 0; i < 1050; i++) gh.comment(REPO, incident, "growth-guru-42", `me too ${i}`);
    await gh.idle();
    relay.hold = false;
    const commentList = (from: number) => gh.requests.slice(from).filter((r) => r.method === "GET" && /\/issues\/\d+\/comments$/.test(r.path)).length;

    let from = gh.requests.length;
    const resolveId = await comment(world, incident, "olga", "/resolve\ncause: consent banner blocked the pixel\nlayer: measurement\nevidence: Events Manager recovered after the fix\nfix: consent default first");
    await waitFor(world, "/resolve on the card", () => cardOf(world, incident)?.status === "resolved");
    await settle(world);
    measured["command /resolve after a 1,050-comment flood"] = callsSince(world, from);
    expect(cardOf(world, incident)?.resolution?.commentId).toBe(resolveId);
    // Every comment after the last applied command may hold a command, so all 11 pages are read
    // (page 1 for the Link header, then pages 11 down to 2) — one call per page, no cap hiding /resolve.
    expect(commentList(from)).toBe(11);

    from = gh.requests.length;
    gh.closeIssue(REPO, incident, "olga");
    const closed = await waitFor(world, "the close to open a postmortem", () => {
      const s = cardOf(world, incident);
      return s?.postmortem ? s : undefined;
    });
    await settle(world);
    measured["close after a 1,050-comment flood"] = callsSince(world, from);
    expect(closed.status).toBe("closed");
    expect(gh.issue(REPO, incident)).toMatchObject({ state: "closed", stateReason: "completed" });
    // The record now holds /resolve: page 1 for the Link header, then the last page, which holds it.
    expect(commentList(from)).toBe(2);
    expect(callsSince(world, from).counted.length).toBeLessThanOrEqual(5); // SPEC §10's 4, plus one further log page
    expect(botReplies(world, incident).some((b) => b.includes("no recorded resolution"))).toBe(false);
    assertCleanLog(expect, world);
  });

  it("runs the whole lifecycle: declare, command, resolve, close, postmortem gate, complete, then a repeat", { timeout: TEST_MS }, async ({ expect }) => {
    const world = await startWorld();
    const { gh, relay } = world;
    const labelsOf = (n: number) => gh.issue(REPO, n)?.labels ?? [];

    // Declare.
    const incident = gh.openIssue(REPO, "dana", { title: "Meta purchases down 70% since 09:00", body: FULL_FORM, labels: ["incident"] }).number;
    await waitFor(world, "the card", () => cardOf(world, incident));
    await settle(world);

    // Commands, each acknowledged with a reaction and nothing else.
    const command = async (name: string, body: string, done: (s: IncidentState) => boolean): Promise<IncidentState> => {
      const from = gh.requests.length;
      const id = await comment(world, incident, "olga", body);
      const state = await waitFor(world, `${name} on the card`, () => {
        const s = cardOf(world, incident);
        return s && s.applied.includes(id) && done(s) ? s : undefined;
      });
      await waitFor(world, `the reaction to ${name}`, () => botReactions(world, incident).get(id)?.includes("+1"));
      await settle(world);
      measured[`command ${name}`] = callsSince(world, from);
      return state;
    };
    await command("/owner", "/owner @olga", (s) => s.roles.owner === "olga" && s.status === "investigating");
    expect(gh.issue(REPO, incident)?.assignees).toEqual(["olga"]);
    await command("/contain", "/contain paused budget increases on both Advantage+ campaigns", (s) => s.status === "contained");
    const resolvedState = await command(
      "/resolve",
      [
        "/resolve",
        "cause: the theme update's cookie banner blocked the Meta pixel until consent",
        "layer: measurement",
        "evidence: Events Manager shows purchases back within 10 minutes of the banner fix",
        "fix: the banner sets the consent default before the pixel loads",
      ].join("\n"),
      (s) => s.status === "resolved",
    );
    expect(resolvedState.resolution).toMatchObject({ layer: "measurement", by: "olga" });
    expect(labelsOf(incident)).toEqual(["incident", "sev:2", "layer:measurement", "status:resolved"]);
    expect(botReplies(world, incident)).toEqual([]);

    // Redelivery of an older, handled command: the record shows it applied, so nothing is read
    // beyond the (conditional) config and nothing is written.
    const ownerDelivery = relay.captured.find((d) => d.event === "issue_comment" && d.body.includes("/owner @olga"));
    expect(ownerDelivery).toBeDefined();
    const beforeRedelivery = gh.requests.length;
    const bodyBeforeRedelivery = gh.issue(REPO, incident)?.body;
    expect(await deliver(world, ownerDelivery!)).toBe(200);
    await settle(world);
    expect(gh.requests.slice(beforeRedelivery).filter((r) => !r.path.includes("/contents/")).map(line)).toEqual([]);
    expect(gh.issue(REPO, incident)?.body).toBe(bodyBeforeRedelivery);

    // Close: a postmortem opens, linked both ways, and the incident stays closed.
    let from = gh.requests.length;
    gh.closeIssue(REPO, incident, "olga");
    const closed = await waitFor(world, "the card to link a postmortem", () => {
      const s = cardOf(world, incident);
      return s?.postmortem ? s : undefined;
    });
    await settle(world);
    measured["close of a resolved incident"] = callsSince(world, from);
    const postmortems = gh.issues(REPO).filter((i) => i.labels.includes("postmortem"));
    expect(postmortems).toHaveLength(1);
    const pm = postmortems[0]!;
    expect(closed).toMatchObject({ status: "closed", postmortem: { issue: pm.number, complete: false } });
    expect(gh.issue(REPO, incident)).toMatchObject({ state: "closed", stateReason: "completed" });
    expect(labelsOf(incident)).toEqual(["incident", "sev:2", "layer:measurement", "status:closed"]);
    expect(gh.issue(REPO, incident)?.body).toContain(`**Postmortem** #${pm.number} — open`);
    expect(pm.labels).toEqual(["postmortem", "layer:measurement", "sev:2"]);
    expect(pm.assignees).toEqual(["olga"]);
    expect(pm.author).toBe("firebreak[bot]");
    expect(pm.body).toMatch(/^Due: \d{4}-\d{2}-\d{2}$/m);
    expect(pm.body).toContain(`#${incident}`);
    expect(botReplies(world, incident)).toEqual([]);

    // Closing the postmortem untouched: reopened, with every gap listed.
    gh.closeIssue(REPO, pm.number, "olga");
    const gapsReply = await waitFor(world, "the postmortem's gap reply", () => botReplies(world, pm.number)[0]);
    await waitFor(world, "the postmortem to reopen", () => gh.issue(REPO, pm.number)?.state === "open");
    await settle(world);
    expect(gapsReply.split("\n").filter((l) => l.startsWith("- "))).toEqual([
      "- Answer “What happened?”",
      "- Answer “What did it cost?”",
      "- Answer “Why was it not detected sooner?”",
      "- Answer “What system change makes recurrence less likely or less costly?”",
      "- Tick “Cause confirmed with evidence”",
      "- Tick “Operational confidence restored (business, team and data trusted again)”",
      "- Tick “Process fix installed — a monitor, checklist, owner rule or release guardrail”",
      "- Tick “Response reviewed (parallel changes, communication)”",
    ]);
    expect(cardOf(world, incident)?.postmortem).toEqual({ issue: pm.number, complete: false });

    // The owner answers and ticks everything, links the process fix, and closes it again.
    const fix = "https://github.com/acme/shop/pull/42";
    gh.editIssue(REPO, pm.number, "olga", { body: completed(gh.issue(REPO, pm.number)!.body ?? "", fix) });
    from = gh.requests.length;
    gh.closeIssue(REPO, pm.number, "olga");
    const complete = await waitFor(world, "the card to record the postmortem complete", () => {
      const s = cardOf(world, incident);
      return s?.postmortem?.complete ? s : undefined;
    });
    await settle(world);
    measured["close of a complete postmortem"] = callsSince(world, from);
    expect(complete.status).toBe("postmortem-complete");
    expect(gh.issue(REPO, incident)?.body).toContain("🏁 Closed — postmortem complete");
    expect(gh.issue(REPO, pm.number)).toMatchObject({ state: "closed" });
    expect(botReplies(world, pm.number)).toHaveLength(1);

    // A repeat: the same layer and channel, declared after the first closed.
    from = gh.requests.length;
    const second = gh.openIssue(REPO, "dana", { title: "Meta purchases down again", body: FULL_FORM, labels: ["incident"] }).number;
    const repeat = await waitFor(world, "the repeat's card", () => cardOf(world, second));
    const notice = await waitFor(world, "the notice on the earlier postmortem", () => botReplies(world, pm.number).find((b) => b.includes("**Repeat:**")));
    await settle(world);
    measured["declaration (warm, a repeat)"] = callsSince(world, from);
    expect(labelsOf(second)).toEqual(["incident", "sev:2", "layer:measurement", "status:triage", "repeat"]);
    expect(repeat.repeatOf).toEqual({ issue: incident, postmortem: pm.number, fix });
    expect(gh.issue(REPO, second)?.body).toContain(`**Repeat** of #${incident} (postmortem #${pm.number})`);
    expect(notice).toContain(`incident [#${second}]`);
    // SPEC §13: the recorded fix is repeated as inert text (no live link).
    expect(notice).toContain(fix.replace("://", "\u2060://"));
    expect(botReplies(world, pm.number)).toHaveLength(2);
    expect(gh.issues(REPO).filter((i) => i.labels.includes("postmortem"))).toHaveLength(1);

    // SPEC §10 budgets, warm: declaring ≤ 4, a command ≤ 3 (no reply, no permission lookup), closing ≤ 4.
    expect(measured["declaration (warm, a repeat)"]!.counted.length).toBeLessThanOrEqual(4);
    expect(measured["declaration (warm, a repeat)"]!.coldFiles).toEqual([]);
    for (const name of ["/contain", "/resolve"]) {
      expect(measured[`command ${name}`]!.counted.length).toBeLessThanOrEqual(3);
      expect(measured[`command ${name}`]!.coldFiles).toEqual([]);
    }
    expect(measured["close of a resolved incident"]!.counted.length).toBeLessThanOrEqual(4);
    assertCleanLog(expect, world);
  });
});

// ---------------------------------------------------------------------------------------

function completed(body: string, fix: string): string {
  const answers: Record<string, string> = {
    "What happened?": "The theme update's new cookie banner blocked the Meta pixel until consent, so purchases went unreported.",
    "What did it cost?": "About six hours of Advantage+ optimising on missing purchases: roughly $12,000 of spend.",
    "Why was it not detected sooner?": "Nothing compares platform purchases with store orders; a person noticed the next morning.",
    "What system change makes recurrence less likely or less costly?": "Tracking QA runs on every theme release and fails the release when the pixel is missing.",
  };
  let out = body;
  for (const [question, text] of Object.entries(answers)) {
    const at = out.indexOf(`### ${question}`);
    const placeholder = out.indexOf("_Answer here._", at);
    if (at < 0 || placeholder < 0) throw new Error(`no placeholder under ${question}`);
    out = out.slice(0, placeholder) + text + out.slice(placeholder + "_Answer here._".length);
  }
  out = out.replace(/^- \[ \] (Process fix installed[^\n]*)$/m, (_m, text: string) => `- [x] ${text} ${fix}`);
  return out.replace(/^- \[ \] /gm, "- [x] ");
}
