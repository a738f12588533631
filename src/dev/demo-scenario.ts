// The demo scenario behind `firebreak demo`: the real App (a Probot GitHub App) against the
// built-in local GitHub, playing one incident from form to postmortem and a repeat, as people
// would. Each step is checked for the effect it must have; the issues are printed as Markdown.
// No network. A developer tool: the CLI runs it, the App and the Action never import it.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { firebreakApp } from "../app/index.js";
import { memoryIo } from "../cli/common.js";
import { readInitTemplates } from "../cli/init.js";
import { runLabels } from "../cli/labels.js";
import { parseBody } from "../core/card.js";
import type { FormAnswers } from "../core/declaration/template.js";
import { renderFormBody } from "../core/declaration/template.js";
import type { IncidentState } from "../core/model/incident.js";
import { ANSWER_PLACEHOLDER } from "../core/postmortem/gate.js";
import { formatUtc } from "../core/time.js";
import type { RunResult } from "../github/shell/deps.js";
import { runReport } from "../cli/report.js";
import { startSink } from "./relay-sink.js";
import type { AppWorld } from "./harness.js";
import { startAppWorld } from "./harness.js";
import type { CommentRecord, IssueRecord, LocalGitHub, RequestLogEntry } from "./local-github/index.js";

const REPO = "acme/shop";
const BOT = "firebreak[bot]";
const START = "2026-11-24T09:00:00Z";

/** The cast: who does what, with the access they would have on a real repository. */
const PEOPLE = {
  maya: "maya-ops", // marketing ops lead (triage)
  devon: "devon-web", // web lead, owns the site (write)
  priya: "priya-data", // analytics (triage)
  sam: "sam-social", // paid social manager (triage)
  outsider: "growth-guru-42", // a stranger on a public repository
} as const;

export interface DemoStep {
  at: string;
  title: string;
  ok: boolean;
  problems: string[];
  /** What Firebreak did, from the App's own results. */
  effects: string[];
  apiCalls: number;
}

export interface DemoResult {
  ok: boolean;
  steps: DemoStep[];
  /** Every issue as Markdown, in number order. */
  issues: { number: number; title: string; markdown: string }[];
  summary: string;
  markdown: string;
  files: string[];
  elapsedMs: number;
}

export interface DemoOptions {
  out?: string;
  cwd?: string;
  logLevel?: "trace" | "debug" | "info" | "warn" | "error" | "fatal";
}

// ---------------------------------------------------------------------------------------
// The playback.

interface Ctx {
  gh: LocalGitHub;
  form: string;
  /** Issue numbers by role in the story, filled in as issues appear. */
  n: { incident: number; variance: number; postmortem: number; repeat: number };
}

interface Step {
  at: string;
  title: string;
  act(ctx: Ctx): void;
  /** Problems with the effect; empty when the step did what it must. */
  expect(ctx: Ctx, window: StepWindow): string[];
}

interface StepWindow {
  requests: RequestLogEntry[];
  results: RunResult[];
  /** Messages the relay sent to the Slack stand-in during the step. */
  relayed: number;
}

function issueOf(gh: LocalGitHub, n: number): IssueRecord {
  const issue = gh.issue(REPO, n);
  if (!issue) throw new Error(`issue #${n} does not exist`);
  return issue;
}

function stateOf(gh: LocalGitHub, n: number): IncidentState | undefined {
  return parseBody(gh.issue(REPO, n)?.body).state;
}

function botComments(gh: LocalGitHub, n: number): CommentRecord[] {
  return gh.comments(REPO, n).filter((c) => c.author === BOT);
}

function lastComment(gh: LocalGitHub, n: number): CommentRecord | undefined {
  return gh.comments(REPO, n).filter((c) => c.author !== BOT).at(-1);
}

/** Collects problems: `want(condition, "what should have happened")`. */
function checker(): { want(ok: boolean, problem: string): void; problems: string[] } {
  const problems: string[] = [];
  return { problems, want: (ok, problem) => void (ok || problems.push(problem)) };
}

const hasLabels = (issue: IssueRecord | undefined, ...labels: string[]) => labels.every((l) => issue?.labels.includes(l));
const reactedByBot = (c: CommentRecord | undefined) => c?.reactions.some((r) => r.user === BOT && r.content === "+1") ?? false;
/** Writes the App made in a step (the installation-token request is authentication, not a write). */
const writes = (w: StepWindow) => w.requests.filter((r) => r.token.kind === "installation" && r.method !== "GET").length;

function command(who: string, body: string, on: (ctx: Ctx) => number = (ctx) => ctx.n.incident) {
  return (ctx: Ctx) => void ctx.gh.comment(REPO, on(ctx), who, body);
}

function acceptedCommand(extra?: (ctx: Ctx, want: (ok: boolean, p: string) => void, w: StepWindow) => void) {
  return (ctx: Ctx, w: StepWindow) => {
    const { want, problems } = checker();
    want(reactedByBot(lastComment(ctx.gh, ctx.n.incident)), "the command was not acknowledged with a +1 reaction");
    extra?.(ctx, want, w);
    return problems;
  };
}

const INCIDENT_FORM: FormAnswers = {
  symptom:
    "Meta-reported purchases down ~70% vs. the same hours last Tuesday, since about 08:45 UTC.\nMobile checkout conversion rate fell from 3.1% to 1.2%; Shopify orders are down ~45%, so it is not only reporting.",
  started: "2026-11-24 08:45 UTC",
  detected: "2026-11-24 09:10 UTC",
  scope: ["Meta", "Google"],
  "scope-detail": "Mobile web, all markets; Advantage+ shopping and Performance Max both affected.",
  outcomes: "Yes",
  "what-changed": "Theme v4.2.0 went live at 08:30 UTC (new product page and checkout button).",
  layer: "Not sure",
  severity: "SEV2",
  threshold: ["Waiting costs materially more", "It changes near-term decisions"],
  containment: "Nothing yet.",
  cost: "$2,000/hour",
};

const VARIANCE_FORM: FormAnswers = {
  symptom: "TikTok CPM up ~15% since this morning on the prospecting campaigns.",
  started: "today 07:00 UTC",
  scope: ["TikTok"],
  outcomes: "Not sure",
  layer: "Economics",
  severity: "SEV3",
  threshold: [],
};

const REPEAT_FORM: FormAnswers = {
  symptom: "Meta purchases down ~40% since 09:00 UTC; mobile checkout conversion rate halved again. Orders are down too.",
  started: "2026-12-08 09:00 UTC",
  scope: ["Meta"],
  outcomes: "Yes",
  "what-changed": "Checkout app v2.8 update installed at 08:40 UTC.",
  layer: "Conversion",
  severity: "SEV2",
  threshold: ["Waiting costs materially more", "It needs a coordinated response"],
  cost: "$1,500/hour",
};

/** The postmortem as its owner fills it in: each question answered, each box ticked, the fix linked. */
function filledPostmortem(body: string): string {
  const answers = [
    "Theme v4.2.0 replaced the checkout button's markup. On iOS Safari the new button's click handler never fired, so mobile visitors could not pay; the Meta Purchase event is bound to the same button, so platform purchases fell harder than orders.",
    "About 2h 15m at the form's $2,000/hour: roughly $4,500 of wasted paid traffic plus ~140 lost mobile orders (~$9,800 revenue). Two budget decisions were made on the distorted numbers before containment.",
    "Nothing watched checkout conversion by device after a release: the drop was visible in Shopify within 15 minutes but only noticed in the Meta dashboard 25 minutes after the start.",
    "Release guardrail: every theme release now runs Firebreak tracking QA on /checkout and a scripted iOS test order before it is published, and a device-level checkout-rate monitor pages the web lead.",
  ];
  let i = 0;
  const answered = body.replace(new RegExp(ANSWER_PLACEHOLDER.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "g"), (m) => answers[i++] ?? m);
  return answered
    .replace(/- \[ \] (Cause confirmed[^\n]*)/, "- [x] $1")
    .replace(/- \[ \] (Operational confidence[^\n]*)/, "- [x] $1")
    .replace(/- \[ \] (Process fix installed[^\n]*link:)[^\n]*/, "- [x] $1 https://github.com/acme/shop/pull/212")
    .replace(/- \[ \] (Response reviewed[^\n]*)/, "- [x] $1");
}

function steps(): Step[] {
  const { maya, devon, priya, sam, outsider } = PEOPLE;
  return [
    {
      at: "2026-11-24T09:20:00Z",
      title: `${maya} (marketing ops lead) opens the incident form: Meta purchases down 70% after a theme release, SEV2, layer "not sure", $2,000/hour`,
      act: (ctx) => {
        ctx.n.incident = ctx.gh.openIssue(REPO, maya, { title: "[Incident] Meta purchases down 70% after theme release", body: renderFormBody(INCIDENT_FORM, ctx.form), labels: ["incident"] }).number;
      },
      expect: (ctx, w) => {
        const { want, problems } = checker();
        const issue = issueOf(ctx.gh, ctx.n.incident);
        const state = stateOf(ctx.gh, ctx.n.incident);
        want(state !== undefined, "no status card was written");
        want(hasLabels(issue, "incident", "sev:2", "status:triage"), `labels should include incident, sev:2, status:triage (got ${issue.labels.join(", ")})`);
        want(state?.layer.source === "suggested" && state.layer.likely === "conversion", `the layer should be suggested as conversion (got ${state?.layer.likely ?? "none"}, ${state?.layer.source ?? "no source"})`);
        want(hasLabels(issue, "layer:conversion"), "the suggested layer's label is missing");
        want(state?.roles.detector === maya, "the author should be the detector");
        want((state?.releases.length ?? 0) > 0, "the release published just before the start is not listed");
        want(state?.declaration.cost?.amount === 2000, "the cost rate was not read from the form");
        // SPEC §10's one write, plus the record of what was relayed once the message went out (SPEC §16).
        want(writes(w) <= 1 + (w.relayed > 0 ? 1 : 0), `a declaration writes at most once, plus the record of a relay (wrote ${writes(w)})`);
        want(w.relayed === 1, `the declaration should be relayed once (relayed ${w.relayed})`);
        return problems;
      },
    },
    {
      at: "2026-11-24T09:26:00Z",
      title: `${sam} reports a routine swing (TikTok CPM +15%) without ticking any threshold box`,
      act: (ctx) => {
        ctx.n.variance = ctx.gh.openIssue(REPO, sam, { title: "[Incident] TikTok CPM up 15% this morning", body: renderFormBody(VARIANCE_FORM, ctx.form), labels: ["incident"] }).number;
      },
      expect: (ctx) => {
        const { want, problems } = checker();
        const issue = issueOf(ctx.gh, ctx.n.variance);
        want(hasLabels(issue, "routine-variance") && !issue.labels.includes("incident"), `it should be routine variance, not an incident (labels: ${issue.labels.join(", ")})`);
        const replies = botComments(ctx.gh, ctx.n.variance);
        want(replies.length === 1 && /Not declared as an incident/.test(replies[0]?.body ?? "") && /\/escalate/.test(replies[0]?.body ?? ""), "one comment should say why it is not an incident and how to escalate");
        return problems;
      },
    },
    {
      at: "2026-11-24T09:27:00Z",
      title: `${maya} answers ${sam} in plain words — a discussion comment, no command`,
      act: command(maya, "Thanks Sam — CPMs swing like this every Black Friday week. Let's watch it in Thursday's review.", (ctx) => ctx.n.variance),
      expect: (_ctx, w) => (w.requests.length === 0 ? [] : [`a comment without a command should cost no API call (made ${w.requests.length})`]),
    },
    {
      at: "2026-11-24T09:31:00Z",
      title: `${maya}: /owner @${devon}`,
      act: command(maya, `Devon's team shipped the theme — handing over.\n\n/owner @${devon}`),
      expect: acceptedCommand((ctx, want) => {
        const issue = issueOf(ctx.gh, ctx.n.incident);
        want(issue.assignees.includes(devon), `${devon} should be assigned`);
        want(hasLabels(issue, "status:investigating"), "status should be investigating");
      }),
    },
    {
      at: "2026-11-24T09:40:00Z",
      title: `${devon}: /update with symptom and scope, but no next check yet`,
      act: command(devon, "/update\nsymptom: Meta purchases -70%, Shopify orders -45% on mobile since 08:45\nscope: Meta, Google; mobile web only"),
      expect: acceptedCommand((ctx, want) => {
        const reply = botComments(ctx.gh, ctx.n.incident).at(-1)?.body ?? "";
        want(/Still unknown/.test(reply) && /next/.test(reply), "the reply should name the missing field (next)");
      }),
    },
    {
      at: "2026-11-24T09:44:00Z",
      title: `${devon}: /check … @${priya} in 30m`,
      act: command(devon, `/check compare Shopify orders with Meta purchases by device for 08:00–09:45 @${priya} in 30m`),
      expect: acceptedCommand((ctx, want) => {
        const check = stateOf(ctx.gh, ctx.n.incident)?.check;
        want(check?.assignee === priya, `the check should be ${priya}'s`);
        want(check?.due === "2026-11-24T10:14:00.000Z", `the check should be due at 10:14 UTC (got ${check?.due ?? "none"})`);
      }),
    },
    {
      at: "2026-11-24T09:48:00Z",
      title: `${devon}: /change pause Advantage+ budget increases`,
      act: command(devon, "/change paused Advantage+ prospecting budget increases"),
      expect: acceptedCommand(),
    },
    {
      at: "2026-11-24T09:52:00Z",
      title: `${devon}: /change roll the theme back on mobile`,
      act: command(devon, "/change rolled theme back to v4.1.3 for mobile visitors"),
      expect: acceptedCommand(),
    },
    {
      at: "2026-11-24T09:55:00Z",
      title: `${priya}: a third /change while two are active — the parallel-intervention warning`,
      act: command(priya, "/change switched the Meta Purchase event to server-side (CAPI) only"),
      expect: acceptedCommand((ctx, want) => {
        const reply = botComments(ctx.gh, ctx.n.incident).at(-1)?.body ?? "";
        want(/3 interventions are active at once/.test(reply) && /blur which one worked/.test(reply), "the reply should warn that stacked changes blur which one worked");
        want(stateOf(ctx.gh, ctx.n.incident)?.maxParallel === 3, "the card should record 3 interventions in parallel");
      }),
    },
    {
      at: "2026-11-24T10:05:00Z",
      title: `${devon}: /contain`,
      act: command(devon, "Orders are recovering on mobile after the rollback.\n\n/contain paused Advantage+ prospecting; retargeting capped at $200/day until checkout is fixed\n/change done 1"),
      expect: acceptedCommand((ctx, want) => {
        const issue = issueOf(ctx.gh, ctx.n.incident);
        want(hasLabels(issue, "status:contained"), "status should be contained");
        want(stateOf(ctx.gh, ctx.n.incident)?.interventions.find((i) => i.n === 1)?.doneAt !== undefined, "intervention #1 should be finished");
      }),
    },
    {
      at: "2026-11-24T10:08:00Z",
      title: `${outsider} (no access) tries /severity 1 — refused, nothing changes`,
      act: command(outsider, "This is obviously a SEV1, escalate it!!\n/severity 1"),
      expect: (ctx, w) => {
        const { want, problems } = checker();
        const issue = issueOf(ctx.gh, ctx.n.incident);
        want(hasLabels(issue, "sev:2") && !issue.labels.includes("sev:1"), "the severity must not change");
        want(!reactedByBot(lastComment(ctx.gh, ctx.n.incident)), "a refused command must not be acknowledged");
        want(/only people with triage permission/.test(botComments(ctx.gh, ctx.n.incident).at(-1)?.body ?? ""), "one polite refusal should be posted");
        want(w.requests.some((r) => r.path.endsWith(`/collaborators/${outsider}/permission`)), "the outsider's permission should have been looked up");
        return problems;
      },
    },
    {
      at: "2026-11-24T10:40:00Z",
      title: `${devon} closes the incident without /resolve — the gate reopens it`,
      act: (ctx) => void ctx.gh.closeIssue(REPO, ctx.n.incident, devon),
      expect: (ctx) => {
        const { want, problems } = checker();
        want(issueOf(ctx.gh, ctx.n.incident).state === "open", "the incident should be reopened");
        want(/no recorded resolution/.test(botComments(ctx.gh, ctx.n.incident).at(-1)?.body ?? ""), "the reply should say what to record");
        return problems;
      },
    },
    {
      at: "2026-11-24T10:52:00Z",
      title: `${devon}: /resolve with cause, layer, evidence and fix`,
      act: command(
        devon,
        [
          "/resolve",
          "cause: Theme v4.2.0 replaced the checkout button; its click handler never fired on iOS Safari, and the Meta Purchase event hangs off the same button",
          "layer: conversion",
          "evidence: test orders on iOS 17/18 failed before the rollback and succeeded after; mobile checkout rate back to 3.0% within 20 minutes",
          "fix: rolled back to v4.1.3; v4.2.1 restores the old button markup",
        ].join("\n"),
      ),
      expect: acceptedCommand((ctx, want) => {
        const state = stateOf(ctx.gh, ctx.n.incident);
        want(hasLabels(issueOf(ctx.gh, ctx.n.incident), "status:resolved"), "status should be resolved");
        want(state?.resolution?.layer === "conversion" && state.layer.confirmed === "conversion", "the confirmed layer should be conversion");
      }),
    },
    {
      at: "2026-11-24T11:05:00Z",
      title: `${devon} closes the resolved incident — the postmortem opens`,
      act: (ctx) => void ctx.gh.closeIssue(REPO, ctx.n.incident, devon),
      expect: (ctx) => {
        const { want, problems } = checker();
        const incident = issueOf(ctx.gh, ctx.n.incident);
        want(incident.state === "closed" && hasLabels(incident, "status:closed"), "the incident should stay closed with status:closed");
        const pm = ctx.gh.issues(REPO).find((i) => i.labels.includes("postmortem"));
        if (!pm) return [...problems, "no postmortem issue was opened"];
        ctx.n.postmortem = pm.number;
        want(hasLabels(pm, "postmortem", "layer:conversion", "sev:2"), `the postmortem should carry postmortem, layer:conversion, sev:2 (got ${pm.labels.join(", ")})`);
        want(pm.assignees.includes(devon), "the postmortem should be assigned to the owner");
        want(/^Due: 2026-11-29$/m.test(pm.body ?? ""), "the postmortem should be due in 5 days (2026-11-29)");
        want((pm.body ?? "").includes(`#${ctx.n.incident}`) && stateOf(ctx.gh, ctx.n.incident)?.postmortem?.issue === pm.number, "incident and postmortem should link both ways");
        return problems;
      },
    },
    {
      at: "2026-11-26T16:00:00Z",
      title: `${devon} closes the postmortem before filling it in — reopened with the gaps listed`,
      act: (ctx) => void ctx.gh.closeIssue(REPO, ctx.n.postmortem, devon),
      expect: (ctx) => {
        const { want, problems } = checker();
        want(issueOf(ctx.gh, ctx.n.postmortem).state === "open", "the postmortem should be reopened");
        const reply = botComments(ctx.gh, ctx.n.postmortem).at(-1)?.body ?? "";
        want(/not complete yet/.test(reply) && /What happened\?/.test(reply) && /Process fix installed/.test(reply), "the reply should list exactly what is missing");
        return problems;
      },
    },
    {
      at: "2026-11-27T11:00:00Z",
      title: `${devon} answers the four questions, ticks the checklist with the fix's link, and closes it`,
      act: (ctx) => {
        const pm = issueOf(ctx.gh, ctx.n.postmortem);
        ctx.gh.editIssue(REPO, pm.number, devon, { body: filledPostmortem(pm.body ?? "") });
        ctx.gh.closeIssue(REPO, pm.number, devon);
      },
      expect: (ctx) => {
        const { want, problems } = checker();
        want(issueOf(ctx.gh, ctx.n.postmortem).state === "closed", "the complete postmortem should stay closed");
        const state = stateOf(ctx.gh, ctx.n.incident);
        want(state?.postmortem?.complete === true && state.status === "postmortem-complete", "the incident's card should say the postmortem is complete");
        return problems;
      },
    },
    {
      at: "2026-12-08T09:30:00Z",
      title: `Two weeks later ${maya} declares a new checkout drop on Meta — a repeat of #1`,
      act: (ctx) => {
        ctx.n.repeat = ctx.gh.openIssue(REPO, maya, { title: "[Incident] Meta purchases down 40% after checkout app update", body: renderFormBody(REPEAT_FORM, ctx.form), labels: ["incident"] }).number;
      },
      expect: (ctx) => {
        const { want, problems } = checker();
        const issue = issueOf(ctx.gh, ctx.n.repeat);
        want(hasLabels(issue, "incident", "repeat", "layer:conversion"), `the new incident should be labelled repeat (labels: ${issue.labels.join(", ")})`);
        want(stateOf(ctx.gh, ctx.n.repeat)?.repeatOf?.issue === ctx.n.incident, `the card should link the earlier incident #${ctx.n.incident}`);
        want(botComments(ctx.gh, ctx.n.postmortem).some((c) => c.body.includes(`#${ctx.n.repeat}`)), "the earlier postmortem should be told its fix did not hold");
        return problems;
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------
// Printing.

function when(iso: string | null | undefined): string {
  return iso ? formatUtc(new Date(iso)) : "—";
}

export function issueMarkdown(gh: LocalGitHub, issue: IssueRecord): string {
  const state = issue.state === "open" ? "open" : `closed (${(issue.stateReason ?? "completed").replace("_", " ")}) ${when(issue.closedAt)}`;
  const lines = [
    `## #${issue.number} · ${issue.title}`,
    "",
    `**${state}** · opened by ${issue.author} ${when(issue.createdAt)}  `,
    `labels: ${issue.labels.length > 0 ? issue.labels.map((l) => `\`${l}\``).join(" ") : "—"} · assignees: ${issue.assignees.length > 0 ? issue.assignees.join(", ") : "—"}`,
    "",
    issue.body ?? "",
    "",
  ];
  const comments = gh.comments(REPO, issue.number);
  lines.push(`### Comments on #${issue.number} (${comments.length})`, "");
  for (const c of comments) {
    const reactions = c.reactions.map((r) => (r.content === "+1" ? `👍 ${r.user}` : `${r.content} ${r.user}`));
    lines.push(`#### ${c.author} · ${when(c.createdAt)}${reactions.length > 0 ? ` · ${reactions.join(", ")}` : ""}`, "", c.body, "");
  }
  return lines.join("\n");
}

function routeOf(r: RequestLogEntry): string {
  const path = r.path
    .replace(/^\/repos\/[^/]+\/[^/]+/, "/repos/{owner}/{repo}")
    .replace(/\/contents\/.+$/, "/contents/{path}")
    .replace(/\/collaborators\/[^/]+\/permission$/, "/collaborators/{user}/permission")
    .replace(/\/labels\/[^/]+$/, "/labels/{name}")
    .replace(/\/\d+(?=\/|$)/g, "/{n}");
  return `${r.method} ${path}${r.status === 304 ? "  (304, free)" : ""}`;
}

export function apiCallTable(requests: readonly RequestLogEntry[]): string[] {
  const counts = new Map<string, number>();
  for (const r of requests) counts.set(routeOf(r), (counts.get(routeOf(r)) ?? 0) + 1);
  const width = Math.max(...[...counts.keys()].map((k) => k.length), 10);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k, v]) => `    ${k.padEnd(width)}  ${String(v).padStart(3)}`);
}

// ---------------------------------------------------------------------------------------

/** The demo's relay destination, added to the shipped example config. */
const DEMO_RELAY = ["relay:", "  - kind: slack", "    url_env: FIREBREAK_RELAY_SLACK", ""].join("\n");

/** What the Slack stand-in received: each message's fallback text, and the first message in full. */
function relayedMarkdown(bodies: readonly unknown[]): string {
  const texts = bodies.map((b) => (typeof b === "object" && b !== null && "text" in b ? String(b.text) : JSON.stringify(b)));
  return [
    `## Relayed to Slack (a local stand-in for the incoming webhook): ${bodies.length} message(s)`,
    "",
    ...texts.map((t) => `- ${t}`),
    ...(bodies[0] === undefined ? [] : ["", "<details><summary>The first message's Block Kit payload</summary>", "", "```json", JSON.stringify(bodies[0], null, 2), "```", "", "</details>"]),
  ].join("\n");
}

export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const started = performance.now();
  let now = Date.parse(START);
  // The relay's destination: a local stand-in for a Slack incoming webhook (SPEC §16).
  const slack = await startSink("/services/T000/B000/demo");
  const app = firebreakApp({ appSlug: "firebreak", env: { FIREBREAK_RELAY_SLACK: slack.url }, allowPrivateQaHosts: true });
  const world: AppWorld = await startAppWorld({
    appFn: app,
    idle: () => app.idle(),
    // Links in the issues point at github.com, not at the emulator's random port: the output is the same on every run.
    emulator: { clock: () => new Date(now), appSlug: "firebreak", webUrl: "https://github.com" },
    // The emulator has no pacing to respect; GitHub's would add ~1–3 s per write.
    throttle: false,
    ...(options.logLevel ? { logLevel: options.logLevel } : {}),
  });
  const { gh } = world;
  const played: DemoStep[] = [];
  let report = "";
  try {
    // The repository as `firebreak init` and `firebreak labels` leave it, before the App is wired in.
    world.gh.setWebhook(undefined);
    gh.addRepo(REPO);
    gh.addCollaborator(REPO, PEOPLE.maya, "triage");
    gh.addCollaborator(REPO, PEOPLE.devon, "write");
    gh.addCollaborator(REPO, PEOPLE.priya, "triage");
    gh.addCollaborator(REPO, PEOPLE.sam, "triage");
    for (const file of readInitTemplates()) gh.putFile(REPO, file.target, file.target === ".github/firebreak.yml" ? `${file.content}\n${DEMO_RELAY}` : file.content);
    gh.publishRelease(REPO, { tag: "v4.2.0", name: "Theme v4.2.0 — new product page and checkout button", at: new Date("2026-11-24T08:30:00Z") });
    const labelsIo = memoryIo({ GITHUB_TOKEN: gh.tokenFor("acme"), GITHUB_API_URL: gh.url });
    await runLabels({ repo: REPO }, labelsIo, { throttle: false });
    gh.setWebhook({ url: world.webhookUrl, secret: world.secret });
    gh.resetRequests();

    const ctx: Ctx = { gh, form: readInitTemplates()[0]!.content, n: { incident: 0, variance: 0, postmortem: 0, repeat: 0 } };
    for (const step of steps()) {
      now = Date.parse(step.at);
      const fromRequest = gh.requests.length;
      const fromResult = app.results.length;
      const fromDelivery = gh.deliveries.length;
      const fromRelayed = slack.bodies.length;
      let problems: string[];
      try {
        step.act(ctx);
        await world.settle();
        const window: StepWindow = { requests: gh.requests.slice(fromRequest), results: app.results.slice(fromResult), relayed: slack.bodies.length - fromRelayed };
        problems = step.expect(ctx, window);
        for (const r of window.results) for (const note of r.notes) if (note.startsWith("failed:")) problems.push(`the App failed: ${note}`);
        for (const d of gh.deliveries.slice(fromDelivery)) if (d.status !== 200) problems.push(`webhook ${d.event}.${d.action ?? ""} was answered ${d.status || d.error || "not at all"}`);
      } catch (error) {
        problems = [`the step threw: ${error instanceof Error ? error.message : String(error)}`];
      }
      const results = app.results.slice(fromResult).filter((r) => r.action !== "ignored");
      const apiCalls = gh.requests.slice(fromRequest).filter((r) => r.token.kind === "installation").length;
      played.push({
        at: step.at,
        title: step.title,
        ok: problems.length === 0,
        problems,
        effects: results.map((r) => `${r.action}${r.incident !== undefined ? ` #${r.incident}` : ""}: ${r.notes.join("; ")}`),
        apiCalls,
      });
      if (problems.length > 0) break; // later steps build on this one
    }
    if (gh.issues(REPO).some((i) => i.labels.includes("firebreak-config"))) {
      played.push({ at: new Date(now).toISOString(), title: "the shipped example config is valid", ok: false, problems: ["a configuration-error issue was opened"], effects: [], apiCalls: 0 });
    }
    // The report as `firebreak report` prints it, from what the demo left in GitHub.
    const reportIo = memoryIo({ GITHUB_TOKEN: gh.tokenFor("acme"), GITHUB_API_URL: gh.url });
    await runReport({ repo: REPO, since: "30d", botLogin: "firebreak[bot]" }, reportIo, { throttle: false }, new Date(now));
    report = reportIo.stdout.join("\n");
  } finally {
    await Promise.all([world.stop(), slack.close()]);
  }

  const elapsedMs = Math.round(performance.now() - started);
  const all = steps().length;
  const ok = played.length === all && played.every((s) => s.ok);
  const issues = gh.issues(REPO).sort((a, b) => a.number - b.number).map((i) => ({ number: i.number, title: i.title, markdown: issueMarkdown(gh, i) }));
  const appRequests = gh.requests.filter((r) => r.token.kind === "installation" || r.token.kind === "app");
  const tokenRequests = appRequests.filter((r) => r.token.kind === "app").length;
  const restRequests = appRequests.filter((r) => r.token.kind === "installation");
  const created = gh.issues(REPO);
  const summary = [
    "## Summary",
    "",
    `- ${ok ? `all ${all} steps had the expected effect` : `FAILED: ${played.filter((s) => !s.ok).length} step(s) did not have the expected effect${played.length < all ? ` (stopped after step ${played.length} of ${all})` : ""}`}`,
    `- issues: ${created.length} — ${created.map((i) => `#${i.number} by ${i.author}`).join(", ")}`,
    `- API calls the App made: ${restRequests.length} (${restRequests.filter((r) => r.method !== "GET").length} writes, ${restRequests.filter((r) => r.status === 304).length} free 304s) + ${tokenRequests} installation-token request(s); by kind:`,
    ...apiCallTable(restRequests),
    `- webhooks delivered: ${gh.deliveries.length} (${gh.deliveries.filter((d) => d.status === 200).length} answered 200)`,
    // No wall-clock time here: the output (docs/examples/) is the same on every run; the CLI prints it on stderr.
    `- emulated time: ${when(START)} → ${when(new Date(now).toISOString())}`,
  ].join("\n");

  const playback = [
    "## Playback",
    "",
    ...played.flatMap((s, i) => [
      `${s.ok ? "✓" : "✗"} ${String(i + 1).padStart(2)}. ${when(s.at).slice(5, 16)}  ${s.title}`,
      ...s.effects.map((e) => `        → ${e.length > 200 ? `${e.slice(0, 199)}…` : e}`),
      ...s.problems.map((p) => `        ✗ ${p}`),
    ]),
  ].join("\n");
  const header = [
    "# Firebreak demo — the real App against the built-in local GitHub",
    "",
    `A Probot GitHub App (generated key, signed webhooks) handles ${REPO}; people act through the emulated GitHub, minutes apart, and every step is checked. No network, no GitHub account.`,
    "",
  ].join("\n");
  const relayed = relayedMarkdown(slack.bodies);
  const markdown = [header, playback, "", ...issues.map((i) => `---\n\n${i.markdown}`), "---", "", relayed, "", summary, "", "---", "", report, ""].join("\n");

  const files: string[] = [];
  if (options.out) {
    const dir = resolve(options.cwd ?? process.cwd(), options.out);
    mkdirSync(dir, { recursive: true });
    for (const i of issues) {
      const file = join(dir, `issue-${i.number}.md`);
      writeFileSync(file, `${i.markdown}\n`);
      files.push(file);
    }
    const file = join(dir, "README.md");
    writeFileSync(file, `${header}\n${playback}\n\n${summary}\n`);
    files.push(file);
  }
  return { ok, steps: played, issues, summary, markdown, files, elapsedMs };
}
