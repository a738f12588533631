// The imperative shell around the core: read what the event needs, decide, apply the plan.
// The App, the Action and the CLI all run events through `runTrigger`.
import { z } from "zod";
import type { ConfigError, FirebreakConfig } from "../core/config.js";
import { parseBody } from "../core/card.js";
import { parseComment } from "../core/commands/grammar.js";
import type { EngineInput, EngineResult, IncidentEvent } from "../core/engine.js";
import { decide, isFirebreakIssue, withPostmortem } from "../core/engine.js";
import type { CommentView, IncidentState, IssueView } from "../core/model/incident.js";
import { issueViewSchema } from "../core/model/incident.js";
import type { ActionTaken, Plan } from "../core/model/plan.js";
import { parsePostmortemMarker, postmortemMarkerPrefix, REPLY_MARKER, replyKeyOf } from "../core/model/markers.js";
import { isClosedIncident, isDismissedOrVariance, isIncidentStatus, isOpenStatus } from "../core/model/status.js";
import { postmortemGaps, processFixLink } from "../core/postmortem/gate.js";
import type { ClosedIncident } from "../core/repeat.js";
import { incidentFamily } from "../core/repeat.js";
import { issueUpdate } from "../core/engine.js";
import type { GitHubClient, RepoRef } from "./client.js";
import { safeMessage } from "./client.js";
import type { RepoConfig } from "./config.js";
import { loadRepoConfig, reportConfigErrors } from "./config.js";
import type { Trigger } from "./events.js";
import type { FileCache } from "./files.js";
import { closeDuplicates, createIssueOnce, getIssue, listClosedSince, listComments, listReleases, Permissions, styleLabels } from "./issues.js";

export interface ShippedTemplates {
  form: string;
  postmortem: string;
}

export interface FirebreakDeps {
  files: FileCache;
  /** The login Firebreak writes as: its own events are ignored. */
  botLogin: string;
  templates: ShippedTemplates;
  configPath?: string;
  formPath?: string;
  /**
   * Trust the payload's issue (App: fresh within the delivery; `memory` covers what this process
   * wrote since) or read it anew (Action: a queued run's payload can be minutes old).
   */
  issueFromPayload: boolean;
  memory?: IssueMemory;
  /** Look for a configuration-error issue to close even when the file is valid (see loadConfigAndReport). */
  reportFixedConfig?: boolean;
  /** Write nothing; return the plan (`firebreak simulate`). */
  dryRun?: boolean;
  log?: (line: string) => void;
}

export interface RunResult {
  action: ActionTaken;
  incident?: number;
  notes: string[];
  configErrors: ConfigError[];
  plan?: Plan;
  postmortem?: number;
}

export const DEFAULT_FORM_PATH = ".github/ISSUE_TEMPLATE/marketing-incident.yml";

/** What this process last wrote to each issue, so a later event never works from an older payload. */
export class IssueMemory {
  private readonly issues = new Map<string, IssueView>();
  remember(ref: RepoRef, issue: IssueView): void {
    this.issues.set(`${ref.owner}/${ref.repo}#${issue.number}`, issue);
  }
  /**
   * The newer of the payload's issue and the one this process wrote. GitHub's timestamps have
   * one-second resolution: on a tie, the body, labels and assignees (what Firebreak writes) come
   * from this process and the open/closed state (what people change) from the payload.
   */
  freshest(ref: RepoRef, issue: IssueView): IssueView {
    const known = this.issues.get(`${ref.owner}/${ref.repo}#${issue.number}`);
    if (!known) return issue;
    if (!known.updated_at || !issue.updated_at || known.updated_at > issue.updated_at) return issue.updated_at ? known : issue;
    if (known.updated_at < issue.updated_at) return issue;
    return { ...known, state: issue.state, state_reason: issue.state_reason, closed_at: issue.closed_at };
  }
}

function isOtherBot(sender: { login: string; type: string }, config: FirebreakConfig): boolean {
  const bot = sender.type === "Bot" || sender.login.endsWith("[bot]");
  return bot && !config.allow_bots.some((b) => b.toLowerCase() === sender.login.toLowerCase());
}

export async function loadConfigAndReport(gh: GitHubClient, ref: RepoRef, deps: FirebreakDeps): Promise<RepoConfig> {
  const loaded = await loadRepoConfig(gh, deps.files, ref, deps.configPath);
  // A valid file needs the error issue looked up only to close it: the App does so whenever the
  // file changed; an Action run starts cold every time, so it leaves that to the schedule run.
  const due = loaded.errors.length > 0 || deps.reportFixedConfig === true;
  if (loaded.changed && due && !deps.dryRun) {
    try {
      const outcome = await reportConfigErrors(gh, ref, loaded);
      if (outcome !== "unchanged") deps.log?.(`configuration-error issue ${outcome}`);
    } catch (error) {
      deps.log?.(`could not report configuration errors: ${safeMessage(error)}`);
    }
  }
  return loaded;
}

export async function runTrigger(gh: GitHubClient, trigger: Trigger, deps: FirebreakDeps): Promise<RunResult> {
  if (trigger.kind === "ignored") return { action: "ignored", notes: [trigger.reason], configErrors: [] };
  if (trigger.kind !== "issue") return { action: "ignored", notes: [`${trigger.kind} is handled elsewhere`], configErrors: [] };
  if (trigger.sender.login.toLowerCase() === deps.botLogin.toLowerCase()) {
    return { action: "ignored", notes: ["an event Firebreak caused itself"], configErrors: [] };
  }
  const loaded = await loadConfigAndReport(gh, trigger.ref, deps);
  const result = await runIssueEvent(gh, trigger, loaded.config, deps);
  return { ...result, configErrors: loaded.errors };
}

async function runIssueEvent(
  gh: GitHubClient,
  trigger: Extract<Trigger, { kind: "issue" }>,
  config: FirebreakConfig,
  deps: FirebreakDeps,
): Promise<Omit<RunResult, "configErrors">> {
  const { ref } = trigger;
  if (isOtherBot(trigger.sender, config)) return { action: "ignored", notes: [`event from another bot (${trigger.sender.login})`] };
  const payloadIssue = deps.memory ? deps.memory.freshest(ref, trigger.issue) : trigger.issue;
  const postmortemOf = parsePostmortemMarker(payloadIssue.body);
  if (postmortemOf !== undefined) {
    if (trigger.event.kind !== "closed") return { action: "ignored", notes: ["postmortem issue: only its closing is gated"] };
    const issue = deps.issueFromPayload ? payloadIssue : await getIssue(gh, ref, payloadIssue.number);
    return runPostmortemClosed(gh, ref, issue, postmortemOf, config, trigger.event.at, deps);
  }
  const event = trigger.event;
  const declaring = event.kind === "declare" || (event.kind === "label" && event.added && event.label.toLowerCase() === config.labels.incident.toLowerCase());
  if (declaring && !payloadIssue.labels.some((l) => l.toLowerCase() === config.labels.incident.toLowerCase())) {
    return { action: "ignored", notes: ["not labelled as an incident"] };
  }
  if (!declaring && !isFirebreakIssue(payloadIssue, config)) return { action: "ignored", notes: ["not an incident"] };
  const issue = deps.issueFromPayload ? payloadIssue : await getIssue(gh, ref, payloadIssue.number);
  const parsed = parseBody(issue.body);
  const permissions = new Permissions(gh, ref, config);
  const isSelf = (login: string) => login.toLowerCase() === deps.botLogin.toLowerCase();
  const isBot = (login: string) => isSelf(login) || (login.endsWith("[bot]") && !config.allow_bots.includes(login));
  const input: EngineInput = {
    event: declaring ? { kind: "declare", at: event.at, actor: "actor" in event ? event.actor : "" } : event,
    issue,
    config,
    // The form maps headings to field ids; only a declaration reads it.
    formTemplate: declaring || !parsed.hasCard ? ((await deps.files.read(gh, ref, deps.formPath ?? DEFAULT_FORM_PATH)) ?? deps.templates.form) : "",
    shippedForm: deps.templates.form,
    // Firebreak itself declares the incidents it opens (tracking QA).
    mayCommand: (login, association) => isSelf(login) || permissions.decide(login, association),
    isBot,
  };
  if (declaring) {
    if (parsed.hasCard) return { action: "ignored", incident: issue.number, notes: ["already declared"] };
    const author = issue.user?.login ?? "ghost";
    const authorMay = isSelf(author) || (await permissions.resolve(author, issue.author_association));
    // A responder who labels someone else's issue declares it: their permission counts too.
    const actor = "actor" in event ? event.actor : author;
    if (!authorMay && actor !== author && !isSelf(actor)) await permissions.resolve(actor, undefined);
    const [releases, closed] = await Promise.all([listReleases(gh, ref), listClosedSince(gh, ref, repeatWindowStart(event.at, config), config.labels.incident)]);
    input.releases = releases;
    input.repeatCandidates = repeatCandidates(closed);
  } else if (event.kind === "commands" || event.kind === "closed") {
    // A comment the record already applied (an earlier event took in the whole log, or this is a
    // redelivery) needs nothing: answered without a call.
    const comment = trigger.comment;
    if (event.kind === "commands" && comment && parsed.state && (parsed.state.applied.includes(comment.id) || comment.id <= (parsed.state.appliedThrough ?? 0))) {
      return { action: "ignored", incident: issue.number, notes: [`comment ${comment.id} is already applied`] };
    }
    input.log = await readLog(gh, ref, issue, comment);
    // Only authors whose commands are still to be applied (and the /resolve the close gate
    // trusts) need a permission: an applied outsider's comment must not cost a lookup per event.
    const applied = new Set(parsed.state?.applied ?? []);
    const through = parsed.state?.appliedThrough ?? 0;
    const needed = (c: CommentView) => (!applied.has(c.id) && c.id > through) || c.id === parsed.state?.resolution?.commentId;
    let postmortemAsked = false;
    for (const c of input.log) {
      if (!needed(c) || isBot(c.user?.login ?? "")) continue;
      const { commands, nearMisses } = parseComment(c.body);
      if (commands.length > 0 || nearMisses.length > 0) await permissions.resolve(c.user?.login ?? "ghost", c.author_association);
      postmortemAsked ||= commands.some((command) => command.name === "postmortem");
    }
    // Only what can open the postmortem (a close of a resolved incident, `/postmortem`) needs its template.
    if (postmortemAsked || (event.kind === "closed" && parsed.state?.resolution && !parsed.state.postmortem)) {
      input.postmortemTemplate = await postmortemTemplate(gh, ref, config, deps);
    }
  } else if (event.kind === "label" || event.kind === "assignee") {
    await permissions.resolve(event.actor, undefined);
  }
  let result = decide(input);
  if (!declaring && result.state && !result.state.repeatOf && familyChanged(parsed.state, result.state)) {
    input.repeatCandidates = repeatCandidates(await listClosedSince(gh, ref, repeatWindowStart(event.at, config), config.labels.incident));
    result = decide(input);
  }
  deps.log?.(`#${issue.number} ${result.action}: ${result.notes.join("; ")}`);
  if (deps.dryRun) return { action: result.action, incident: issue.number, notes: result.notes, plan: result.plan };
  const applied = await applyPlan(gh, ref, input, result, deps);
  return { action: result.action, incident: issue.number, notes: result.notes, plan: applied.plan, ...(applied.postmortem ? { postmortem: applied.postmortem } : {}) };
}

async function postmortemTemplate(gh: GitHubClient, ref: RepoRef, config: FirebreakConfig, deps: FirebreakDeps): Promise<string> {
  return (await deps.files.read(gh, ref, config.postmortem.template)) ?? deps.templates.postmortem;
}

/** The comment log, with the triggering comment added in case the list does not show it yet. */
async function readLog(gh: GitHubClient, ref: RepoRef, issue: IssueView, comment?: CommentView): Promise<CommentView[]> {
  const log = await listComments(gh, ref, issue.number);
  if (comment && !log.some((c) => c.id === comment.id)) log.push(comment);
  return log;
}

function repeatWindowStart(at: string, config: FirebreakConfig): string {
  return new Date(Date.parse(at) - config.repeat_window_days * 86_400_000).toISOString();
}

/** A repeat is a matter of family (layer and channels): look again when it changed, or when routine variance became an incident. */
function familyChanged(before: IncidentState | undefined, after: IncidentState): boolean {
  if (!before) return false;
  if (isDismissedOrVariance(before.status) && isIncidentStatus(after.status)) return true;
  const a = incidentFamily(before);
  const b = incidentFamily(after);
  return a.layer !== b.layer || a.channels.join("|") !== b.channels.join("|");
}

/** Closed incidents as repeat candidates; each record carries its postmortem and that postmortem's process fix. */
function repeatCandidates(closed: readonly IssueView[]): ClosedIncident[] {
  const out: ClosedIncident[] = [];
  for (const issue of closed) {
    const state = parseBody(issue.body).state;
    if (!state || !issue.closed_at) continue;
    if (!isClosedIncident(state.status)) continue;
    const pm = state.postmortem;
    const postmortem = pm ? { number: pm.issue, ...(pm.fix ? { fix: pm.fix } : {}) } : undefined;
    out.push({ number: issue.number, state, closedAt: issue.closed_at, ...(postmortem ? { postmortem } : {}) });
  }
  return out;
}

async function applyPlan(
  gh: GitHubClient,
  ref: RepoRef,
  input: EngineInput,
  decided: EngineResult,
  deps: FirebreakDeps,
): Promise<{ plan: Plan; postmortem?: number }> {
  let result = decided;
  let postmortem: number | undefined;
  if (result.plan.postmortem) {
    const draft = result.plan.postmortem;
    const created = await createIssueOnce(gh, ref, { ...draft, findLabel: input.config.labels.postmortem });
    // A lost creation race (two processes) can still make two: reconcile closes the later one.
    postmortem = created.number;
    result = withPostmortem(input, result, postmortem);
  }
  const plan = result.plan;
  // Replies and reactions go first: the card records commands as applied, so a process that dies
  // after writing it must not leave them unanswered. Both are safe to repeat (replies carry a key
  // looked for in the log, reactions are idempotent).
  await postReplies(gh, ref, plan, input.log ?? []);
  if (plan.update) {
    const { data } = await gh.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...ref, issue_number: plan.issue, ...plan.update });
    const written = issueViewSchema.parse(data);
    deps.memory?.remember(ref, written);
    if (plan.update.labels) await styleCreatedLabels(gh, ref, input.config, data, deps);
    const owner = result.state?.roles.owner;
    if (owner && plan.update.assignees?.includes(owner) && !written.assignees.some((a) => a.toLowerCase() === owner.toLowerCase())) {
      await recordUnassignableOwner(gh, ref, input, result, written, owner, deps);
    }
  }
  for (const notice of plan.notices) {
    await gh.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
      ...ref,
      issue_number: notice.issue,
      body: `${notice.body}\n\n${REPLY_MARKER(notice.key)}`,
    });
  }
  return { plan, ...(postmortem ? { postmortem } : {}) };
}

async function postReplies(gh: GitHubClient, ref: RepoRef, plan: Plan, log: readonly CommentView[]): Promise<void> {
  const posted = new Set(log.map((c) => replyKeyOf(c.body)).filter(Boolean));
  for (const reply of plan.replies) {
    if (posted.has(reply.key)) continue;
    await gh.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
      ...ref,
      issue_number: plan.issue,
      body: `${reply.body}\n\n${REPLY_MARKER(reply.key)}`,
    });
  }
  for (const commentId of plan.reactions) {
    await gh.request("POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", { ...ref, comment_id: commentId, content: "+1" });
  }
}

/** GitHub silently drops assignees who are not collaborators: say so on the card and in a reply. */
async function recordUnassignableOwner(
  gh: GitHubClient,
  ref: RepoRef,
  input: EngineInput,
  result: EngineResult,
  written: IssueView,
  owner: string,
  deps: FirebreakDeps,
): Promise<void> {
  if (!result.state) return;
  const note = `${owner} is recorded as owner but could not be assigned: GitHub only assigns people with access to this repository.`;
  const state = { ...result.state, roles: { ...result.state.roles, ownerNote: note } };
  const parsed = parseBody(written.body);
  const update = issueUpdate({ ...input, issue: written }, state, state, parsed.userText);
  if (update?.body) {
    const { data } = await gh.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...ref, issue_number: written.number, body: update.body });
    deps.memory?.remember(ref, issueViewSchema.parse(data));
  }
  await gh.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
    ...ref,
    issue_number: written.number,
    body: `${note} Invite them as a collaborator (triage is enough) and run \`/owner\` again, or pick someone with access.\n\n${REPLY_MARKER(`owner-${owner}`)}`,
  });
}

/**
 * GitHub creates a missing label on first use, grey and without a description; Firebreak then
 * gives its own labels their colour and description (once: a styled label has a description).
 * Read from the PATCH answer, so it costs no extra request when the labels exist.
 */
async function styleCreatedLabels(gh: GitHubClient, ref: RepoRef, config: FirebreakConfig, issue: unknown, deps: FirebreakDeps): Promise<void> {
  const parsed = z.object({ labels: z.array(z.object({ name: z.string(), description: z.string().nullable().optional() })) }).safeParse(issue);
  if (!parsed.success) return;
  const fresh = parsed.data.labels.filter((l) => !l.description).map((l) => l.name);
  if (fresh.length === 0) return;
  try {
    await styleLabels(gh, ref, config, fresh);
  } catch (error) {
    deps.log?.(`could not style new labels: ${safeMessage(error)}`);
  }
}

async function runPostmortemClosed(
  gh: GitHubClient,
  ref: RepoRef,
  postmortem: IssueView,
  incidentNumber: number,
  config: FirebreakConfig,
  at: string,
  deps: FirebreakDeps,
): Promise<Omit<RunResult, "configErrors">> {
  if (postmortem.state !== "closed") return { action: "ignored", incident: incidentNumber, notes: ["postmortem already reopened"] };
  const gaps = postmortemGaps(postmortem.body);
  if (gaps.length > 0) {
    const notes = [`postmortem #${postmortem.number} closed with ${gaps.length} gaps: reopened`];
    if (!deps.dryRun) {
      const { data } = await gh.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...ref, issue_number: postmortem.number, state: "open", state_reason: "reopened" });
      // Remembered, so a redelivered close finds the postmortem open again and writes nothing.
      deps.memory?.remember(ref, issueViewSchema.parse(data));
      await gh.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
        ...ref,
        issue_number: postmortem.number,
        body: `**Reopened: this postmortem is not complete yet.** Still missing:\n\n${gaps.map((g) => `- ${g}`).join("\n")}\n\nAnswer each question under its heading and tick each box, then close it again.\n\n${REPLY_MARKER(`pm-gaps-${Date.parse(at)}`)}`,
      });
    }
    return { action: "reopened", incident: incidentNumber, notes };
  }
  const incident = await getIssue(gh, ref, incidentNumber);
  const parsed = parseBody(incident.body);
  // Kept on the incident's record, so a later repeat finds the fix with the one incident list.
  const fix = processFixLink(postmortem.body);
  if (!parsed.state) return { action: "ignored", incident: incidentNumber, notes: ["the incident has no card"] };
  if (parsed.state.postmortem?.complete) return { action: "ignored", incident: incidentNumber, notes: ["already recorded as complete"] };
  const state = {
    ...parsed.state,
    status: parsed.state.status === "closed" ? ("postmortem-complete" as const) : parsed.state.status,
    postmortem: { issue: postmortem.number, complete: true, ...(fix ? { fix: fix.slice(0, 500) } : {}) },
    timeline: [...parsed.state.timeline, { at, text: `Postmortem #${postmortem.number} complete` }],
  };
  const update = issueUpdate({ issue: incident, config, event: { kind: "commands", at } }, parsed.state, state, parsed.userText);
  if (update && !deps.dryRun) {
    const { data } = await gh.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...ref, issue_number: incident.number, ...update });
    deps.memory?.remember(ref, issueViewSchema.parse(data));
  }
  return { action: "reconciled", incident: incidentNumber, notes: [`postmortem #${postmortem.number} complete`] };
}

/** Two processes racing to open one postmortem can make two: the later ones are closed as duplicates. */
async function closeDuplicatePostmortems(gh: GitHubClient, ref: RepoRef, config: FirebreakConfig, deps: FirebreakDeps): Promise<void> {
  const postmortems = await listIssues(gh, ref, { state: "open", labels: config.labels.postmortem }, 1);
  const seen = new Set<number>();
  for (const issue of postmortems) {
    const incident = parsePostmortemMarker(issue.body);
    if (incident === undefined || seen.has(incident)) continue;
    seen.add(incident);
    if (postmortems.filter((p) => parsePostmortemMarker(p.body) === incident).length < 2) continue;
    if (deps.dryRun) continue;
    // The marker up to the incident number: a repeat's marker carries more after it.
    await closeDuplicates(gh, ref, { label: config.labels.postmortem, marker: postmortemMarkerPrefix(incident) });
  }
}

async function listIssues(gh: GitHubClient, ref: RepoRef, query: { state: "open" | "closed"; labels: string; since?: string }, pages = 10): Promise<IssueView[]> {
  const out: IssueView[] = [];
  for (let page = 1; page <= pages; page++) {
    const { data } = await gh.request("GET /repos/{owner}/{repo}/issues", { ...ref, ...query, per_page: 100, page });
    const rows = (data as unknown[]).map((d) => issueViewSchema.parse(d));
    out.push(...rows);
    if (rows.length < 100) break;
  }
  return out;
}

/** Declares an incident Firebreak opened itself: its own `issues.opened` event is ignored, like all its events. */
export async function declareCreatedIssue(gh: GitHubClient, ref: RepoRef, number: number, deps: FirebreakDeps): Promise<RunResult> {
  const loaded = await loadConfigAndReport(gh, ref, deps);
  const issue = await getIssue(gh, ref, number);
  const trigger: Extract<Trigger, { kind: "issue" }> = {
    kind: "issue",
    ref,
    issue,
    sender: { login: "firebreak-declare", type: "User" },
    deliveryAt: issue.created_at,
    event: { kind: "declare", at: issue.created_at, actor: deps.botLogin },
  };
  return { ...(await runIssueEvent(gh, trigger, loaded.config, { ...deps, issueFromPayload: true })), configErrors: loaded.errors };
}

/** Brings every open incident in line with its log (the Action's schedule run, `firebreak reconcile`). */
export async function reconcileRepository(gh: GitHubClient, ref: RepoRef, deps: FirebreakDeps): Promise<RunResult[]> {
  // Reconcile is where a fixed configuration's error issue gets closed, whatever the runtime.
  const loaded = await loadConfigAndReport(gh, ref, { ...deps, reportFixedConfig: true });
  const label = loaded.config.labels.incident;
  const open = await listIssues(gh, ref, { state: "open", labels: label });
  // Incidents closed lately whose card still says open: their close was never handled.
  const since = new Date(Date.now() - 7 * 86_400_000).toISOString();
  const recentlyClosed = await listIssues(gh, ref, { state: "closed", labels: label, since }, 1);
  const closed = recentlyClosed.filter((i) => isOpenStatus(parseBody(i.body).state?.status));
  const results: RunResult[] = [];
  await closeDuplicatePostmortems(gh, ref, loaded.config, deps);
  // A postmortem that closed complete while another run rewrote its incident's card: record it again.
  for (const incident of recentlyClosed) {
    const state = parseBody(incident.body).state;
    if (state?.status !== "closed" || !state.postmortem || state.postmortem.complete) continue;
    try {
      const postmortem = await getIssue(gh, ref, state.postmortem.issue);
      if (postmortem.state !== "closed") continue;
      const result = await runPostmortemClosed(gh, ref, postmortem, incident.number, loaded.config, postmortem.closed_at ?? postmortem.updated_at ?? incident.created_at, deps);
      results.push({ ...result, configErrors: loaded.errors });
    } catch (error) {
      results.push({ action: "ignored", incident: incident.number, notes: [`failed: ${safeMessage(error)}`], configErrors: loaded.errors });
    }
  }
  for (const issue of [...open, ...closed]) {
    if (issue.pull_request !== undefined) continue;
    const at = issue.updated_at ?? issue.created_at;
    const event: IncidentEvent =
      issue.state === "closed"
        ? { kind: "closed", at: issue.closed_at ?? at, actor: issue.user?.login ?? "ghost", reason: issue.state_reason ?? "completed" }
        : parseBody(issue.body).hasCard
          ? { kind: "commands", at }
          : { kind: "declare", at, actor: issue.user?.login ?? "ghost" };
    const trigger: Extract<Trigger, { kind: "issue" }> = {
      kind: "issue",
      ref,
      issue,
      sender: { login: "firebreak-reconcile", type: "User" },
      deliveryAt: at,
      event,
    };
    try {
      const result = await runIssueEvent(gh, trigger, loaded.config, { ...deps, issueFromPayload: true });
      results.push({ ...result, configErrors: loaded.errors });
      // A hand-labelled issue gets its card first; the commands already in its log come next.
      if (trigger.event.kind === "declare" && result.action === "declared") {
        const declared = await getIssue(gh, ref, issue.number);
        const again = { ...trigger, issue: declared, event: { kind: "commands" as const, at } };
        const followUp = await runIssueEvent(gh, again, loaded.config, { ...deps, issueFromPayload: true });
        if (followUp.action !== "reconciled" || followUp.plan?.update) results.push({ ...followUp, configErrors: loaded.errors });
      }
    } catch (error) {
      results.push({ action: "ignored", incident: issue.number, notes: [`failed: ${safeMessage(error)}`], configErrors: loaded.errors });
    }
  }
  return results;
}
