// `firebreak simulate`: what an event would make Firebreak write, decided by the pure core
// alone — no network, no token, nothing touched. The shell's own checks (its own events,
// other bots, who may command) are mirrored from the payload; reads it would make are named.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { parseBody } from "../core/card.js";
import type { FirebreakConfig } from "../core/config.js";
import { DEFAULT_CONFIG } from "../core/config.js";
import type { EngineInput, EngineResult } from "../core/engine.js";
import { decide, isFirebreakIssue } from "../core/engine.js";
import type { CommentView } from "../core/model/incident.js";
import { commentViewSchema } from "../core/model/incident.js";
import type { Plan } from "../core/model/plan.js";
import { planWrites } from "../core/model/plan.js";
import { CARD_END, CARD_START, parsePostmortemMarker, withoutStateMarkers } from "../core/model/markers.js";
import { postmortemGaps } from "../core/postmortem/gate.js";
import type { Trigger } from "../github/events.js";
import { triggerFrom } from "../github/events.js";
import { shippedTemplates } from "../templates.js";
import type { ExitCode, Io } from "./common.js";
import { CliError, EXIT } from "./common.js";
import { readLocalConfig } from "./labels.js";

export interface SimulateOptions {
  event: string;
  payload: string;
  config?: string;
  issueBody?: string;
  comments?: string;
  form?: string;
  permitted?: string[];
  botLogin?: string;
  json?: boolean;
}

/** One write as it would go to GitHub's REST API. */
export interface SimulatedWrite {
  method: "PATCH" | "POST";
  path: string;
  summary: string;
  body?: Record<string, unknown>;
}

export interface Simulation {
  event: string;
  trigger: string;
  action: string;
  incident?: number;
  notes: string[];
  /** Reads the App or Action would make first (not made here). */
  reads: string[];
  writes: SimulatedWrite[];
  card?: string;
  plan?: Plan;
}

const TRUSTED = new Set(["OWNER", "MEMBER", "COLLABORATOR"]);

function readText(path: string, cwd: string, what: string): string {
  try {
    return readFileSync(resolve(cwd, path), "utf8");
  } catch {
    throw new CliError(`cannot read ${what} ${path}`);
  }
}

function readJson(path: string, cwd: string, what: string): unknown {
  try {
    return JSON.parse(readText(path, cwd, what)) as unknown;
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`${what} ${path} is not valid JSON`);
  }
}

/** The Firebreak section of a body, without its machine-readable record. */
export function cardOf(body: string | undefined): string | undefined {
  if (!body?.startsWith(CARD_START)) return undefined;
  const end = body.indexOf(CARD_END);
  if (end < 0) return undefined;
  return withoutStateMarkers(body.slice(CARD_START.length, end)).trim();
}

function writesOf(plan: Plan, repo: string): SimulatedWrite[] {
  const writes: SimulatedWrite[] = [];
  const issuePath = (n: number) => `/repos/${repo}/issues/${n}`;
  if (plan.postmortem) {
    const pm = plan.postmortem;
    writes.push({
      method: "POST",
      path: `/repos/${repo}/issues`,
      summary: `open the postmortem "${pm.title}" — labels ${pm.labels.join(", ")}${pm.assignees?.length ? `, assigned to ${pm.assignees.join(", ")}` : ""} (unless one with its marker exists)`,
      body: { title: pm.title, labels: pm.labels, ...(pm.assignees ? { assignees: pm.assignees } : {}), body: pm.body },
    });
  }
  if (plan.update) {
    const u = plan.update;
    const parts = [
      u.labels ? `labels → ${u.labels.join(", ")}` : undefined,
      u.assignees ? `assignees → ${u.assignees.length ? u.assignees.join(", ") : "(none)"}` : undefined,
      u.state ? `state → ${u.state}${u.state_reason ? ` (${u.state_reason})` : ""}` : undefined,
      u.body !== undefined ? `body → status card rewritten (${u.body.length.toLocaleString("en")} characters)` : undefined,
    ].filter((p): p is string => p !== undefined);
    writes.push({ method: "PATCH", path: issuePath(plan.issue), summary: parts.join("; "), body: { ...u } });
  }
  for (const reply of plan.replies) {
    writes.push({ method: "POST", path: `${issuePath(plan.issue)}/comments`, summary: `reply: ${reply.body.split("\n")[0]!.slice(0, 160)}`, body: { body: reply.body } });
  }
  for (const id of plan.reactions) {
    writes.push({ method: "POST", path: `/repos/${repo}/issues/comments/${id}/reactions`, summary: "+1 (command accepted)", body: { content: "+1" } });
  }
  for (const notice of plan.notices) {
    writes.push({ method: "POST", path: `${issuePath(notice.issue)}/comments`, summary: `notice on #${notice.issue}: ${notice.body.split("\n")[0]!.slice(0, 160)}`, body: { body: notice.body } });
  }
  return writes;
}

function loadConfig(options: SimulateOptions, io: Io): FirebreakConfig {
  if (!options.config) return DEFAULT_CONFIG;
  const local = readLocalConfig(options.config, io.cwd);
  for (const e of local.errors) io.err(`warning: ${options.config}: ${e.key}: ${e.reason} (the App would report this in a configuration-error issue)`);
  return local.config;
}

export function simulate(options: SimulateOptions, io: Io): Simulation {
  const payload = readJson(options.payload, io.cwd, "the payload");
  if (typeof payload !== "object" || payload === null) throw new CliError("the payload must be a JSON object (a webhook payload)");
  if (options.issueBody !== undefined) {
    const issue = (payload as { issue?: unknown }).issue;
    if (typeof issue !== "object" || issue === null) throw new CliError("--issue-body needs a payload with an issue");
    (issue as { body?: string }).body = readText(options.issueBody, io.cwd, "the issue body");
  }
  const config = loadConfig(options, io);
  const botLogin = options.botLogin ?? "firebreak[bot]";
  const trigger = triggerFrom(options.event, payload);
  const base = { event: options.event, reads: [] as string[], writes: [] as SimulatedWrite[] };
  if (trigger.kind === "ignored") return { ...base, trigger: "ignored", action: "ignored", notes: [trigger.reason] };
  if (trigger.kind === "release" || trigger.kind === "deployment") {
    return {
      ...base,
      trigger: trigger.kind,
      action: "tracking QA",
      notes: ["would run tracking QA on the pages under tracking_qa; run them with `firebreak qa --config FILE`", "a failure opens one measurement incident per release"],
    };
  }
  if (trigger.kind === "reconcile") {
    return { ...base, trigger: "reconcile", action: "reconcile", notes: [`would bring every open incident of ${trigger.ref.owner}/${trigger.ref.repo} in line with its log (\`firebreak reconcile\`)`] };
  }
  return simulateIssue(trigger, config, botLogin, options, io, base);
}

function simulateIssue(
  trigger: Extract<Trigger, { kind: "issue" }>,
  config: FirebreakConfig,
  botLogin: string,
  options: SimulateOptions,
  io: Io,
  base: { event: string; reads: string[]; writes: SimulatedWrite[] },
): Simulation {
  const repo = `${trigger.ref.owner}/${trigger.ref.repo}`;
  const { issue, event } = trigger;
  const head = { ...base, trigger: event.kind, incident: issue.number };
  const done = (action: string, notes: string[]): Simulation => ({ ...head, action, notes });
  if (trigger.sender.login.toLowerCase() === botLogin.toLowerCase()) return done("ignored", ["an event Firebreak caused itself"]);
  const senderIsBot = trigger.sender.type === "Bot" || trigger.sender.login.endsWith("[bot]");
  if (senderIsBot && !config.allow_bots.some((b) => b.toLowerCase() === trigger.sender.login.toLowerCase())) {
    return done("ignored", [`event from another bot (${trigger.sender.login})`]);
  }
  const reads = [`GET /repos/${repo}/contents/.github/firebreak.yml (conditional: free when unchanged)`];
  if (parsePostmortemMarker(issue.body) !== undefined) {
    if (event.kind !== "closed") return done("ignored", ["postmortem issue: only its closing is gated"]);
    const gaps = postmortemGaps(issue.body);
    if (gaps.length === 0) {
      const incident = parsePostmortemMarker(issue.body)!;
      return {
        ...head,
        reads: [...reads, `GET /repos/${repo}/issues/${incident}`],
        action: "reconciled",
        notes: [`postmortem #${issue.number} is complete`],
        writes: [{ method: "PATCH", path: `/repos/${repo}/issues/${incident}`, summary: `incident #${incident}'s card: postmortem complete` }],
      };
    }
    return {
      ...head,
      reads,
      action: "reopened",
      notes: [`postmortem #${issue.number} closed with ${gaps.length} gaps`],
      writes: [
        { method: "PATCH", path: `/repos/${repo}/issues/${issue.number}`, summary: "state → open (reopened)", body: { state: "open", state_reason: "reopened" } },
        { method: "POST", path: `/repos/${repo}/issues/${issue.number}/comments`, summary: `reply listing what is missing: ${gaps.join("; ")}` },
      ],
    };
  }
  const declaring = event.kind === "declare" || (event.kind === "label" && event.added && event.label.toLowerCase() === config.labels.incident.toLowerCase());
  if (declaring && !issue.labels.some((l) => l.toLowerCase() === config.labels.incident.toLowerCase())) return done("ignored", ["not labelled as an incident"]);
  if (!declaring && !isFirebreakIssue(issue, config)) return done("ignored", ["not an incident"]);

  const notes: string[] = [];
  const permitted = new Set((options.permitted ?? []).map((l) => l.replace(/^@/, "").toLowerCase()));
  const lookedUp = new Set<string>();
  const mayCommand = (login: string, association: string | undefined): boolean => {
    const lower = login.toLowerCase();
    if (lower === botLogin.toLowerCase()) return true;
    if ((association && TRUSTED.has(association)) || config.responders.some((r) => r.toLowerCase() === lower) || permitted.has(lower)) return true;
    if (!lookedUp.has(lower)) {
      lookedUp.add(lower);
      reads.push(`GET /repos/${repo}/collaborators/${login}/permission (simulated as not permitted; --permitted ${login} to change that)`);
    }
    return false;
  };
  const isBot = (login: string) => login.toLowerCase() === botLogin.toLowerCase() || (login.endsWith("[bot]") && !config.allow_bots.includes(login));
  const form = options.form ? readText(options.form, io.cwd, "the issue form") : shippedTemplates().form;
  const input: EngineInput = {
    event: declaring ? { kind: "declare", at: event.at, actor: "actor" in event ? event.actor : "" } : event,
    issue,
    config,
    formTemplate: form,
    shippedForm: shippedTemplates().form,
    mayCommand,
    isBot,
  };
  if (declaring) {
    reads.push(`GET /repos/${repo}/releases and GET /repos/${repo}/issues?state=closed (not read here: no releases or earlier incidents are simulated)`);
    input.releases = [];
    input.repeatCandidates = [];
  } else if (event.kind === "commands" || event.kind === "closed") {
    input.log = readLog(trigger.comment, options, io);
    reads.push(`GET /repos/${repo}/issues/${issue.number}/comments (here: ${options.comments ? `${options.comments}` : "only the triggering comment; --comments FILE supplies the log"})`);
    if (event.kind === "closed" || input.log.some((c) => /^\s*\/postmortem\b/m.test(c.body))) input.postmortemTemplate = shippedTemplates().postmortem;
  }
  const result: EngineResult = decide(input);
  notes.push(...result.notes);
  const writes = writesOf(result.plan, repo);
  const card = cardOf(result.plan.update?.body) ?? (result.plan.update ? undefined : cardOf(parseBody(issue.body).hasCard ? issue.body : undefined));
  return { ...head, reads, action: result.action, notes, writes, plan: result.plan, ...(card ? { card } : {}) };
}

function readLog(comment: CommentView | undefined, options: SimulateOptions, io: Io): CommentView[] {
  const log: CommentView[] = [];
  if (options.comments) {
    const parsed = z.array(commentViewSchema).safeParse(readJson(options.comments, io.cwd, "the comments file"));
    if (!parsed.success) throw new CliError(`--comments ${options.comments} must be a JSON array of comments as GitHub lists them (id, body, user, created_at)`);
    log.push(...parsed.data);
  }
  if (comment && !log.some((c) => c.id === comment.id)) log.push(comment);
  return log;
}

export function renderSimulation(sim: Simulation): string {
  const lines = [
    `Event:    ${sim.event} → ${sim.trigger}${sim.incident !== undefined ? ` on #${sim.incident}` : ""}`,
    `Decision: ${sim.action}`,
    ...sim.notes.map((n) => `          ${n}`),
  ];
  if (sim.reads.length > 0) lines.push("", "Reads the App or Action would make first:", ...sim.reads.map((r) => `  ${r}`));
  const count = sim.plan ? planWrites(sim.plan) : sim.writes.length;
  lines.push("", sim.writes.length === 0 ? "Plan: no writes." : `Plan: ${count} write${count === 1 ? "" : "s"} to GitHub:`);
  for (const w of sim.writes) lines.push(`  ${w.method.padEnd(5)} ${w.path}`, `        ${w.summary}`);
  if (sim.card) lines.push("", "The status card after this event:", "", sim.card);
  lines.push("", "Nothing was sent: a simulation makes no network calls.");
  return lines.join("\n");
}

export function runSimulate(options: SimulateOptions, io: Io): ExitCode {
  const sim = simulate(options, io);
  io.out(options.json ? JSON.stringify(sim, null, 2) : renderSimulation(sim));
  return EXIT.ok;
}
