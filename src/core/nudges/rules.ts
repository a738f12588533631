// Cadence and nudges (SPEC §15): who owes the next move on an incident or a postmortem, and by
// when. Pure: every time is a GitHub timestamp from the record (or the postmortem's `Due:`
// line) or the scheduled pass's time, handed in as `at` — never a mixture with a clock.
import type { FirebreakConfig } from "../config.js";
import type { IncidentState } from "../model/incident.js";
import { nudgeKey } from "../model/markers.js";
import { isOpenBefore } from "../model/status.js";
import { postmortemDue } from "../postmortem/gate.js";
import { inline, mention, person } from "../text/inert.js";
import { formatUtc, isoMs, parseDuration } from "../time.js";

export const NUDGE_RULES = ["owner", "update", "check", "postmortem"] as const;
export type NudgeRule = (typeof NUDGE_RULES)[number];

const DAY = 86_400_000;
const WEEK = 7 * DAY;

/** A move someone owes, and when it falls due. */
export interface Deadline {
  rule: NudgeRule;
  /**
   * The last event that satisfied the rule (the last update, the declaration, the check being set,
   * the due day): a GitHub time, so reminders for it are found among comments GitHub dated later.
   */
  since: number;
  /** When the move falls overdue; reminder windows of one `period` count from here. */
  dueAt: number;
  period: number;
  /** Who owes it: logins or org/team slugs, mentioned in the reminder. Empty when nobody does. */
  to: string[];
  /** The check's text, for its reminder. */
  subject?: string;
}

/** A deadline past due at the pass's time, in its current window. */
export interface Overdue extends Deadline {
  /** The current window's start (ISO): one reminder per window. */
  window: string;
  /** The reminder's hidden key: the rule and the window. */
  key: string;
}

const periodOf = (duration: string): number => parseDuration(duration) ?? DAY;

/**
 * The incident's deadlines while it is worked (triage, investigating, contained): none once
 * it is resolved, closed or dismissed — nobody owes an update then.
 */
export function incidentDeadlines(state: IncidentState, config: FirebreakConfig): Deadline[] {
  if (!isOpenBefore(state.status, "resolved")) return [];
  const level = config.severities[state.severity];
  const declared = isoMs(state.declaredAt);
  if (declared === undefined) return [];
  const out: Deadline[] = [];
  const owner = state.roles.owner;
  if (owner === undefined) {
    const period = periodOf(level.owner_within);
    const notify = config.notify[state.severity];
    out.push({ rule: "owner", since: declared, dueAt: declared + period, period, to: notify.length > 0 ? [...notify] : [state.roles.detector] });
  } else {
    // Without an owner nobody owes an update: the owner rule stands in for it.
    const period = periodOf(level.update_every);
    const last = isoMs(state.updates.at(-1)?.at) ?? declared;
    out.push({ rule: "update", since: last, dueAt: last + period, period, to: [owner] });
  }
  const check = state.check;
  const due = isoMs(check?.due);
  const setAt = isoMs(check?.at);
  // A check is answered by an /update after it was set (or replaced by a new /check).
  if (check && due !== undefined && setAt !== undefined && !state.updates.some((u) => (isoMs(u.at) ?? 0) > setAt)) {
    out.push({ rule: "check", since: setAt, dueAt: due, period: periodOf(level.update_every), to: [check.assignee ?? check.by], subject: check.text });
  }
  return out;
}

/**
 * A postmortem's deadline: the end of its `Due:` day (UTC), then weekly. `owners` are its
 * assignees (the incident's owner when Firebreak opened it).
 */
export function postmortemDeadline(body: string, owners: readonly string[]): Deadline | undefined {
  const due = postmortemDue(body);
  const day = due === undefined ? undefined : isoMs(`${due}T00:00:00Z`);
  if (day === undefined) return undefined;
  return { rule: "postmortem", since: day, dueAt: day + DAY, period: WEEK, to: [...owners] };
}

/** The deadline's current window at `at`, when it is past due; undefined before. */
export function overdueAt(deadline: Deadline, at: string): Overdue | undefined {
  const now = isoMs(at);
  if (now === undefined || now < deadline.dueAt) return undefined;
  const start = deadline.dueAt + Math.floor((now - deadline.dueAt) / deadline.period) * deadline.period;
  const window = new Date(start).toISOString();
  return { ...deadline, window, key: nudgeKey(deadline.rule, window) };
}

/** What is overdue on an incident at `at`, the longest overdue first. */
export function incidentOverdue(state: IncidentState, config: FirebreakConfig, at: string): Overdue[] {
  return incidentDeadlines(state, config)
    .flatMap((d) => overdueAt(d, at) ?? [])
    .sort((a, b) => a.dueAt - b.dueAt);
}

const time = (ms: number) => formatUtc(new Date(ms));

const SUBJECT: Record<NudgeRule, string> = {
  owner: "owner",
  update: "update",
  check: "check answer",
  postmortem: "postmortem",
};

/** The card's line: each deadline with its time, marked once it is overdue at the card's time. */
export function deadlinesLine(state: IncidentState, config: FirebreakConfig, now: string): string | undefined {
  const deadlines = incidentDeadlines(state, config);
  if (deadlines.length === 0) return undefined;
  const items = deadlines.map((d) => {
    const late = overdueAt(d, now) !== undefined;
    return `${SUBJECT[d.rule]} ${late ? `⚠️ **overdue** since ${time(d.dueAt)}` : `by ${time(d.dueAt)}`} (${d.to.map(person).join(", ")})`;
  });
  return `**Due** ${items.join(" · ")}`;
}

/** The reminder's text for one overdue move, addressed to whoever owes it (SPEC §12: Firebreak decided to ping them). */
export function nudgeText(overdue: Overdue, state: Pick<IncidentState, "severity"> | undefined, config: FirebreakConfig): string {
  // Addressed to whoever owes the move, or as a plain sentence when nobody does by name.
  const ask = (text: string) => (overdue.to.length > 0 ? `${overdue.to.map(mention).join(" ")} — ${text}` : `${text.charAt(0).toUpperCase()}${text.slice(1)}`);
  const again = `Firebreak reminds again at ${time(Date.parse(overdue.window) + overdue.period)} while it stays overdue.`;
  const sev = state ? `SEV${state.severity}` : "";
  const level = state ? config.severities[state.severity] : undefined;
  switch (overdue.rule) {
    case "owner":
      return `⏰ **No owner yet.** ${sev} asks for an owner within ${level?.owner_within ?? ""} of declaration (${time(overdue.since)}). ${ask("who takes it? `/owner @login`")}\n\n${again}`;
    case "update":
      return `⏰ **Update overdue.** ${sev} asks for an update every ${level?.update_every ?? ""}; the last was at ${time(overdue.since)}. ${ask("please post an `/update` with what is known now (symptom, scope, layer, confidence, owner, next).")}\n\n${again}`;
    case "check":
      return `⏰ **Next check overdue.** "${inline(overdue.subject, 200)}" was due at ${time(overdue.dueAt)}. ${ask("post its answer with `/update`, or set the next `/check`.")}\n\n${again}`;
    case "postmortem":
      return `⏰ **Postmortem overdue.** It was due on ${new Date(overdue.since).toISOString().slice(0, 10)}. ${overdue.to.length > 0 ? ask("please answer its questions and tick its checklist.") : "Nobody is assigned: assign an owner, then answer its questions and tick its checklist."}\n\n${again}`;
  }
}
