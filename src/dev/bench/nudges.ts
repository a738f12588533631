// The nudge job over many open incidents (SPEC §15, §10): calls and writes per pass within
// `schedule.max_calls`, passes until every overdue incident is reminded, and the seconds the
// reminders take at GitHub's pacing (new comments ~3 s apart) — measured with the Action's own
// throttled client on a smaller set, and what the full set costs at that pace.
import { Octokit } from "@octokit/core";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { DEFAULT_CONFIG } from "../../core/config.js";
import type { GitHubClient } from "../../github/client.js";
import { FileCache } from "../../github/files.js";
import { LabelStyler } from "../../github/labels.js";
import { RATE_LIMITS } from "../../github/octokit.js";
import { CallBudget } from "../../github/shell/budget.js";
import type { ShellDeps } from "../../github/shell/deps.js";
import { nudgeIncidents } from "../../github/shell/nudges.js";
import { reconcileIncidents } from "../../github/shell/reconcile.js";
import { LocalGitHub } from "../local-github/index.js";
import { shippedTemplates } from "../../templates.js";

const REPO = "acme/shop";
const ref = { owner: "acme", repo: "shop" };
const BOT = "acme";
const DECLARED = Date.parse("2026-11-30T08:00:00Z");
/** Two hours after the declarations: every incident is past its SEV2 owner_within (1h). */
const PASS_AT = new Date(DECLARED + 2 * 3_600_000).toISOString();

export interface NudgeBenchResult {
  incidents: number;
  maxCalls: number;
  /** Per pass: API calls spent and reminders written. */
  passes: { calls: number; reminders: number }[];
  writes: number;
  /** The pass after all were reminded: what finding every window's reminder again costs. */
  repeatCalls: number;
  /** Wall time of a throttled run (the Action's client), and how many reminders it wrote. */
  throttled: { reminders: number; seconds: number };
}

const PacedOctokit = Octokit.plugin(throttling, retry);

async function world(incidents: number): Promise<{ gh: LocalGitHub; url: string; deps: ShellDeps }> {
  const gh = new LocalGitHub({ clock: () => new Date(DECLARED), rateLimit: 1_000_000 });
  const { url } = await gh.start();
  gh.addRepo(REPO);
  gh.addCollaborator(REPO, "devon", "write");
  gh.createLabel(REPO, "incident", "b60205", "A marketing incident");
  for (let i = 1; i <= incidents; i++) gh.openIssue(REPO, "devon", { title: `Incident ${i}`, body: "Orders from iOS stopped at 07:40.", labels: ["incident"] });
  const deps: ShellDeps = { files: new FileCache(), labels: new LabelStyler(), botLogin: BOT, templates: shippedTemplates(), issueFromPayload: true };
  // Declared by reconcile, unmeasured: the cards and labels as Firebreak writes them.
  const fast = new Octokit({ baseUrl: url, auth: gh.tokenFor(BOT) });
  await reconcileIncidents(fast, ref, DEFAULT_CONFIG, deps, new CallBudget(1_000_000), new Date(DECLARED).toISOString());
  return { gh, url, deps };
}

/** Nudge passes of `maxCalls` each until one finishes, as the scheduled pass runs them. */
async function passes(gh: LocalGitHub, client: GitHubClient, deps: ShellDeps, maxCalls: number): Promise<NudgeBenchResult["passes"]> {
  const out: NudgeBenchResult["passes"] = [];
  let resumeAfter: number | undefined;
  for (let pass = 0; pass < 100; pass++) {
    const budget = new CallBudget(maxCalls);
    const written = () => gh.requests.filter((r) => r.method === "POST" && r.path.endsWith("/comments")).length;
    const before = written();
    const run = await nudgeIncidents(budget.meter(client), ref, DEFAULT_CONFIG, deps, budget, PASS_AT, resumeAfter);
    out.push({ calls: budget.spent, reminders: written() - before });
    resumeAfter = run.resumeAfter;
    if (resumeAfter === undefined) return out;
  }
  throw new Error("bench: the nudge passes did not finish");
}

export async function benchNudges(incidents = 200, throttledIncidents = 10): Promise<NudgeBenchResult> {
  const maxCalls = DEFAULT_CONFIG.schedule.max_calls;
  const full = await world(incidents);
  let first: NudgeBenchResult["passes"];
  let repeatCalls: number;
  let writes: number;
  try {
    const client = new Octokit({ baseUrl: full.url, auth: full.gh.tokenFor(BOT) });
    full.gh.resetRequests();
    first = await passes(full.gh, client, full.deps, maxCalls);
    writes = full.gh.requests.filter((r) => r.method !== "GET" && r.path !== "/graphql").length;
    repeatCalls = (await passes(full.gh, client, full.deps, 1_000_000))[0]!.calls;
  } finally {
    await full.gh.stop();
  }
  const small = await world(throttledIncidents);
  try {
    const paced = new PacedOctokit({ baseUrl: small.url, auth: small.gh.tokenFor(BOT), throttle: RATE_LIMITS });
    small.gh.resetRequests();
    const started = performance.now();
    const run = await passes(small.gh, paced, small.deps, 1_000_000);
    const seconds = (performance.now() - started) / 1000;
    return { incidents, maxCalls, passes: first, writes, repeatCalls, throttled: { reminders: run[0]!.reminders, seconds } };
  } finally {
    await small.gh.stop();
  }
}

/** The bench's section: a table per pass and the pacing arithmetic. */
export function renderNudgeBench(r: NudgeBenchResult): string {
  const reminders = r.passes.reduce((n, p) => n + p.reminders, 0);
  const calls = r.passes.reduce((n, p) => n + p.calls, 0);
  const perReminder = r.throttled.reminders > 0 ? r.throttled.seconds / r.throttled.reminders : Number.NaN;
  const rows = r.passes.map((p, i) => `| ${i + 1} | ${p.calls} | ${p.reminders} |`);
  return [
    `| pass | calls (max ${r.maxCalls}) | reminders written |`,
    "| --- | --- | --- |",
    ...rows,
    "",
    `${r.incidents} open incidents, all overdue: ${reminders} reminders in ${r.passes.length} passes, ${calls} calls (${(calls / Math.max(1, reminders)).toFixed(1)} per reminder: the window's key looked up, the record's writer asked, the comment, the read that verifies it), ${r.writes} writes.`,
    `The pass after: ${r.repeatCalls} calls to find every window's reminder again and write nothing.`,
    `At GitHub's pacing (the Action's throttled client, measured on ${r.throttled.reminders} reminders): ${r.throttled.seconds.toFixed(1)} s, ${perReminder.toFixed(1)} s per reminder — the ${reminders} reminders take ≈ ${Math.round(perReminder * reminders)} s of pacing, spread over the ${r.passes.length} passes.`,
  ].join("\n");
}
