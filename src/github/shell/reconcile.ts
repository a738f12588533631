// Reconcile: every open incident's card brought in line with its log, missed closes and
// completed postmortems recorded, duplicate postmortems closed. One job of the scheduled pass.
import { parseBody } from "../../core/card.js";
import type { ConfigError, FirebreakConfig } from "../../core/config.js";
import type { IncidentEvent } from "../../core/decide/types.js";
import type { IssueView } from "../../core/model/incident.js";
import { issueViewSchema } from "../../core/model/incident.js";
import { routeIssueEvent } from "../../core/decide/needs.js";
import { parsePostmortemMarker, postmortemMarker } from "../../core/model/markers.js";
import type { GitHubClient, RepoRef } from "../client.js";
import { safeMessage } from "../client.js";
import type { Trigger } from "../events.js";
import { closeDuplicates, getIssue } from "../issues.js";
import type { CallBudget } from "./budget.js";
import type { RunResult, ShellDeps } from "./deps.js";
import { writerOf } from "./deps.js";
import { closeUnhandled, runIncidentEvent, runPostmortemClosed } from "./incident.js";

type Outcome = Omit<RunResult, "configErrors">;

export interface JobRun {
  results: Outcome[];
  /** Where the next pass continues (the last incident handled), or undefined when the job finished. */
  resumeAfter?: number;
  /** What is wrong with what the config points at (a KPI source): reported with the file's own errors. */
  configErrors?: ConfigError[];
}

/** How long a closed incident whose close was never handled is still looked for. */
const CLOSED_LOOKBACK_MS = 7 * 86_400_000;

export async function reconcileIncidents(gh: GitHubClient, ref: RepoRef, config: FirebreakConfig, deps: ShellDeps, budget: CallBudget, at: string, resumeAfter?: number): Promise<JobRun> {
  const label = config.labels.incident;
  const open = await listIssues(gh, ref, { state: "open", labels: label });
  const since = new Date(Date.parse(at) - CLOSED_LOOKBACK_MS).toISOString();
  const recentlyClosed = await listIssues(gh, ref, { state: "closed", labels: label, since }, 1);
  const results: Outcome[] = [];
  if (resumeAfter === undefined) {
    await closeDuplicatePostmortems(gh, ref, config, writerOf(deps));
    results.push(...(await recordCompletedPostmortems(gh, ref, recentlyClosed, config, deps)));
  }
  const work = [...open, ...recentlyClosed.filter(closeUnhandled)]
    .filter((i) => i.pull_request === undefined && (resumeAfter === undefined || i.number > resumeAfter))
    .sort((a, b) => a.number - b.number);
  let last = resumeAfter;
  for (const issue of work) {
    // An incident in progress finishes; the next one waits for the next pass.
    if (budget.exhausted) return { results, ...(last !== undefined ? { resumeAfter: last } : {}) };
    last = issue.number;
    try {
      const reconcile = () => reconcileIncident(gh, ref, issue, config, deps);
      results.push(...(await (deps.exclusive ? deps.exclusive(ref, issue.number, reconcile) : reconcile())));
    } catch (error) {
      results.push({ action: "ignored", incident: issue.number, notes: [`failed: ${safeMessage(error)}`] });
    }
  }
  return { results };
}

async function reconcileIncident(gh: GitHubClient, ref: RepoRef, listed: IssueView, config: FirebreakConfig, deps: ShellDeps): Promise<Outcome[]> {
  // The list was read before this incident's turn came: what this process wrote since is newer.
  const issue = deps.memory ? deps.memory.freshest(ref, listed) : listed;
  const at = issue.updated_at ?? issue.created_at;
  const event: IncidentEvent =
    issue.state === "closed"
      ? // Who closed it is not in the list: an unknown closer (empty) is not second-guessed.
        { kind: "closed", at: issue.closed_at ?? at, actor: "", reason: issue.state_reason ?? "completed" }
      : parseBody(issue.body).hasCard
        ? { kind: "commands", at }
        : { kind: "declare", at, actor: issue.user?.login ?? "ghost" };
  const trigger: Extract<Trigger, { kind: "issue" }> = { kind: "issue", ref, issue, sender: { login: "firebreak-reconcile", type: "User" }, deliveryAt: at, event };
  const route = routeIssueEvent(event, issue, config, deps.botLogin);
  if (route.kind !== "incident") return [];
  const own = { ...deps, issueFromPayload: true };
  const result = await runIncidentEvent(gh, trigger, route, config, own);
  if (event.kind !== "declare" || result.action !== "declared") return [result];
  // A hand-labelled issue gets its card first; the commands already in its log come next.
  const declared = await getIssue(gh, ref, issue.number);
  const commands: IncidentEvent = { kind: "commands", at };
  const followUp = await runIncidentEvent(gh, { ...trigger, issue: declared, event: commands }, { kind: "incident", declaring: false, event: commands }, config, own);
  return followUp.action !== "reconciled" || followUp.plan?.update ? [result, followUp] : [result];
}

/** A postmortem that closed complete while another run rewrote its incident's card: record it again. */
async function recordCompletedPostmortems(gh: GitHubClient, ref: RepoRef, recentlyClosed: readonly IssueView[], config: FirebreakConfig, deps: ShellDeps): Promise<Outcome[]> {
  const results: Outcome[] = [];
  for (const incident of recentlyClosed) {
    const state = parseBody(incident.body).state;
    if (state?.status !== "closed" || !state.postmortem || state.postmortem.complete) continue;
    try {
      const postmortem = await getIssue(gh, ref, state.postmortem.issue);
      if (postmortem.state !== "closed") continue;
      results.push(await runPostmortemClosed(gh, ref, postmortem, incident.number, config, postmortem.closed_at ?? postmortem.updated_at ?? incident.created_at, deps));
    } catch (error) {
      results.push({ action: "ignored", incident: incident.number, notes: [`failed: ${safeMessage(error)}`] });
    }
  }
  return results;
}

/** Two processes racing to open one postmortem can make two: the later ones are closed as duplicates. */
async function closeDuplicatePostmortems(gh: GitHubClient, ref: RepoRef, config: FirebreakConfig, author: string): Promise<void> {
  const postmortems = await listIssues(gh, ref, { state: "open", labels: config.labels.postmortem }, 1);
  const counts = new Map<number, number>();
  for (const issue of postmortems) {
    const incident = parsePostmortemMarker(issue.body);
    if (incident !== undefined) counts.set(incident, (counts.get(incident) ?? 0) + 1);
  }
  for (const [incident, count] of counts) {
    if (count < 2) continue;
    // The marker up to the incident number: a repeat's marker carries more after it.
    await closeDuplicates(gh, ref, { label: config.labels.postmortem, marker: `${postmortemMarker(incident).replace(/ -->$/, "")} `, author });
  }
}

export async function listIssues(gh: GitHubClient, ref: RepoRef, query: { state: "open" | "closed"; labels: string; since?: string }, pages = 10): Promise<IssueView[]> {
  const out: IssueView[] = [];
  for (let page = 1; page <= pages; page++) {
    const { data } = await gh.request("GET /repos/{owner}/{repo}/issues", { ...ref, ...query, per_page: 100, page });
    const rows = (data as unknown[]).map((d) => issueViewSchema.parse(d));
    out.push(...rows);
    if (rows.length < 100) break;
  }
  return out;
}
