// What an issue event needs read from GitHub before the core can decide it. The shell asks
// here, reads exactly that, and hands it to `decide`: it never mirrors a rule of the engine.
import { parseBody } from "../card.js";
import type { ParsedComment } from "../commands/grammar.js";
import { parseComment } from "../commands/grammar.js";
import type { FirebreakConfig } from "../config.js";
import { parsePostmortemMarker, replyKeyOf } from "../model/markers.js";
import type { CommentView, IncidentState, IssueView } from "../model/incident.js";
import type { IncidentEvent } from "./types.js";

/** Where an issue event goes: nowhere, the postmortem gate, or the incident engine. */
export type IssueRoute =
  | { kind: "ignore"; reason: string }
  | { kind: "postmortem-closed"; incident: number }
  | { kind: "incident"; event: IncidentEvent; declaring: boolean }
  /**
   * An issue opened without the incident label whose body has form headings: GitHub drops a
   * form's labels that do not exist yet, so the shell reads the form and, when the body is a
   * submission of it (`isFormSubmission`), declares it with the label added.
   */
  | { kind: "unlabelled-form"; event: IncidentEvent };

function sameLogin(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

export function hasIncidentLabel(issue: IssueView, config: FirebreakConfig): boolean {
  return issue.labels.some((l) => sameLogin(l, config.labels.incident));
}

export function isFirebreakIssue(issue: IssueView, config: FirebreakConfig): boolean {
  return parseBody(issue.body).hasCard || hasIncidentLabel(issue, config);
}

/**
 * A card Firebreak cannot show it wrote, on an issue that carries neither the incident nor the
 * routine-variance label, is just text someone copied (SPEC §13): the issue is nobody's incident.
 */
export function forgedCardOnly(issue: IssueView, config: FirebreakConfig): boolean {
  return !hasIncidentLabel(issue, config) && !issue.labels.some((l) => sameLogin(l, config.labels.routine_variance));
}

/** Firebreak's own events never run: no loops. Known before the config is read. */
export function causedBySelf(sender: { login: string }, botLogin: string): boolean {
  return sameLogin(sender.login, botLogin);
}

/** Other bots' events run only when `allow_bots` lists them. */
export function senderIgnored(sender: { login: string; type: string }, config: FirebreakConfig): string | undefined {
  const bot = sender.type === "Bot" || sender.login.endsWith("[bot]");
  if (bot && !config.allow_bots.some((b) => sameLogin(b, sender.login))) return `event from another bot (${sender.login})`;
  return undefined;
}

/** Logins whose comments are never commands: Firebreak itself and bots `allow_bots` does not list. */
export function commentsIgnoredFrom(botLogin: string, config: FirebreakConfig): (login: string) => boolean {
  return (login) => sameLogin(login, botLogin) || (login.endsWith("[bot]") && !config.allow_bots.some((b) => sameLogin(b, login)));
}

/**
 * Where an issue event goes. An issue is a postmortem only when Firebreak created it (`self`, the
 * login it writes as, is its author): a copied marker in anyone else's issue means nothing
 * (SPEC §13). Whether incident N's record names it is checked when the incident is read.
 */
export function routeIssueEvent(event: IncidentEvent, issue: IssueView, config: FirebreakConfig, self: string): IssueRoute {
  if (issue.pull_request !== undefined) return { kind: "ignore", reason: "pull requests are not incidents" };
  const postmortemOf = sameLogin(issue.user?.login ?? "", self) ? parsePostmortemMarker(issue.body) : undefined;
  if (postmortemOf !== undefined) {
    return event.kind === "closed" ? { kind: "postmortem-closed", incident: postmortemOf } : { kind: "ignore", reason: "postmortem issue: only its closing is gated" };
  }
  // A form submission (opened) or the incident label added by hand declares; both may arrive.
  const declaring = event.kind === "declare" || (event.kind === "label" && event.added && sameLogin(event.label, config.labels.incident));
  if (declaring) {
    if (!hasIncidentLabel(issue, config)) {
      if (event.kind === "declare" && /^ {0,3}###[ \t]/m.test(issue.body)) return { kind: "unlabelled-form", event };
      return { kind: "ignore", reason: "not labelled as an incident" };
    }
    return { kind: "incident", declaring, event: { kind: "declare", at: event.at, actor: "actor" in event ? event.actor : "" } };
  }
  if (!isFirebreakIssue(issue, config)) return { kind: "ignore", reason: "not an incident" };
  return { kind: "incident", declaring, event };
}

/** What to read before deciding; the shell reads the log first, then `afterLog` says the rest. */
export interface Reads {
  /** The issue form (repository's or shipped): maps a declaration's headings to field ids. */
  form: boolean;
  /** The comment log: commands, the close gate and catching up on missed commands. */
  log: boolean;
  /** Releases before the start and closed incidents (repeats): a declaration's context. */
  releases: boolean;
  closedIncidents: boolean;
  /** Permissions to look up before deciding (label and assignee changes, the declarer). */
  logins: { login: string; association?: string }[];
  /** The logins are alternatives (author or declarer): looking up stops at the first allowed. */
  anyOf?: boolean;
}

export function readsFor(
  route: Extract<IssueRoute, { kind: "incident" }>,
  issue: IssueView,
  comment?: CommentView,
  recordTrusted = true,
): Reads | { skip: string } {
  const raw = parseBody(issue.body);
  // A record Firebreak cannot show it wrote is not read at all: it is rebuilt from the log.
  const parsed = recordTrusted ? raw : { ...raw, state: undefined, hasCard: false };
  const { event } = route;
  const reads: Reads = { form: route.declaring || !parsed.hasCard, log: !recordTrusted && !route.declaring, releases: false, closedIncidents: false, logins: [] };
  if (route.declaring) {
    if (parsed.hasCard) return { skip: "already declared" };
    const author = issue.user?.login ?? "ghost";
    reads.logins.push({ login: author, ...(issue.author_association ? { association: issue.author_association } : {}) });
    // A responder who labels someone else's issue declares it: their permission counts too.
    if (event.kind === "declare" && event.actor && !sameLogin(event.actor, author)) reads.logins.push({ login: event.actor });
    reads.anyOf = true;
    reads.releases = true;
    reads.closedIncidents = true;
    return reads;
  }
  if (event.kind === "commands" || event.kind === "closed") {
    // A comment the record already applied (an earlier event took in the whole log, or this is a
    // redelivery) needs nothing: answered without a call.
    if (event.kind === "commands" && comment && parsed.state && isApplied(parsed.state, comment.id)) return { skip: `comment ${comment.id} is already applied` };
    reads.log = true;
  }
  if (!recordTrusted) {
    // The rebuild declares again, from what a declaration reads: whether the author may declare
    // decides incident or variance, releases say what changed, closed incidents say repeat.
    reads.releases = true;
    reads.closedIncidents = true;
    reads.logins.push({ login: issue.user?.login ?? "ghost", ...(issue.author_association ? { association: issue.author_association } : {}) });
  }
  if (event.kind === "label" || event.kind === "assignee" || event.kind === "reopened") {
    reads.logins.push({ login: event.actor });
  }
  // Who closed it decides whether the close counts (an outsider author cannot dismiss an incident).
  if (event.kind === "closed" && event.actor) reads.logins.push({ login: event.actor });
  return reads;
}

function isApplied(state: IncidentState, commentId: number): boolean {
  return state.applied.includes(commentId) || commentId <= (state.appliedThrough ?? 0);
}

export interface PendingCommand {
  comment: CommentView;
  parsed: ParsedComment;
}

/**
 * Command comments in the log that the record has not applied yet, oldest first: the engine
 * applies exactly these, and the shell looks up exactly their authors' permissions.
 */
export function pendingCommands(
  log: readonly CommentView[],
  state: IncidentState | undefined,
  ignoredAuthor: (login: string) => boolean,
  isSelf?: (login: string) => boolean,
): PendingCommand[] {
  // A command Firebreak already answered without applying (a refusal) stays answered: the record
  // never lists it, so an outsider's comment costs no write beyond that one reply.
  const answered = isSelf ? firebreakReplyKeys(log, isSelf) : new Set<string>();
  const sorted = [...log].sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id);
  const out: PendingCommand[] = [];
  for (const comment of sorted) {
    if (state && isApplied(state, comment.id)) continue;
    if (ignoredAuthor(comment.user?.login ?? "ghost")) continue;
    if (answered.has(`c${comment.id}`)) continue;
    const parsed = parseComment(comment.body);
    if (parsed.commands.length === 0 && parsed.nearMisses.length === 0) continue;
    out.push({ comment, parsed });
  }
  return out;
}

/** Reply keys of the comments Firebreak wrote: a key copied into anyone else's comment means nothing (SPEC §13). */
export function firebreakReplyKeys(log: readonly CommentView[], isSelf: (login: string) => boolean): Set<string> {
  const keys = new Set<string>();
  for (const c of log) {
    if (!isSelf(c.user?.login ?? "ghost")) continue;
    const key = replyKeyOf(c.body);
    if (key) keys.add(key);
  }
  return keys;
}

/** Once the log is read: whose permission the decision needs, and whether a postmortem may open. */
export function readsAfterLog(
  event: IncidentEvent,
  issue: IssueView,
  log: readonly CommentView[],
  ignoredAuthor: (login: string) => boolean,
  isSelf?: (login: string) => boolean,
  recordTrusted = true,
): { logins: { login: string; association?: string }[]; postmortemTemplate: boolean } {
  const state = recordTrusted ? parseBody(issue.body).state : undefined;
  const pending = pendingCommands(log, state, ignoredAuthor, isSelf);
  const logins = pending.map(({ comment }) => ({ login: comment.user?.login ?? "ghost", ...(comment.author_association ? { association: comment.author_association } : {}) }));
  // The close gate trusts the recorded /resolve only when its author may command.
  const resolution = state?.resolution && log.find((c) => c.id === state.resolution?.commentId);
  if (resolution) logins.push({ login: resolution.user?.login ?? "ghost", ...(resolution.author_association ? { association: resolution.author_association } : {}) });
  // Only what can open the postmortem (a close of a resolved incident, `/postmortem`) needs its template.
  const postmortemTemplate =
    pending.some(({ parsed }) => parsed.commands.some((c) => c.name === "postmortem")) || (event.kind === "closed" && !!state?.resolution && !state.postmortem);
  return { logins, postmortemTemplate };
}
