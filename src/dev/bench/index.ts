// `npm run bench`: what Firebreak costs, measured with the real App (Probot, signed webhooks)
// against the built-in local GitHub. Prints tables; asserts nothing.
//   1. API calls per event against the SPEC §10 budgets (warm config cache).
//   2. Webhook latency and throughput for a burst of commands, next to a bare Probot app.
//   3. Tracking QA pages per second (src/dev/bench/qa.ts, when present).
//   4. ReDoS: every parser and regex on 65,536 hostile characters (src/dev/bench/redos.ts).
//   5. Nudges: a nudge pass over 200 open incidents (src/dev/bench/nudges.ts).
//   6. Several instances: a 20-command burst on one instance and on two on one Redis (src/dev/bench/instances.ts).
import { createServer, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { availableParallelism, cpus } from "node:os";
import { Worker } from "node:worker_threads";
import { firebreakApp } from "../../app/index.js";
import { readInitTemplates } from "../../cli/init.js";
import { parseBody } from "../../core/card.js";
import { DEFAULT_CONFIG } from "../../core/config.js";
import { labelStyles } from "../../core/model/labels.js";
import { renderFormBody } from "../../core/declaration/template.js";
import { settle, startAppWorld } from "../harness.js";
import type { RequestLogEntry } from "../local-github/index.js";
import { LocalGitHub } from "../local-github/index.js";
import type { AppWorkerData, AppWorkerMessage } from "./app-worker.js";
import { benchInstances } from "./instances.js";
import { benchRedos, HOSTILE_CHARS } from "./redos.js";
import { benchNudges, renderNudgeBench } from "./nudges.js";

const REPO = "acme/shop";
const PEOPLE = { lead: "maya-ops", owner: "devon-web", analyst: "priya-data", outsider: "growth-guru-42" } as const;
const BURST = Number(process.env.BENCH_BURST ?? 200);
const INCIDENTS = Number(process.env.BENCH_INCIDENTS ?? 20);

const FORM = {
  symptom: "Meta-reported purchases down ~70% since 08:45 UTC; mobile checkout conversion rate fell from 3.1% to 1.2%.",
  started: "today 08:45 UTC",
  scope: ["Meta", "Google"],
  outcomes: "Yes",
  "what-changed": "Theme release at 08:30 UTC.",
  layer: "Not sure",
  severity: "SEV2",
  threshold: ["Waiting costs materially more"],
  cost: "$2,000/hour",
};

/** One second per reading: GitHub's timestamps have one-second resolution and must not tie between steps. */
function steppingClock(): () => Date {
  let t = Date.now();
  return () => new Date((t += 1000));
}

function seed(gh: LocalGitHub): void {
  gh.addRepo(REPO);
  gh.addCollaborator(REPO, PEOPLE.lead, "triage");
  gh.addCollaborator(REPO, PEOPLE.owner, "write");
  gh.addCollaborator(REPO, PEOPLE.analyst, "triage");
  for (const file of readInitTemplates()) gh.putFile(REPO, file.target, file.content);
  // As `firebreak labels` leaves it: an issue form applies only labels that exist.
  for (const style of labelStyles(DEFAULT_CONFIG)) gh.createLabel(REPO, style.name, style.color, style.description);
}

function table(head: string[], rows: (string | number)[][]): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(cells[0]!), `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`, ...cells.slice(1).map(line)].join("\n");
}

// ---------------------------------------------------------------------------------------
// 1. API calls per event

/** SPEC §10 counts every request except token requests, 304 answers and the one-time label creation. */
function counted(r: RequestLogEntry): boolean {
  return r.token.kind === "installation" && r.status !== 304 && !/^\/repos\/[^/]+\/[^/]+\/labels(?:\/|$)/.test(r.path);
}

interface Budget {
  calls: number;
  writes: number;
  why: string;
}

async function callsPerEvent(): Promise<string> {
  const app = firebreakApp({ appSlug: "firebreak" });
  const world = await startAppWorld({ appFn: app, idle: () => app.idle(), emulator: { clock: steppingClock() }, throttle: false });
  const { gh } = world;
  try {
    seed(gh);
    const form = readInitTemplates()[0]!.content;
    const open = (title: string, answers: Record<string, string | string[]> = FORM) => gh.openIssue(REPO, PEOPLE.lead, { title, body: renderFormBody(answers, form), labels: ["incident"] }).number;
    const say = (n: number, who: string, body: string) => () => void gh.comment(REPO, n, who, body);

    // Warm-up: one whole lifecycle reads the config, form and postmortem template once and checks the labels.
    // Another family (delivery, TikTok), so the measured declaration is no repeat of it.
    const warm = open("[Incident] warm-up", { ...FORM, scope: ["TikTok"], layer: "Delivery", symptom: "TikTok spend stopped at 06:00." });
    for (const act of [say(warm, PEOPLE.lead, `/owner @${PEOPLE.owner}`), say(warm, PEOPLE.owner, "/resolve\ncause: warm-up\nevidence: warm-up"), () => void gh.closeIssue(REPO, warm, PEOPLE.owner)]) {
      act();
      await world.settle();
    }

    const rows: (string | number)[][] = [];
    const measure = async (event: string, act: () => void, budget: Budget) => {
      const from = gh.requests.length;
      act();
      await world.settle();
      const reqs = gh.requests.slice(from).filter(counted);
      const writes = reqs.filter((r) => r.method !== "GET").length;
      const ok = reqs.length <= budget.calls && writes <= budget.writes;
      const kinds = reqs.map((r) => `${r.method} ${r.path.replace(/^\/repos\/[^/]+\/[^/]+/, "").replace(/\/\d+/g, "/:n")}`);
      rows.push([event, reqs.length, `≤ ${budget.calls}`, writes, `≤ ${budget.writes}`, ok ? "yes" : "OVER", budget.why, kinds.join(", ")]);
    };
    let n = 0;
    await measure("declaration (issue form)", () => void (n = open("[Incident] Meta purchases down 70% after theme release")), { calls: 4, writes: 1, why: "declaring ≤ 4" });
    await measure("/owner", say(n, PEOPLE.lead, `/owner @${PEOPLE.owner}`), { calls: 3, writes: 2, why: "command ≤ 3" });
    await measure("/update (fields missing: reply)", say(n, PEOPLE.owner, "/update\nsymptom: purchases -70% on mobile"), { calls: 4, writes: 3, why: "command ≤ 3 + 1 reply" });
    await measure("/check", say(n, PEOPLE.owner, `/check compare orders with Meta purchases @${PEOPLE.analyst} in 30m`), { calls: 3, writes: 2, why: "command ≤ 3" });
    await measure("/change", say(n, PEOPLE.owner, "/change paused Advantage+ budget increases"), { calls: 3, writes: 2, why: "command ≤ 3" });
    await measure("/change (2nd)", say(n, PEOPLE.owner, "/change rolled the theme back on mobile"), { calls: 3, writes: 2, why: "command ≤ 3" });
    // The analyst's first command: her permission is looked up once (cached afterwards, SPEC §13).
    await measure("/change (3rd: parallel warning; first command of a person)", say(n, PEOPLE.analyst, "/change server-side Purchase event only"), { calls: 5, writes: 3, why: "command ≤ 3 + 1 reply + 1 lookup" });
    await measure("/contain", say(n, PEOPLE.owner, "/contain paused prospecting; retargeting capped"), { calls: 3, writes: 2, why: "command ≤ 3" });
    await measure("refused command (outsider: lookup)", say(n, PEOPLE.outsider, "/severity 1"), { calls: 5, writes: 3, why: "≤ 3 + 1 reply + 1 lookup" });
    await measure("discussion comment (no command)", say(n, PEOPLE.analyst, "Orders are recovering on mobile."), { calls: 0, writes: 0, why: "no API call" });
    await measure("/resolve", say(n, PEOPLE.owner, "/resolve\ncause: theme broke the checkout button on iOS\nlayer: conversion\nevidence: test orders\nfix: rollback"), { calls: 3, writes: 2, why: "command ≤ 3" });
    await measure("close resolved incident (+ postmortem)", () => void gh.closeIssue(REPO, n, PEOPLE.owner), { calls: 4, writes: 4, why: "closing ≤ 4" });
    await measure("declaration of a repeat (+ notice)", () => void open("[Incident] Meta purchases down again"), { calls: 4, writes: 2, why: "declaring ≤ 4; + the §7 notice" });
    return table(["event", "calls", "budget", "writes", "budget", "within", "SPEC §10", "requests counted"], rows);
  } finally {
    await world.stop();
  }
}

// ---------------------------------------------------------------------------------------
// 2. Latency and throughput of a burst of webhooks

interface Captured {
  headers: IncomingHttpHeaders;
  body: string;
  commentId?: number;
  issue?: number;
}

/** Stands in for the App while comments are created, so the burst can be replayed all at once. */
async function captureServer(): Promise<{ url: string; captured: Captured[]; close(): Promise<void> }> {
  const captured: Captured[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const parsed = JSON.parse(body) as { action?: string; comment?: { id?: number }; issue?: { number?: number } };
      if (req.headers["x-github-event"] === "issue_comment" && parsed.action === "created") {
        captured.push({
          headers: req.headers,
          body,
          ...(parsed.comment?.id !== undefined ? { commentId: parsed.comment.id } : {}),
          ...(parsed.issue?.number !== undefined ? { issue: parsed.issue.number } : {}),
        });
      }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    captured,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function post(url: string, delivery: Captured): Promise<number> {
  const headers: Record<string, string> = {};
  for (const name of ["content-type", "x-github-event", "x-github-delivery", "x-hub-signature-256", "user-agent", "x-github-hook-id"]) {
    const value = delivery.headers[name];
    if (typeof value === "string") headers[name] = value;
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: "POST", headers: { ...headers, "content-length": String(Buffer.byteLength(delivery.body)) } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(delivery.body);
  });
}

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface BurstResult {
  events: number;
  answeredMs: number[];
  writtenMs: number[];
  wallMs: number;
  answeredWallMs: number;
  apiCalls: number;
  writes: number;
  notificationWrites: number;
  statuses: number[];
}

/**
 * Creates `incidents` declared incidents, then `events` command comments spread over them while the
 * App is not listening, and replays those signed deliveries to the App concurrently.
 * "written" is when GitHub received the effect: the card PATCH that recorded that comment (right
 * after its acknowledgement), or the bare app's comment.
 */
/** The App (Firebreak or the bare baseline) in a worker thread, pointed at the emulator. */
async function workerApp(kind: AppWorkerData["kind"], baseUrl: string, throttle: boolean): Promise<{ webhookUrl: string; secret: string; idle(): Promise<void>; stop(): Promise<void> }> {
  const worker = new Worker(new URL("./app-worker.js", import.meta.url), { workerData: { kind, baseUrl, throttle } satisfies AppWorkerData });
  const waiting = new Map<number, () => void>();
  let stopped: () => void = () => {};
  let nextId = 0;
  const ready = await new Promise<{ webhookUrl: string; secret: string }>((resolve, reject) => {
    worker.once("error", reject);
    worker.on("message", (m: AppWorkerMessage) => {
      if (m.type === "ready") resolve(m);
      else if (m.type === "idle") waiting.get(m.id)?.();
      else stopped();
    });
  });
  return {
    ...ready,
    idle: () => new Promise<void>((resolve) => {
      const id = nextId++;
      waiting.set(id, () => (waiting.delete(id), resolve()));
      worker.postMessage({ type: "idle", id });
    }),
    async stop() {
      await new Promise<void>((resolve) => {
        stopped = resolve;
        worker.postMessage({ type: "stop", id: -1 });
      });
      await worker.terminate();
    },
  };
}

/**
 * Creates `incidents` declared incidents, then `events` command comments spread over them while the
 * App is not listening, and replays those signed deliveries to the App concurrently.
 * "written" is when GitHub received the effect: the card PATCH that recorded that comment (right
 * after its acknowledgement), or the bare app's comment.
 */
async function burst(kind: AppWorkerData["kind"], options: { events: number; incidents: number; throttle: boolean }): Promise<BurstResult> {
  const gh = new LocalGitHub({ clock: steppingClock(), rateLimit: 1_000_000 });
  const { url } = await gh.start();
  const app = await workerApp(kind, url, options.throttle);
  const capture = await captureServer();
  try {
    seed(gh);
    gh.setWebhook({ url: app.webhookUrl, secret: app.secret });
    const form = readInitTemplates()[0]!.content;
    const incidents: number[] = [];
    for (let i = 0; i < options.incidents; i++) {
      incidents.push(gh.openIssue(REPO, PEOPLE.lead, { title: `[Incident] burst ${i + 1}`, body: renderFormBody(FORM, form), labels: ["incident"] }).number);
    }
    await settle(gh, app.idle);
    if (kind === "firebreak" && incidents.some((n) => !parseBody(gh.issue(REPO, n)?.body).state)) throw new Error("bench setup: an incident was not declared");

    gh.setWebhook({ url: capture.url, secret: app.secret });
    const commands = ["/change paused prospecting budget increases", "/contain paused Advantage+ campaigns", `/check compare orders and purchases @${PEOPLE.analyst} in 30m`, "/layer conversion high", "/responder @priya-data measurement"];
    for (let i = 0; i < options.events; i++) {
      const n = incidents[i % incidents.length]!;
      gh.comment(REPO, n, i % 2 === 0 ? PEOPLE.owner : PEOPLE.lead, commands[i % commands.length]!);
    }
    await gh.idle();
    const deliveries = capture.captured.slice(0, options.events);
    gh.setWebhook({ url: app.webhookUrl, secret: app.secret });
    const world = { webhookUrl: app.webhookUrl, settle: () => settle(gh, app.idle) };

    const from = gh.requests.length;
    const start = Date.now();
    const answeredAt: number[] = [];
    const statuses = await Promise.all(
      deliveries.map(async (d, i) => {
        const status = await post(world.webhookUrl, d);
        answeredAt[i] = Date.now();
        return status;
      }),
    );
    const answeredWallMs = Math.max(...answeredAt) - start;
    await world.settle();
    const wallMs = Date.now() - start;
    const requests = gh.requests.slice(from).filter((r) => r.token.kind === "installation");
    // A comment's effect is written at the card PATCH of its incident nearest its acknowledgement
    // (the card is written first and the +1 follows it; jobs on one incident never interleave).
    const issueOf = new Map(deliveries.map((d) => [d.commentId ?? -1, d.issue ?? -1]));
    const patches = new Map<number, { index: number; at: number }[]>();
    requests.forEach((r, index) => {
      const patch = r.method === "PATCH" ? /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)$/.exec(r.path) : null;
      if (patch) patches.set(Number(patch[1]), [...(patches.get(Number(patch[1])) ?? []), { index, at: Date.parse(r.at) }]);
    });
    const written = new Map<number, number>();
    requests.forEach((r, index) => {
      const reaction = kind === "firebreak" ? /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)\/reactions$/.exec(r.path) : null;
      if (!reaction || written.has(Number(reaction[1]))) return;
      const candidates = patches.get(issueOf.get(Number(reaction[1])) ?? -1) ?? [];
      const nearest = candidates.reduce<{ index: number; at: number } | undefined>((best, p) => (!best || Math.abs(p.index - index) < Math.abs(best.index - index) ? p : best), undefined);
      if (nearest) written.set(Number(reaction[1]), nearest.at);
    });
    // The bare app answers after its one call: its effect is written when it answers.
    const writtenMs = deliveries.map((d, i) => (kind === "bare" ? answeredAt[i]! : (written.get(d.commentId ?? -1) ?? Number.NaN)) - start).filter(Number.isFinite);
    const writes = requests.filter((r) => r.method !== "GET");
    return {
      events: deliveries.length,
      answeredMs: answeredAt.map((t) => t - start),
      writtenMs,
      wallMs,
      answeredWallMs,
      apiCalls: requests.filter(counted).length,
      writes: writes.length,
      notificationWrites: writes.filter((r) => r.method === "POST" && /\/issues(?:\/\d+\/comments)?$/.test(r.path)).length,
      statuses,
    };
  } finally {
    await capture.close();
    await app.stop();
    await gh.stop();
  }
}

function fmt(ms: number): string {
  return Number.isFinite(ms) ? (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`) : "—";
}

async function latency(): Promise<string> {
  const opts = { events: BURST, incidents: INCIDENTS, throttle: false };
  // One untimed run first: JIT, sockets and key imports warm, so neither side pays them.
  await burst("bare", { ...opts, events: 20 });
  const bare = await burst("bare", opts);
  const fire = await burst("firebreak", opts);
  // GitHub's pacing on: 10 commands on 10 incidents, how soon each card shows its command.
  const throttled = await burst("firebreak", { events: 10, incidents: 10, throttle: true });
  const rate = (events: number, ms: number) => `${Math.round((events / ms) * 1000)}/s`;
  const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(1)}×` : "—");
  const row = (name: string, r: BurstResult) => [
    name,
    r.events,
    `${r.statuses.filter((s) => s === 200).length}/${r.events}`,
    fmt(percentile(r.answeredMs, 50)),
    fmt(percentile(r.answeredMs, 99)),
    fmt(percentile(r.writtenMs, 50)),
    fmt(percentile(r.writtenMs, 99)),
    rate(r.events, r.answeredWallMs),
    rate(r.events, r.wallMs),
    r.apiCalls,
    r.writes,
  ];
  const head = ["app", "events", "200s", "answered p50", "answered p99", "written p50", "written p99", "answered/s", "done/s", "API calls", "writes"];
  const lines = [
    table(head, [
      row(`Firebreak (throttling off)`, fire),
      row(`bare Probot, 1 call/event (throttling off)`, bare),
      [
        "Firebreak ÷ bare",
        "",
        "",
        ratio(percentile(fire.answeredMs, 50), percentile(bare.answeredMs, 50)),
        ratio(percentile(fire.answeredMs, 99), percentile(bare.answeredMs, 99)),
        ratio(percentile(fire.writtenMs, 50), percentile(bare.writtenMs, 50)),
        ratio(percentile(fire.writtenMs, 99), percentile(bare.writtenMs, 99)),
        ratio(bare.answeredWallMs, fire.answeredWallMs),
        ratio(bare.wallMs, fire.wallMs),
        ratio(fire.apiCalls, bare.apiCalls),
        ratio(fire.writes, bare.writes),
      ],
      row(`Firebreak (throttling ON, 10 commands on 10 incidents)`, throttled),
    ]),
    "",
    `Burst: ${fire.events} signed issue_comment deliveries (commands) over ${INCIDENTS} incidents, POSTed concurrently to the App's webhook endpoint. The App runs in a worker thread (its own event loop, as GitHub is not in its process); the emulator and the load share the main thread.`,
    "\"answered\" = POST → the App's HTTP answer; \"written\" = POST → GitHub received the effect (Firebreak: the card PATCH that recorded the comment, right before its +1 acknowledgement; bare app: its comment, made before it answers).",
    "Firebreak answers before it works and works per incident in order; a job reads the whole comment log, so the first one on an incident applies every command already there — fewer writes than events, and \"written\" can come before that comment's own delivery is answered.",
    "Firebreak answers later than the bare app because its thread also applies the commands (card decode and render, validation) while the burst arrives; both stay far inside GitHub's 10 s.",
    `Throttling: Probot keeps GitHub's pacing in production (writes ~1 s apart, new comments/issues ~3 s apart, per installation). This burst's ${fire.writes} writes (${fire.notificationWrites} comments) would take ≥ ~${Math.round(fire.writes - fire.notificationWrites + fire.notificationWrites * 3)} s to drain at that pace; the App still answers every webhook at once (the throttled row: answered p99 ${fmt(percentile(throttled.answeredMs, 99))}, last card written after ${fmt(throttled.wallMs)}).`,
  ];
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------
// 3. Tracking QA

interface QaBenchModule {
  qaBenchSection(): Promise<string>;
}

async function trackingQa(): Promise<string> {
  let mod: QaBenchModule;
  try {
    mod = (await import(new URL("./qa.js", import.meta.url).href)) as QaBenchModule;
  } catch {
    return "skipped: src/dev/bench/qa.ts is not there (qaBenchSection)";
  }
  try {
    return await mod.qaBenchSection();
  } catch (error) {
    return `skipped: qaBenchSection failed — ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`;
  }
}

// ---------------------------------------------------------------------------------------
// 4. ReDoS

function redos(): string {
  const rows = benchRedos();
  return (
    table(
      ["parser / regex", `worst of ${HOSTILE_CHARS} hostile chars`, "its input starts", "4n / n", "within 100 ms"],
      rows.map((r) => [r.name, fmt(r.worstMs), r.worstInput, r.ratio4n.toFixed(1), r.worstMs <= 100 ? "yes" : "NO"]),
    ) + "\n4n / n: the same input at 65,536 vs 16,384 characters (≈4 linear, ≈16 quadratic)."
  );
}

// ---------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = performance.now();
  const out = (s: string) => process.stdout.write(`${s}\n`);
  out(`# Firebreak bench — ${new Date().toISOString().slice(0, 10)} · node ${process.version} · ${availableParallelism()} cores (${cpus()[0]?.model.trim() ?? "unknown CPU"})`);
  out("");
  out("## 1. API calls per event (real App → local GitHub, warm config cache)");
  out("");
  out(await callsPerEvent());
  out("");
  out("Counted as SPEC §10 does: every request except installation-token requests, 304 answers and the one-time label check/creation.");
  out("");
  out(`## 2. Webhook latency and throughput (${BURST} commands over ${INCIDENTS} incidents)`);
  out("");
  out(await latency());
  out("");
  out("## 3. Tracking QA throughput, before and after (loopback fixture site)");
  out("");
  out(await trackingQa());
  out("");
  out(`## 4. ReDoS (${HOSTILE_CHARS} hostile characters per input, worst of ${"every"} run of markup, spaces and keywords)`);
  out("");
  out(redos());
  out("");
  out("## 5. Nudges: a pass over 200 open incidents (schedule.max_calls, GitHub's pacing)");
  out("");
  out(renderNudgeBench(await benchNudges()));
  out("");
  out(`## 6. Several instances (SPEC §18): 20 simultaneous commands on one incident, real servers, throttling on`);
  out("");
  const instances = await benchInstances();
  out(typeof instances === "string" ? instances : table(instances.head, instances.rows));
  out("");
  out("Settled: from the first delivery sent to the last write GitHub received. Pacing floor: Probot's throttling for those writes (about 1 s between writes, 3 s between new comments), shared through Redis between the instances.");
  out("");
  out(`bench took ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

await main();
// Keep-alive sockets of the last run must not hold the process.
setTimeout(() => process.exit(0), 1_000).unref();
