// The dashboard job of the scheduled pass (SPEC §16): one issue per repository, labelled
// `labels.dashboard`, its body rewritten in place when it changed. Found by its hidden marker in
// issues Firebreak wrote; a creation race (two instances, two runs) converges to the oldest.
// Its results are log lines: the pass's results are per incident. Only a failure is one.
import type { FirebreakConfig } from "../../core/config.js";
import { DASHBOARD_MARKER, withPassCursor } from "../../core/model/markers.js";
import { DASHBOARD_DAYS, DASHBOARD_TITLE, renderDashboard } from "../../core/report/dashboard.js";
import { buildReport } from "../../core/report/metrics.js";
import { fitReply } from "../../core/model/plan.js";
import type { IssueView } from "../../core/model/incident.js";
import type { GitHubClient, RepoRef } from "../client.js";
import { safeMessage } from "../client.js";
import { closeDuplicates, createIssueOnce, findMarkedIssues } from "../issues.js";
import { readReportInput } from "../report-data.js";
import type { CallBudget } from "./budget.js";
import type { ShellDeps } from "./deps.js";
import { writerOf } from "./deps.js";
import type { JobRun } from "./reconcile.js";
import type { PassStop } from "./scheduled-pass.js";

/** Calls a dashboard update needs at least (lists, one trust query, find, write): below it, the next pass does it. */
const MIN_CALLS = 8;
/**
 * Calls the pass keeps for the dashboard: its update, plus what the job before it may overrun
 * (an incident in progress when that job's share ran out finishes).
 */
export const DASHBOARD_SHARE = MIN_CALLS + 8;

export async function updateDashboard(gh: GitHubClient, ref: RepoRef, config: FirebreakConfig, deps: ShellDeps, budget: CallBudget, at: string, _resumeAfter?: number, stopped?: PassStop): Promise<JobRun> {
  const writer = writerOf(deps);
  try {
    if (budget.left < MIN_CALLS) {
      // Too few calls to rebuild it; a run without memory still leaves where its pass stopped
      // (here, if nothing stopped before: the dashboard itself), for at most 2 calls.
      if (deps.cursorOnDashboard && budget.left >= 2) await keepStop(gh, ref, config, writer, stopped ?? { job: "dashboard" });
      return { results: [], resumeAfter: 0 };
    }
    const period = { from: new Date(Date.parse(at) - DASHBOARD_DAYS * 86_400_000).toISOString(), to: at };
    const input = await readReportInput(gh, ref, config, period, writer, true);
    // A repository that never had an incident gets no dashboard: an App installed on every
    // repository of an organisation must not open an empty issue in each.
    if (input.issues.length === 0 && input.postmortems.length === 0) return { results: [] };
    // A run without memory leaves where its pass stopped here, for the next run (no marker: it finished).
    const rendered = fitReply(renderDashboard({ at, incidents: input.issues, postmortems: input.postmortems, report: buildReport(input) }, config));
    const body = deps.cursorOnDashboard ? withPassCursor(rendered, stopped) : rendered;
    const label = config.labels.dashboard;
    const dashboards = await firebreakDashboards(gh, ref, config, writer);
    const existing = dashboards[0];
    if (existing) {
      if (dashboards.slice(1).some((d) => d.state === "open")) await closeDuplicates(gh, ref, { label, marker: DASHBOARD_MARKER, author: writer });
      if (existing.body !== body) await write(gh, ref, existing.number, body);
      deps.log?.(`dashboard #${existing.number} ${existing.body === body ? "already up to date" : "updated"}`);
      return { results: [] };
    }
    const created = await createIssueOnce(gh, ref, { marker: DASHBOARD_MARKER, title: DASHBOARD_TITLE, body, labels: [label], findLabel: label, author: writer });
    const kept = await closeDuplicates(gh, ref, { label, marker: DASHBOARD_MARKER, author: writer });
    deps.log?.(`dashboard #${kept ?? created.number} opened`);
    return { results: [] };
  } catch (error) {
    deps.log?.(`dashboard: ${safeMessage(error)}`);
    return { results: [{ action: "reconciled", notes: [`failed: dashboard not updated (${safeMessage(error)})`] }] };
  }
}

/**
 * Firebreak's dashboards, oldest first (one call). The oldest is the one: a lost creation race
 * leaves a later one, closed as its duplicate.
 */
export async function firebreakDashboards(gh: GitHubClient, ref: RepoRef, config: FirebreakConfig, writer: string): Promise<IssueView[]> {
  const dashboards = await findMarkedIssues(gh, ref, { label: config.labels.dashboard, state: "all", marker: DASHBOARD_MARKER, author: writer });
  return dashboards.sort((a, b) => a.number - b.number);
}

async function keepStop(gh: GitHubClient, ref: RepoRef, config: FirebreakConfig, writer: string, stopped: PassStop | undefined): Promise<void> {
  const [oldest] = await firebreakDashboards(gh, ref, config, writer);
  const body = oldest ? withPassCursor(oldest.body, stopped) : undefined;
  if (oldest && body !== undefined && body !== oldest.body) await write(gh, ref, oldest.number, body);
}

async function write(gh: GitHubClient, ref: RepoRef, issue: number, body: string): Promise<void> {
  await gh.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...ref, issue_number: issue, body });
}
