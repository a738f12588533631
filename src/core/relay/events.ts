// Which incident news an event made (SPEC §16): read from the record before and after it, so
// the same comment or close gives the same events in the App, the Action and a reconcile run.
// Each event has a key stable across retries and instances (`kind@time`, the time GitHub gave
// the milestone); the record keeps the keys each destination got, and those still to send.
import type { IncidentState } from "../model/incident.js";
import type { RelayDestination, RelayEventKind } from "./config.js";
import { RELAY_EVENTS } from "./config.js";

export interface RelayEvent {
  kind: RelayEventKind;
  /** Unique per incident and event: `update@20261130T040512Z`. */
  key: string;
  at: string;
}

/** `2026-11-30T04:05:12.000Z` → `20261130T040512Z`: keys stay short in the record. */
function stamp(at: string): string {
  return new Date(at).toISOString().replace(/[-:]|\.\d+/g, "");
}

function event(kind: RelayEventKind, at: string): RelayEvent {
  return { kind, key: `${kind}@${stamp(at)}`, at: new Date(at).toISOString() };
}

const KEY = /^([a-z-]{1,30})@(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** The event a key names, for sending again what failed before; undefined for a key Firebreak does not write. */
export function eventOfKey(key: string): RelayEvent | undefined {
  const m = KEY.exec(key);
  const kind = RELAY_EVENTS.find((k) => k === m?.[1]);
  if (!m || !kind) return undefined;
  const at = `${m[2]}-${m[3]}-${m[4]}T${m[5]}:${m[6]}:${m[7]}Z`;
  return Number.isFinite(Date.parse(at)) ? event(kind, at) : undefined;
}

const open = (s: IncidentState | undefined) => s !== undefined && s.status !== "routine-variance" && s.status !== "dismissed";

/**
 * The events between two records at event time `at`. `before` is undefined for an issue without a
 * record Firebreak wrote: only a declaration is news then (a rebuilt record replays no history).
 */
export function relayEvents(before: IncidentState | undefined, after: IncidentState, at: string): RelayEvent[] {
  const events: RelayEvent[] = [];
  if (!open(before) && open(after) && (before !== undefined || after.status === "triage")) events.push(event("declared", after.declaredAt));
  if (before === undefined) return events;
  const seen = new Set(before.updates.map((u) => u.at));
  for (const u of after.updates) if (!seen.has(u.at)) events.push(event("update", u.at));
  if (open(before) && before.severity !== after.severity) events.push(event("severity", at));
  const t = after.times;
  if (t.contained && t.contained !== before.times.contained) events.push(event("contained", t.contained));
  if (t.resolved && t.resolved !== before.times.resolved) events.push(event("resolved", t.resolved));
  if (t.closed && t.closed !== before.times.closed && after.status === "closed") events.push(event("closed", t.closed));
  if (after.postmortem?.complete && !before.postmortem?.complete) events.push(event("postmortem-complete", at));
  return events.filter((e) => Number.isFinite(Date.parse(e.at)));
}

/** A reminder the nudge job sent (SPEC §15), keyed by the start of its window. */
export function nudgeEvent(window: string): RelayEvent {
  return event("nudge", window);
}

/** What the record keeps for one event and one destination. */
export function deliveryKey(event: RelayEvent, destination: Pick<RelayDestination, "url_env">): string {
  return `${event.key}>${destination.url_env}`;
}

export interface Delivery {
  event: RelayEvent;
  destination: RelayDestination;
}

/**
 * What to send now: this event's news to each destination whose `events` and `severities` take
 * it, and what failed before, less what the record says was delivered.
 */
export function dueDeliveries(events: readonly RelayEvent[], state: IncidentState, destinations: readonly RelayDestination[]): Delivery[] {
  const sent = new Set(state.relay?.sent ?? []);
  const due = new Map<string, Delivery>();
  const wants = (d: RelayDestination, e: RelayEvent) => d.events.includes(e.kind) && (d.severities as number[]).includes(state.severity);
  for (const pending of state.relay?.pending ?? []) {
    const [key = "", env] = pending.split(">");
    const e = eventOfKey(key);
    const d = destinations.find((x) => x.url_env === env);
    if (e && d && wants(d, e)) due.set(pending, { event: e, destination: d });
  }
  for (const e of events) for (const d of destinations) if (wants(d, e)) due.set(deliveryKey(e, d), { event: e, destination: d });
  return [...due].filter(([key]) => !sent.has(key)).map(([, delivery]) => delivery);
}
