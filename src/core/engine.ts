// The core: (event, issue, record, config, time of the event) → (new record, plan of writes).
// Pure: the GitHub layer reads what it needs beforehand and applies the plan afterwards.
import { compactState, parseBody, renderBody } from "./card.js";
import { COMMANDS, commandNamed } from "./commands/index.js";
import { parseComment } from "./commands/grammar.js";
import { setLikelyLayer } from "./commands/layer.js";
import { setOwner } from "./commands/owner.js";
import { setSeverity } from "./commands/severity.js";
import type { FirebreakConfig } from "./config.js";
import { familyChanged, isFirebreakIssue, pendingCommands } from "./needs.js";
import { classify, initialState } from "./declaration/declare.js";
import type { ReleaseView } from "./declaration/declare.js";
import { parseDeclaration } from "./declaration/form.js";
import type { CommentView, IncidentState, IssueView } from "./model/incident.js";
import { incidentStateSchema } from "./model/incident.js";
import { desiredAssignees, desiredLabels, labelMeaning, sameSet } from "./model/labels.js";
import { inline, mention } from "./text/inert.js";
import type { ActionTaken, IssueUpdate, Plan, Reply } from "./model/plan.js";
import { emptyPlan } from "./model/plan.js";
import { isClosedIncident, isClosedStatus, isDismissedOrVariance, isOpenStatus } from "./model/status.js";
import { draftPostmortem } from "./postmortem/draft.js";
import type { ClosedIncident } from "./repeat.js";
import { findRepeat, repeatNoticeForEarlierPostmortem } from "./repeat.js";

export type IncidentEvent =
  /** issues.opened, or issues.labeled with the incident label. */
  | { kind: "declare"; at: string; actor: string }
  /** issue_comment.created with a command, or a reconcile run: apply every unapplied command in the log. */
  | { kind: "commands"; at: string }
  | { kind: "closed"; at: string; actor: string; reason: string | null }
  | { kind: "reopened"; at: string; actor: string }
  | { kind: "label"; at: string; actor: string; label: string; added: boolean }
  | { kind: "assignee"; at: string; actor: string; login: string; added: boolean }
  /** issues.edited: the body before the edit, so a changed Firebreak section can be put back. */
  | { kind: "edited"; at: string; actor: string; previousBody: string };

export interface EngineInput {
  event: IncidentEvent;
  issue: IssueView;
  config: FirebreakConfig;
  /** The repository's issue form, or the shipped one: maps the body's headings to field ids. */
  formTemplate: string;
  /** The shipped issue form: its labels still map headings after a repository renamed its own. */
  shippedForm: string;
  /** Comments read for this event (commands, close and reconcile events), oldest first. */
  log?: readonly CommentView[];
  /** Who may command: resolved by the shell for every login this event needs. */
  mayCommand(login: string, association: string | undefined): boolean;
  /** Logins whose comments are not commands (Firebreak itself, other bots not allowed). */
  isBot(login: string): boolean;
  releases?: readonly ReleaseView[];
  repeatCandidates?: readonly ClosedIncident[];
  /** The repository's postmortem template or the shipped one; needed when a postmortem may open. */
  postmortemTemplate?: string;
}

export interface EngineResult {
  action: ActionTaken;
  state?: IncidentState;
  plan: Plan;
  /** One line a step, for logs and the Action's job summary. */
  notes: string[];
  /**
   * The decision needs closed incidents it was not given (the family changed, so repeats are
   * looked up again): the shell reads them and decides once more.
   */
  wants?: "closed-incidents";
}

interface Work {
  input: EngineInput;
  before?: IncidentState;
  state: IncidentState;
  userText: string;
  replies: Reply[];
  notices: Plan["notices"];
  reactions: number[];
  notes: string[];
  openPostmortem: boolean;
  reopen: boolean;
}

const REFUSAL =
  "Sorry — only people with triage permission on this repository (or listed under `responders` in `.github/firebreak.yml`) can run Firebreak commands. Nothing was changed.";

export function decide(input: EngineInput): EngineResult {
  const { issue, event } = input;
  const parsed = parseBody(issue.body);
  if (issue.pull_request !== undefined) return ignored(issue.number, "pull requests are not incidents");
  if (event.kind === "declare") {
    if (parsed.state) return ignored(issue.number, "already declared: the card exists");
    return declare(input, parsed.userText);
  }
  if (event.kind === "edited") return restoreSection(input, event, parsed.userText);
  let state = parsed.state;
  const notes: string[] = [];
  if (!state) {
    if (!isFirebreakIssue(issue, input.config)) return ignored(issue.number, "not an incident");
    // Labelled by hand before a card existed (or a card that did not decode): declare now.
    const declared = declare(input, parsed.userText);
    if (!declared.state) return declared;
    state = declared.state;
    notes.push(...declared.notes);
  }
  const work: Work = {
    input,
    before: parsed.state,
    state,
    userText: parsed.userText,
    replies: [],
    notices: [],
    reactions: [],
    notes,
    openPostmortem: false,
    reopen: false,
  };
  let action: ActionTaken = "command";
  // Any event that brought the log along also catches up on commands a cancelled run never applied.
  if (input.log && event.kind !== "commands") applyLog(work);
  // A close whose own event was never handled (a cancelled run, a failed delivery) is caught
  // up by the next event that brought the log, which the gate needs.
  const unhandledClose =
    input.log && event.kind !== "closed" && event.kind !== "reopened" && issue.state === "closed" && isOpenStatus(work.state.status);
  switch (event.kind) {
    case "commands":
      applyLog(work);
      action = work.reactions.length > 0 || work.replies.length > 0 ? "command" : "reconciled";
      break;
    case "label":
      handLabel(work, event);
      action = "reconciled";
      break;
    case "assignee":
      handAssignee(work, event);
      action = "reconciled";
      break;
    case "reopened":
      if (isClosedStatus(work.state.status)) {
        work.state = timeline({ ...work.state, status: "investigating" }, event.at, "Reopened", event.actor);
      }
      action = "reconciled";
      break;
    case "closed":
      action = close(work, event);
      break;
  }
  if (unhandledClose) {
    action = close(work, { kind: "closed", at: issue.closed_at ?? event.at, actor: issue.user?.login ?? "ghost", reason: issue.state_reason ?? "completed" });
  }
  return finish(work, action);
}

/**
 * Editing the Firebreak section changes nothing (SPEC §12): the section as it was before the
 * edit is put back above the user's new text. Edits to the user's own text need nothing.
 */
function restoreSection(input: EngineInput, event: Extract<IncidentEvent, { kind: "edited" }>, userText: string): EngineResult {
  const previous = parseBody(event.previousBody);
  if (!previous.state) return ignored(input.issue.number, "an edit of an issue without a card");
  const update = issueUpdate(input, previous.state, previous.state, userText);
  const plan = emptyPlan(input.issue.number);
  if (update?.body) plan.update = { body: update.body };
  const notes = [update?.body ? `restored the Firebreak section edited by ${event.actor}` : "edit left the Firebreak section as it was"];
  return { action: update?.body ? "reconciled" : "ignored", state: previous.state, plan, notes };
}

function ignored(issue: number, why: string): EngineResult {
  return { action: "ignored", plan: emptyPlan(issue), notes: [`ignored: ${why}`] };
}

function timeline(state: IncidentState, at: string, text: string, by?: string): IncidentState {
  return { ...state, timeline: [...state.timeline, { at, text, ...(by ? { by } : {}) }] };
}

function declare(input: EngineInput, userText: string): EngineResult {
  const { issue, config } = input;
  const declaration = parseDeclaration(userText, input.formTemplate, input.shippedForm);
  const detector = issue.user?.login ?? "ghost";
  // The author is the detector; a responder who labels someone's issue as an incident declares it.
  const declarer = input.event.kind === "declare" ? input.event.actor : detector;
  const authorised = input.mayCommand(detector, issue.author_association) || (declarer !== detector && input.mayCommand(declarer, undefined));
  const classification = classify(declaration, authorised);
  const at = input.event.at;
  const state = initialState({
    declaration,
    classification,
    detector,
    openedAt: issue.created_at,
    at,
    releases: input.releases ?? [],
    lookbackHours: config.lookback_hours,
  });
  const notes = [
    classification.kind === "incident"
      ? `declared SEV${state.severity}${state.layer.likely ? `, likely layer ${state.layer.likely}` : ""}`
      : `routine variance: ${classification.reason}`,
  ];
  const replies: Reply[] = [];
  const notices: Plan["notices"] = [];
  if (classification.kind === "routine-variance") {
    replies.push({
      key: "routine-variance",
      body: `**Not declared as an incident.** ${classification.reason}\n\nIf waiting does cost materially more, a responder can declare it with \`/escalate\`.`,
    });
  }
  const work: Work = {
    input,
    state,
    userText,
    replies,
    notices,
    reactions: [],
    notes,
    openPostmortem: false,
    reopen: false,
  };
  return finish(work, classification.kind === "incident" ? "declared" : "routine-variance");
}

function findRepeatFor(
  input: EngineInput,
  state: IncidentState,
  at: string,
): { state: IncidentState; notice: Plan["notices"][number] } | undefined {
  const candidates = (input.repeatCandidates ?? []).filter((c) => c.number !== input.issue.number);
  const earlier = findRepeat(state, candidates, input.config.repeat_window_days, at);
  if (!earlier) return undefined;
  return {
    state: timeline(
      {
        ...state,
        repeatOf: {
          issue: earlier.number,
          ...(earlier.postmortem ? { postmortem: earlier.postmortem.number } : {}),
          ...(earlier.postmortem?.fix ? { fix: earlier.postmortem.fix.slice(0, 4000) } : {}),
        },
      },
      at,
      `Repeat of #${earlier.number}`,
    ),
    notice: {
      issue: earlier.postmortem?.number ?? earlier.number,
      key: `repeat-${input.issue.number}`,
      body: repeatNoticeForEarlierPostmortem({ number: input.issue.number, url: input.issue.html_url }, earlier),
    },
  };
}

/** Applies every authorised command comment in the log that the record has not applied yet. */
function applyLog(work: Work): void {
  const { input } = work;
  for (const { comment, parsed } of pendingCommands(input.log ?? [], work.state, input.isBot)) {
    const author = comment.user?.login ?? "ghost";
    const { commands, nearMisses } = parsed;
    work.state = { ...work.state, applied: [...work.state.applied, comment.id] };
    const key = `c${comment.id}`;
    if (!input.mayCommand(author, comment.author_association)) {
      work.replies.push({ key, body: REFUSAL });
      work.notes.push(`refused comment ${comment.id} by ${author}`);
      continue;
    }
    const messages: string[] = [];
    let accepted = 0;
    for (const line of commands) {
      const result = commandNamed(line.name).run(work.state, line, {
        at: comment.created_at,
        by: author,
        commentId: comment.id,
        config: input.config,
      });
      if ("error" in result) {
        messages.push(`⚠️ ${result.error}`);
        work.notes.push(`/${line.name} by ${author} failed: ${result.error}`);
        continue;
      }
      accepted += 1;
      work.state = result.state;
      if (result.reply) messages.push(result.reply);
      if (result.openPostmortem) work.openPostmortem = true;
      work.notes.push(`/${line.name} by ${author} applied`);
    }
    for (const miss of nearMisses) {
      messages.push(`\`/${inline(miss.word, 40)}\` is not a Firebreak command — did you mean \`/${miss.suggestion}\`? (\`/help\` lists them all.)`);
    }
    if (accepted > 0) work.reactions.push(comment.id);
    if (messages.length > 0) work.replies.push({ key, body: messages.join("\n\n") });
  }
}

function handLabel(work: Work, event: Extract<IncidentEvent, { kind: "label" }>): void {
  const meaning = labelMeaning(event.label, work.input.config);
  if (!meaning || !event.added) return; // removals and other labels are restored from the record
  if (!work.input.mayCommand(event.actor, undefined)) {
    work.notes.push(`restored labels changed by ${event.actor} (not authorised)`);
    return;
  }
  work.state =
    "severity" in meaning
      ? setSeverity(work.state, meaning.severity, event.at, event.actor)
      : setLikelyLayer(work.state, meaning.layer, undefined, "label", event.at, event.actor);
}

function handAssignee(work: Work, event: Extract<IncidentEvent, { kind: "assignee" }>): void {
  const owner = work.state.roles.owner;
  if (!work.input.mayCommand(event.actor, undefined)) {
    work.notes.push(`restored the owner changed by ${event.actor} (not authorised)`);
    return;
  }
  if (event.added && event.login !== owner) {
    work.state = setOwner(work.state, event.login, event.at, event.actor);
  } else if (!event.added && event.login === owner) {
    work.state = timeline({ ...work.state, roles: { ...work.state.roles, owner: undefined } }, event.at, `Owner ${owner} unassigned`, event.actor);
  }
}

function close(work: Work, event: Extract<IncidentEvent, { kind: "closed" }>): ActionTaken {
  const state = work.state;
  if (isDismissedOrVariance(state.status)) return "ignored";
  if (event.reason === "not_planned" || event.reason === "duplicate") {
    work.state = timeline({ ...state, status: "dismissed" }, event.at, `Dismissed (closed as ${event.reason.replace("_", " ")})`, event.actor);
    return "reconciled";
  }
  if (isClosedIncident(state.status)) return "ignored";
  // A recorded resolution the log does not bear out was forged or its comment deleted: the
  // record is rebuilt from the log, which decides.
  if (state.resolution && !resolutionConfirmed(work)) replayLog(work, event.at);
  if (!resolutionConfirmed(work)) {
    if (!work.input.config.gate_incident_close) {
      work.state = timeline({ ...state, status: "closed", times: { ...state.times, closed: event.at } }, event.at, "Closed without a recorded cause", event.actor);
      return "reconciled";
    }
    work.reopen = true;
    work.replies.push({
      key: `gate-${Date.parse(event.at)}`,
      body: [
        "**Reopened: this incident has no recorded resolution yet.** Before closing, record what broke and what proved it:",
        "",
        "```",
        "/resolve",
        "cause: <what broke>",
        "layer: <economics|measurement|conversion|delivery|operations>",
        "evidence: <what proved it — a query, a screenshot, a test order>",
        "fix: <what fixed it>",
        "```",
        "",
        "Close it as _not planned_ instead if it turned out not to be an incident.",
      ].join("\n"),
    });
    return "reopened";
  }
  const complete = state.postmortem?.complete === true;
  work.state = timeline({ ...state, status: complete ? "postmortem-complete" : "closed", times: { ...state.times, closed: event.at } }, event.at, "Closed", event.actor);
  if (state.postmortem) return "reconciled";
  work.openPostmortem = true;
  return "postmortem-opened";
}

/**
 * Rebuilds the command-made part of the record from the comment log alone: the declaration
 * stays, everything commands set is reset and every authorised command is applied again in
 * order. Comments already acknowledged are not reacted to again.
 */
function replayLog(work: Work, at: string): void {
  const s = work.state;
  const declared = Date.parse(s.declaredAt);
  work.state = {
    ...s,
    status: "triage",
    roles: { detector: s.roles.detector, responders: [] },
    containment: [],
    check: undefined,
    interventions: [],
    maxParallel: 0,
    updates: [],
    resolution: undefined,
    layer: { ...s.layer, confirmed: undefined },
    times: {},
    timeline: [...s.timeline.filter((e) => Date.parse(e.at) <= declared), { at, text: "Record rebuilt from the comment log" }],
    applied: [],
    appliedThrough: undefined,
  };
  const reactions = work.reactions.length;
  const acknowledged = new Set(s.applied);
  applyLog(work);
  work.reactions = [...work.reactions.slice(0, reactions), ...work.reactions.slice(reactions).filter((id) => !acknowledged.has(id))];
  work.notes.push("the record did not match the comment log: rebuilt from the log");
}

/**
 * The gate is decided from the log, never from the body: the recorded `/resolve` comment must
 * still be in the log, written by someone who may command.
 */
function resolutionConfirmed(work: Work): boolean {
  const resolution = work.state.resolution;
  if (!resolution) return false;
  const comment = work.input.log?.find((c) => c.id === resolution.commentId);
  if (!comment) return false;
  const author = comment.user?.login ?? "ghost";
  return parseComment(comment.body).commands.some((c) => c.name === "resolve") && work.input.mayCommand(author, comment.author_association);
}

function notify(work: Work): void {
  const state = work.state;
  if (isDismissedOrVariance(state.status)) return;
  if (state.notified.includes(state.severity)) return;
  const people = work.input.config.notify[state.severity];
  if (people.length === 0) return;
  work.state = { ...state, notified: [...state.notified, state.severity] };
  work.replies.push({
    key: `notify-sev${state.severity}`,
    body: `SEV${state.severity} incident — ${people.map(mention).join(" ")} for your attention.`,
  });
}

/** Repeats are looked up at declaration and again whenever the layer changes (SPEC §12). */
function checkRepeat(work: Work): void {
  const state = work.state;
  if (!work.input.repeatCandidates || state.repeatOf || isDismissedOrVariance(state.status)) return;
  const repeat = findRepeatFor(work.input, state, work.input.event.at);
  if (!repeat) return;
  work.state = repeat.state;
  work.notices.push(repeat.notice);
}

function finish(work: Work, action: ActionTaken): EngineResult {
  const { input } = work;
  checkRepeat(work);
  notify(work);
  const plan = emptyPlan(input.issue.number);
  const alreadyReplied = new Set(work.state.replied);
  const replies = work.replies.filter((r) => !alreadyReplied.has(r.key));
  work.state = { ...work.state, replied: [...work.state.replied, ...replies.map((r) => r.key)].slice(-500) };
  if (work.openPostmortem && !work.state.postmortem) {
    plan.postmortem = draftPostmortem({
      incident: { number: input.issue.number, title: input.issue.title, url: input.issue.html_url },
      state: work.state,
      config: input.config,
      template: input.postmortemTemplate ?? "",
      now: input.event.at,
    });
  }
  acknowledge(work);
  plan.update = issueUpdate(input, work.before, work.state, work.userText, work.reopen);
  plan.reactions = work.reactions;
  plan.replies = replies;
  plan.notices = work.notices;
  const wants = !input.repeatCandidates && !work.state.repeatOf && familyChanged(work.before, work.state) ? { wants: "closed-incidents" as const } : {};
  return { action, state: work.state, plan, notes: work.notes, ...wants };
}

/**
 * The card is written before the acknowledgements, so the record lists the comments it applied
 * that may still lack their +1. An event that read the log reacts again to those whose rollup
 * shows none; a list that only shrank is not worth a write of its own.
 */
function acknowledge(work: Work): void {
  const log = work.input.log;
  const earlier = work.state.unacked ?? [];
  // A comment without a rollup (not what GitHub lists) tells nothing: only a counted zero is missing.
  const missing = log ? earlier.filter((id) => log.find((c) => c.id === id)?.reactions?.["+1"] === 0) : earlier;
  if (log) work.reactions = [...new Set([...missing, ...work.reactions])];
  const unacked = [...new Set([...missing, ...work.reactions])].slice(-100);
  if (work.reactions.length === 0 && unacked.every((id) => earlier.includes(id))) return;
  work.state = { ...work.state, unacked };
}

/** The single PATCH that brings the issue in line with the record; undefined when nothing changes. */
export function issueUpdate(
  input: Pick<EngineInput, "issue" | "config" | "event">,
  before: IncidentState | undefined,
  state: IncidentState,
  userText: string,
  reopen = false,
): IssueUpdate | undefined {
  const { issue, config } = input;
  const update: IssueUpdate = {};
  // The card is a function of the record alone, so an event that changes nothing writes nothing:
  // keys in schema order (a decoded record re-encodes byte for byte) and "so far" figures
  // measured to the record's latest entry, not to whichever event happens to render it.
  const record = incidentStateSchema.safeParse(compactState(state, 150));
  // A record that would not decode again is never written: the next event would declare anew.
  const body = record.success ? renderBody(record.data, userText, { config, now: lastRecorded(state) ?? input.event.at, issueUrl: issue.html_url }) : undefined;
  if (body !== undefined && body !== issue.body) update.body = body;
  const labels = desiredLabels(state, issue.labels, config);
  if (!sameSet(labels, issue.labels)) update.labels = labels;
  // An owner GitHub would not assign (ownerNote) is recorded on the card only: asking again on
  // every event would repeat the refusal.
  const assignees = desiredAssignees(issue.assignees, before?.roles.owner, state.roles.ownerNote ? undefined : state.roles.owner);
  if (!sameSet(assignees, issue.assignees)) update.assignees = assignees;
  if (reopen && issue.state === "closed") {
    update.state = "open";
    update.state_reason = "reopened";
  }
  return Object.keys(update).length > 0 ? update : undefined;
}

function lastRecorded(state: IncidentState): string | undefined {
  let latest: string | undefined;
  for (const at of [state.declaredAt, ...state.timeline.map((e) => e.at)]) {
    if (Number.isFinite(Date.parse(at)) && (latest === undefined || Date.parse(at) > Date.parse(latest))) latest = at;
  }
  return latest;
}

/** Help text for the CLI and README, from the same registry the commands run from. */
export function commandReference(): { usage: string; summary: string }[] {
  return COMMANDS.map((c) => ({ usage: c.usage, summary: c.summary }));
}
