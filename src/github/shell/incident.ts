// One incident event: ask the core what it needs read, read exactly that, decide once, apply.
import { parseBody } from "../../core/card.js";
import type { FirebreakConfig } from "../../core/config.js";
import { postmortemClosed, recordPostmortemComplete } from "../../core/decide/postmortem-closed.js";
import type { EngineInput, EngineResult } from "../../core/decide/types.js";
import { decide } from "../../core/decide/decide.js";
import { logWindow, logWindowSatisfied } from "../../core/decide/log-window.js";
import type { CommentView, IssueView } from "../../core/model/incident.js";
import type { IssueRoute } from "../../core/decide/needs.js";
import { commentsIgnoredFrom, forgedCardOnly, readsAfterLog, readsFor } from "../../core/decide/needs.js";
import { repeatCandidates, repeatWindowStart } from "../../core/repeat.js";
import type { GitHubClient, RepoRef } from "../client.js";
import type { Trigger } from "../events.js";
import { closeDuplicates, createIssueOnce, getIssue, listClosedSince, listCommentsNewestFirst, listReleases } from "../issues.js";
import { Permissions } from "../permissions.js";
import { applyPlan } from "./apply-plan.js";
import { recordTrust } from "./trust.js";
import type { RunResult, ShellDeps } from "./deps.js";
import { DEFAULT_FORM_PATH, writerOf } from "./deps.js";

type IssueTrigger = Extract<Trigger, { kind: "issue" }>;
type Outcome = Omit<RunResult, "configErrors">;

export async function runIncidentEvent(gh: GitHubClient, trigger: IssueTrigger, route: Extract<IssueRoute, { kind: "incident" }>, config: FirebreakConfig, deps: ShellDeps): Promise<Outcome> {
  const { ref } = trigger;
  const issue = deps.issueFromPayload ? trigger.issue : await getIssue(gh, ref, trigger.issue.number);
  // Whether the body's record is Firebreak's decides everything else: an untrusted one is rebuilt.
  const trust = await recordTrust(gh, ref, issue, deps);
  if (!trust.trusted && !route.declaring && forgedCardOnly(issue, config)) return { action: "ignored", incident: issue.number, notes: ["a card Firebreak did not write, on an issue nobody declared"] };
  const reads = readsFor(route, issue, trigger.comment, trust.trusted);
  if ("skip" in reads) return { action: "ignored", incident: issue.number, notes: [reads.skip] };
  const self = deps.botLogin.toLowerCase();
  const permissions = new Permissions(gh, ref, config, deps.permissions);
  const ignoredAuthor = commentsIgnoredFrom(deps.botLogin, config);
  const input: EngineInput = {
    event: route.event,
    issue,
    config,
    formTemplate: reads.form ? ((await deps.files.read(gh, ref, deps.formPath ?? DEFAULT_FORM_PATH)) ?? deps.templates.form) : "",
    shippedForm: deps.templates.form,
    // Firebreak itself declares the incidents it opens (tracking QA).
    mayCommand: (login, association) => login.toLowerCase() === self || permissions.decide(login, association),
    isBot: ignoredAuthor,
    isSelf: (login) => login.toLowerCase() === self,
    recordTrusted: trust.trusted,
    ...(trust.lastWritten ? { lastWritten: trust.lastWritten } : {}),
  };
  let logins = reads.logins;
  if (reads.log) {
    input.log = await readLog(gh, ref, issue, trust.trusted, trigger.comment);
    const after = readsAfterLog(route.event, issue, input.log, ignoredAuthor, input.isSelf, trust.trusted);
    logins = [...logins, ...after.logins];
    if (after.postmortemTemplate) input.postmortemTemplate = (await deps.files.read(gh, ref, config.postmortem.template)) ?? deps.templates.postmortem;
  }
  for (const { login, association } of logins) {
    const allowed = login.toLowerCase() === self || (await permissions.resolve(login, association));
    if (allowed && reads.anyOf) break;
  }
  if (reads.releases) input.releases = await listReleases(gh, ref);
  if (reads.closedIncidents) input.repeatCandidates = await closedIncidents(gh, ref, input, config);
  let result: EngineResult = decide(input);
  if (result.wants === "closed-incidents") {
    input.repeatCandidates = await closedIncidents(gh, ref, input, config);
    result = decide(input);
  }
  deps.log?.(`#${issue.number} ${result.action}: ${result.notes.join("; ")}`);
  const applied = await applyPlan(gh, ref, input, result, deps);
  return { action: result.action, incident: issue.number, notes: result.notes, plan: applied.plan, ...(applied.postmortem ? { postmortem: applied.postmortem } : {}) };
}

async function closedIncidents(gh: GitHubClient, ref: RepoRef, input: EngineInput, config: FirebreakConfig) {
  return repeatCandidates(await listClosedSince(gh, ref, repeatWindowStart(input.event.at, config), config.labels.incident));
}

/** The comment log, with the triggering comment added in case the list does not show it yet. */
async function readLog(gh: GitHubClient, ref: RepoRef, issue: IssueView, recordTrusted: boolean, comment?: CommentView): Promise<CommentView[]> {
  // Newest pages first, stopping once every comment the record has not applied is known and the
  // recorded /resolve is found: a flood of older comments cannot push a command out of view. A
  // record Firebreak did not write is rebuilt from the whole log, so it narrows nothing.
  const window = logWindow(recordTrusted ? parseBody(issue.body).state : undefined);
  const { comments: log } = await listCommentsNewestFirst(gh, ref, issue.number, (oldestId, seen) => logWindowSatisfied(window, oldestId, seen));
  if (comment && !log.some((c) => c.id === comment.id)) log.push(comment);
  return log;
}

/** A postmortem closed: reopened with what is missing, or recorded as complete on its incident's card. */
export async function runPostmortemClosed(gh: GitHubClient, ref: RepoRef, postmortem: IssueView, incidentNumber: number, config: FirebreakConfig, at: string, deps: ShellDeps): Promise<Outcome> {
  const own = postmortemClosed(postmortem, incidentNumber, at);
  if (!own.complete) {
    await applyPlan(gh, ref, { config, issue: postmortem, event: { kind: "closed", at, actor: "", reason: "completed" } }, own, deps);
    return { action: own.action, incident: incidentNumber, notes: own.notes };
  }
  const incident = await getIssue(gh, ref, incidentNumber);
  const recorded = recordPostmortemComplete(incident, postmortem, config, at);
  await applyPlan(gh, ref, { config, issue: incident, event: { kind: "commands", at } }, recorded, deps);
  return { action: recorded.action, incident: incidentNumber, notes: recorded.notes };
}

/** Whether a closed issue's record still counts it open: its close was never handled. */
export function closeUnhandled(issue: IssueView): boolean {
  const status = parseBody(issue.body).state?.status;
  return status === "triage" || status === "investigating" || status === "contained" || status === "resolved";
}

/** Declares an incident Firebreak opened itself: its own `issues.opened` event is ignored, like all its events. */
export async function declareCreatedIssue(gh: GitHubClient, ref: RepoRef, number: number, config: FirebreakConfig, deps: ShellDeps): Promise<Outcome> {
  const issue = await getIssue(gh, ref, number);
  const event = { kind: "declare" as const, at: issue.created_at, actor: deps.botLogin };
  const trigger: IssueTrigger = { kind: "issue", ref, issue, sender: { login: deps.botLogin, type: "Bot" }, deliveryAt: issue.created_at, event };
  return runIncidentEvent(gh, trigger, { kind: "incident", declaring: true, event }, config, { ...deps, issueFromPayload: true });
}

/**
 * Opens an incident Firebreak found itself (a failed QA run, a KPI break) unless its marker is
 * already on one, and declares it like any form submission. A lost creation race makes two: the
 * later one is closed as a duplicate of the first.
 */
export async function openMarkedIncident(
  gh: GitHubClient,
  ref: RepoRef,
  draft: { marker: string; title: string; body: string },
  config: FirebreakConfig,
  deps: ShellDeps,
): Promise<{ number: number; created: boolean }> {
  const author = writerOf(deps);
  const created = await createIssueOnce(gh, ref, { ...draft, labels: [config.labels.incident], findLabel: config.labels.incident, author });
  if (!created.created) return created;
  const kept = await closeDuplicates(gh, ref, { label: config.labels.incident, marker: draft.marker, author });
  if (kept !== undefined && kept !== created.number) return { number: kept, created: false };
  await declareCreatedIssue(gh, ref, created.number, config, deps);
  return created;
}
