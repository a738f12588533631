// The engine's words: the events it decides, what it is given, what it answers, and the work
// an event accumulates on its way through the rules.
import type { FirebreakConfig } from "../config.js";
import type { ReleaseView } from "../declaration/declare.js";
import type { CommentView, IncidentState, IssueView } from "../model/incident.js";
import type { ActionTaken, Plan, Reply } from "../model/plan.js";
import { emptyPlan } from "../model/plan.js";
import type { ClosedIncident } from "../repeat.js";

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
  /** Firebreak's own login: only its comments' reply keys count (SPEC §13). */
  isSelf?(login: string): boolean;
  /**
   * Whether the body's record is Firebreak's (SPEC §13: it wrote that body last). Untrusted, the
   * record is ignored and rebuilt from GitHub: the declaration from the issue, commands from the log.
   */
  recordTrusted?: boolean;
  /** What Firebreak last wrote to this issue's record, when the shell remembers it: an edit is undone to it. */
  lastWritten?: IncidentState;
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

export interface Work {
  input: EngineInput;
  before?: IncidentState;
  state: IncidentState;
  userText: string;
  replies: Reply[];
  /** Refusals: replied once (the log's reply key says so) and never recorded, so they cost no write of the card. */
  refusals?: Reply[];
  notices: Plan["notices"];
  reactions: number[];
  notes: string[];
  openPostmortem: boolean;
  reopen: boolean;
}

export function ignored(issue: number, why: string): EngineResult {
  return { action: "ignored", plan: emptyPlan(issue), notes: [`ignored: ${why}`] };
}

export function timeline(state: IncidentState, at: string, text: string, by?: string): IncidentState {
  return { ...state, timeline: [...state.timeline, { at, text, ...(by ? { by } : {}) }] };
}
