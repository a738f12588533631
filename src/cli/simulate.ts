// `firebreak simulate`: what an event would make Firebreak write. It runs the same dispatcher
// as the App and the Action, against a read-only GitHub served from local files (the payload,
// --issue-body, --comments, --permitted, --form, the local config) that records every write
// instead of sending it. No network, no token, nothing touched.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { parseBody } from "../core/card.js";
import { CARD_END, CARD_START, withoutStateMarkers } from "../core/model/markers.js";
import type { CommentView, IssueView } from "../core/model/incident.js";
import { commentViewSchema } from "../core/model/incident.js";
import type { Plan } from "../core/model/plan.js";
import type { GitHubClient } from "../github/client.js";
import type { KnownEvent, Trigger } from "../github/events.js";
import { EVENT_PAYLOADS, triggerFrom } from "../github/events.js";
import { FileCache } from "../github/files.js";
import { LabelStyler } from "../github/labels.js";
import { PermissionCache } from "../github/permissions.js";
import { DEFAULT_FORM_PATH } from "../github/shell/deps.js";
import { handle } from "../github/shell/handle.js";
import { DEFAULT_CONFIG_PATH } from "../github/config.js";
import { shippedTemplates } from "../templates.js";
import type { ExitCode, Io } from "./common.js";
import { CliError, configFailure, EXIT } from "./common.js";
import { readLocalConfig } from "./labels.js";

export interface SimulateOptions {
  event?: string;
  payload?: string;
  /** A shipped sample payload (examples/payloads/NAME.json); the event is NAME's first part. */
  example?: string;
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
  method: "PATCH" | "POST" | "PUT" | "DELETE";
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
  /** Reads the App or Action would make (answered here from local files). */
  reads: string[];
  writes: SimulatedWrite[];
  card?: string;
  plan?: Plan;
}

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

class NotFound extends Error {
  readonly status = 404;
}

interface LocalRepository {
  issue: IssueView;
  comments: CommentView[];
  permitted: Set<string>;
  files: Map<string, string>;
  permissionNote: (login: string) => string;
}

function summaryOf(method: string, path: string, body: Record<string, unknown>): string {
  if (method === "POST" && path.endsWith("/reactions")) return `${String(body.content)} (command accepted)`;
  if (method === "POST" && path.endsWith("/comments")) return `comment: ${String(body.body).split("\n")[0]!.slice(0, 160)}`;
  if (method === "POST" && path.endsWith("/issues")) {
    const labels = Array.isArray(body.labels) ? body.labels.join(", ") : "";
    return `open "${String(body.title)}" — labels ${labels}${Array.isArray(body.assignees) && body.assignees.length ? `, assigned to ${body.assignees.join(", ")}` : ""}`;
  }
  if (method === "POST" && path.endsWith("/check-runs")) return `check run "${String(body.name)}": ${String(body.conclusion)}`;
  const parts = [
    Array.isArray(body.labels) ? `labels → ${body.labels.join(", ")}` : undefined,
    Array.isArray(body.assignees) ? `assignees → ${body.assignees.length ? body.assignees.join(", ") : "(none)"}` : undefined,
    typeof body.state === "string" ? `state → ${body.state}${body.state_reason ? ` (${String(body.state_reason)})` : ""}` : undefined,
    typeof body.body === "string" ? `body → ${body.body.startsWith(CARD_START) ? "status card rewritten" : "rewritten"} (${body.body.length.toLocaleString("en")} characters)` : undefined,
  ].filter((p): p is string => p !== undefined);
  return parts.join("; ") || `${method} ${path}`;
}

/**
 * A GitHub that answers reads from local files and records writes. Its answers have the
 * shape of GitHub's, so the shell cannot tell it from the real one.
 */
function localGitHub(local: LocalRepository, reads: string[], writes: SimulatedWrite[], botLogin: string): GitHubClient {
  let nextNumber = 1000;
  let nextComment = 900_000;
  const request = async (route: string, params: Record<string, unknown> = {}) => {
    const [method = "GET", template = ""] = route.split(" ");
    const path = template.replace(/\{(\w+)\}/g, (_, key: string) => String(params[key]));
    const { owner: _o, repo: _r, issue_number: _n, comment_id: _c, path: _p, headers: _h, username: _u, name: _l, ...body } = params;
    // The card given to simulate is taken as Firebreak's own: who last edited it is Firebreak.
    if (route === "POST /graphql") return { data: { data: { repository: { issue: { lastEditedAt: "1970-01-01T00:00:00Z", editor: { login: botLogin } } } } } };
    if (method !== "GET") {
      writes.push({ method: method as SimulatedWrite["method"], path, summary: summaryOf(method, path, body), body });
      if (route === "PATCH /repos/{owner}/{repo}/issues/{issue_number}" && local.issue.number === params.issue_number) {
        const labels = Array.isArray(body.labels) ? (body.labels as string[]) : local.issue.labels;
        const assignees = Array.isArray(body.assignees) ? (body.assignees as string[]) : local.issue.assignees;
        local.issue = { ...local.issue, ...(body as Partial<IssueView>), number: local.issue.number, labels, assignees };
        // Labels as GitHub answers them: existing ones carry a description (nothing to style).
        return { data: { ...local.issue, labels: labels.map((name) => ({ name, description: "—" })), assignees: assignees.map((login) => ({ login })) } };
      }
      if (route === "POST /repos/{owner}/{repo}/issues") {
        nextNumber += 1;
        return { data: { number: nextNumber, title: body.title, body: body.body, state: "open", html_url: `https://github.com/${path.split("/")[2]}/${path.split("/")[3]}/issues/${nextNumber}`, created_at: "1970-01-01T00:00:00Z", user: null, labels: [], assignees: [] } };
      }
      return { data: { id: (nextComment += 1), ...body } };
    }
    reads.push(`GET ${path}`);
    switch (route) {
      case "GET /repos/{owner}/{repo}/contents/{path}": {
        const text = local.files.get(String(params.path));
        if (text === undefined) throw new NotFound(`${String(params.path)} not found`);
        return { data: { type: "file", encoding: "base64", content: Buffer.from(text).toString("base64") }, headers: {} };
      }
      case "GET /repos/{owner}/{repo}/issues/{issue_number}":
        if (local.issue.number !== params.issue_number) throw new NotFound(`issue ${String(params.issue_number)} is not simulated`);
        return { data: { ...local.issue, labels: local.issue.labels.map((name) => ({ name })), assignees: local.issue.assignees.map((login) => ({ login })) } };
      case "GET /repos/{owner}/{repo}/issues/{issue_number}/comments":
        return { data: params.page === 1 || params.page === undefined ? local.comments : [] };
      case "GET /repos/{owner}/{repo}/collaborators/{username}/permission": {
        const login = String(params.username);
        reads.push(`  ${local.permissionNote(login)}`);
        const role = local.permitted.has(login.toLowerCase()) ? "write" : "read";
        return { data: { permission: role, role_name: role } };
      }
      case "GET /repos/{owner}/{repo}/releases":
      case "GET /repos/{owner}/{repo}/issues":
        return { data: [] };
      default:
        throw new NotFound(`${route} is not simulated`);
    }
  };
  return { request: request as unknown as GitHubClient["request"] };
}

function localConfigPath(options: SimulateOptions, io: Io): string | undefined {
  if (options.config) return options.config;
  // Like `firebreak qa`: the repository checkout's own config when run from one.
  return existsSync(resolve(io.cwd, DEFAULT_CONFIG_PATH)) ? DEFAULT_CONFIG_PATH : undefined;
}

function readComments(options: SimulateOptions, io: Io): CommentView[] {
  if (!options.comments) return [];
  const parsed = z.array(commentViewSchema).safeParse(readJson(options.comments, io.cwd, "the comments file"));
  if (!parsed.success) throw new CliError(`--comments ${options.comments} must be a JSON array of comments as GitHub lists them (id, body, user, created_at)`);
  return parsed.data;
}

/** The sample payloads `--example` offers, shipped under examples/payloads/. */
export const EXAMPLES_DIR = fileURLToPath(new URL("../../examples/payloads/", import.meta.url));

export function exampleNames(): string[] {
  try {
    return readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -".json".length)).sort();
  } catch {
    return [];
  }
}

const KNOWN_EVENTS = Object.keys(EVENT_PAYLOADS) as KnownEvent[];

function isKnownEvent(name: string): name is KnownEvent {
  return (KNOWN_EVENTS as string[]).includes(name);
}

/** `--event issue` → a usage error naming the events Firebreak acts on (and the likely one). */
export function checkEventName(name: string): KnownEvent {
  if (isKnownEvent(name)) return name;
  const close = KNOWN_EVENTS.find((known) => known.startsWith(name.toLowerCase()) || name.toLowerCase().startsWith(known) || `${name.toLowerCase()}s` === known);
  throw new CliError(
    `unknown event ${JSON.stringify(name)}${close ? ` (did you mean ${close}?)` : ""}: --event takes a webhook event name Firebreak acts on: ${KNOWN_EVENTS.join(", ")}`,
  );
}

/** Each field of a thin payload that Firebreak reads and the payload lacks (or has of the wrong type). */
export function payloadProblems(event: KnownEvent, payload: unknown): string[] {
  const parsed = EVENT_PAYLOADS[event].safeParse(payload);
  if (parsed.success) return [];
  const at = (path: readonly PropertyKey[]): unknown =>
    path.reduce<unknown>((value, key) => (typeof value === "object" && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined), payload);
  return parsed.error.issues.map((issue) => {
    const field = issue.path.map(String).join(".") || "(the payload)";
    if (at(issue.path) === undefined) return `${field}: missing${issue.code === "invalid_type" ? ` (expected ${issue.expected})` : ""}`;
    return `${field}: ${issue.message}`;
  });
}

function resolvePayload(options: SimulateOptions, io: Io): { event: KnownEvent; payload: unknown } {
  if (options.example !== undefined) {
    if (options.payload !== undefined) throw new CliError("pass --example NAME or --payload FILE, not both");
    const names = exampleNames();
    if (!names.includes(options.example)) {
      throw new CliError(`no example ${JSON.stringify(options.example)}: --example takes one of ${names.join(", ")}`);
    }
    const event = checkEventName(options.event ?? options.example.split(".")[0]!);
    return { event, payload: readJson(resolve(EXAMPLES_DIR, `${options.example}.json`), io.cwd, "the example") };
  }
  if (options.event === undefined || options.payload === undefined) {
    throw new CliError(`pass --event NAME --payload FILE, or --example NAME (${exampleNames().join(", ")})`);
  }
  return { event: checkEventName(options.event), payload: readJson(options.payload, io.cwd, "the payload") };
}

export async function simulate(options: SimulateOptions, io: Io): Promise<Simulation> {
  const { event, payload } = resolvePayload(options, io);
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) throw new CliError("the payload must be a JSON object (a webhook payload)");
  if (options.issueBody !== undefined) {
    const issue = (payload as { issue?: unknown }).issue;
    if (typeof issue !== "object" || issue === null) throw new CliError("--issue-body needs a payload with an issue");
    (issue as { body?: string }).body = readText(options.issueBody, io.cwd, "the issue body");
  }
  const problems = payloadProblems(event, payload);
  if (problems.length > 0) {
    throw new CliError(`the ${event} payload lacks fields Firebreak reads:\n${problems.map((p) => `  ${p}`).join("\n")}`);
  }
  // A configuration error is exit 2 here as everywhere: the plan of a half-valid file would mislead.
  const configPath = localConfigPath(options, io);
  if (configPath) {
    const { errors } = readLocalConfig(configPath, io.cwd);
    if (errors.length > 0) throw configFailure(configPath, errors);
  }
  const trigger = triggerFrom(event, payload, { at: new Date().toISOString() });
  const base = { event, reads: [] as string[], writes: [] as SimulatedWrite[] };
  if (trigger.kind === "ignored") return { ...base, trigger: "ignored", action: "ignored", notes: [trigger.reason] };
  if (trigger.kind === "release" || trigger.kind === "deployment") {
    // Tracking QA fetches real pages: a simulation stays offline and says what would run.
    return {
      ...base,
      trigger: trigger.kind,
      action: "tracking QA",
      notes: ["would run tracking QA on the pages under tracking_qa; run them with `firebreak qa --config FILE`", "a failure opens one measurement incident per release"],
    };
  }
  if (trigger.kind === "config-check") {
    return { ...base, trigger: "config-check", action: "reconciled", notes: ["would validate .github/firebreak.yml and close (or update) the configuration-error issue; check a file with `firebreak simulate --config FILE`"] };
  }
  if (trigger.kind === "scheduled") {
    return { ...base, trigger: "scheduled", action: "reconciled", notes: [`would run the scheduled pass over ${trigger.ref.owner}/${trigger.ref.repo} (\`firebreak reconcile\`)`] };
  }
  const files = new Map<string, string>();
  if (configPath) files.set(DEFAULT_CONFIG_PATH, readText(configPath, io.cwd, "the config"));
  if (options.form) files.set(DEFAULT_FORM_PATH, readText(options.form, io.cwd, "the issue form"));
  const permitted = new Set((options.permitted ?? []).map((l) => l.replace(/^@/, "").toLowerCase()));
  const local: LocalRepository = {
    issue: trigger.issue,
    comments: readComments(options, io),
    permitted,
    files,
    permissionNote: (login) => (permitted.has(login.toLowerCase()) ? `${login}: permitted (--permitted)` : `${login}: simulated as not permitted; --permitted ${login} to change that`),
  };
  const notes: string[] = [];
  const gh = localGitHub(local, base.reads, base.writes, options.botLogin ?? "firebreak[bot]");
  const handled = await handle(gh, trigger, {
    files: new FileCache(),
    labels: new LabelStyler(),
    permissions: new PermissionCache(),
    botLogin: options.botLogin ?? "firebreak[bot]",
    templates: shippedTemplates(),
    issueFromPayload: true,
    log: () => undefined,
  });
  const result = handled.results[0]!;
  for (const e of result.configErrors) io.err(`warning: ${configPath ?? DEFAULT_CONFIG_PATH}: ${e.key}: ${e.reason}`);
  notes.push(...result.notes);
  const cardWrite = [...base.writes].reverse().find((w) => w.method === "PATCH" && typeof w.body?.body === "string" && w.body.body.startsWith(CARD_START));
  const card = cardOf(cardWrite?.body?.body as string | undefined) ?? cardOf(parseBody(trigger.issue.body).hasCard ? trigger.issue.body : undefined);
  return { ...base, trigger: triggerName(trigger), incident: result.incident ?? trigger.issue.number, action: result.action, notes, ...(result.plan ? { plan: result.plan } : {}), ...(card ? { card } : {}) };
}

function triggerName(trigger: Extract<Trigger, { kind: "issue" }>): string {
  return trigger.event.kind;
}

export function renderSimulation(sim: Simulation): string {
  const lines = [
    `Event:    ${sim.event} → ${sim.trigger}${sim.incident !== undefined ? ` on #${sim.incident}` : ""}`,
    `Decision: ${sim.action}`,
    ...sim.notes.map((n) => `          ${n}`),
  ];
  if (sim.reads.length > 0) lines.push("", "Reads the App or Action would make (answered here from local files):", ...sim.reads.map((r) => `  ${r}`));
  const count = sim.writes.length;
  lines.push("", count === 0 ? "Plan: no writes." : `Plan: ${count} write${count === 1 ? "" : "s"} to GitHub:`);
  for (const w of sim.writes) lines.push(`  ${w.method.padEnd(5)} ${w.path}`, `        ${w.summary}`);
  if (sim.card) lines.push("", "The status card after this event:", "", sim.card);
  lines.push("", "Nothing was sent: a simulation makes no network calls.");
  return lines.join("\n");
}

export async function runSimulate(options: SimulateOptions, io: Io): Promise<ExitCode> {
  const sim = await simulate(options, io);
  io.out(options.json ? JSON.stringify(sim, null, 2) : renderSimulation(sim));
  return EXIT.ok;
}
