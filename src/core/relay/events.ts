// Which incident news an event made (SPEC §16): read from the record before and after it, so
// the same comment or close gives the same events in the App, the Action and a reconcile run.
// Each event has a key stable across retries and instances; the record keeps the keys relayed.
import type { IncidentState } from "../model/incident.js";
import type { RelayDestination, RelayEventKind } from "./config.js";

export interface RelayEvent {
  kind: RelayEventKind;
  /** Unique per incident and event: `update@20261130T040512Z`, `postmortem-complete#41`. */
  key: string;
  at: string;
}

/** `2026-11-30T04:05:12Z` → `20261130T040512Z`: keys stay short in the record. */
function stamp(at: string): string {
  return at.replace(/[-:]|\.\d+/g, "");
}

const open = (s: IncidentState | undefined) => s !== undefined && s.status !== "routine-variance" && s.status !== "dismissed";

/**
 * The events between two records. `before` is undefined for an issue without a trusted record:
 * only a declaration is news then (a rebuilt record must not replay the incident's history).
 */
export function relayEvents(before: IncidentState | undefined, after: IncidentState, at: string): RelayEvent[] {
  const events: RelayEvent[] = [];
  const add = (kind: RelayEventKind, key: string, when: string) => events.push({ kind, key, at: when });
  if (!open(before) && open(after) && (before !== undefined || after.status === "triage")) add("declared", `declared@${stamp(after.declaredAt)}`, after.declaredAt);
  if (before === undefined) return events;
  const seen = new Set(before.updates.map((u) => u.at));
  for (const u of after.updates) if (!seen.has(u.at)) add("update", `update@${stamp(u.at)}`, u.at);
  if (open(before) && before.severity !== after.severity) add("severity", `severity${after.severity}@${stamp(at)}`, at);
  const t = after.times;
  if (t.contained && t.contained !== before.times.contained) add("contained", `contained@${stamp(t.contained)}`, t.contained);
  if (t.resolved && t.resolved !== before.times.resolved) add("resolved", `resolved@${stamp(t.resolved)}`, t.resolved);
  if (t.closed && t.closed !== before.times.closed && after.status === "closed") add("closed", `closed@${stamp(t.closed)}`, t.closed);
  if (after.postmortem?.complete && !before.postmortem?.complete) add("postmortem-complete", `postmortem-complete#${after.postmortem.issue}`, at);
  return events;
}

/** What the record keeps for one event sent to one destination. */
export function sentKey(event: RelayEvent, destination: Pick<RelayDestination, "url_env">): string {
  return `${event.key}>${destination.url_env}`;
}

/** The destinations an event goes to, by their `events` and `severities` filters, minus those it already reached. */
export function dueDestinations(event: RelayEvent, severity: number, destinations: readonly RelayDestination[], sent: readonly string[]): RelayDestination[] {
  const done = new Set(sent);
  return destinations.filter((d) => d.events.includes(event.kind) && (d.severities as number[]).includes(severity) && !done.has(sentKey(event, d)));
}
