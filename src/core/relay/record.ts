// What the record keeps of relaying (SPEC §16): the deliveries made, so a retry or another
// instance never sends them again; those that failed, sent again on the next event or scheduled
// pass; and which destinations are failing now, for the card.
import type { IncidentState } from "../model/incident.js";

/** Enough for an incident's whole life: each event is one key per destination. */
const KEEP_SENT = 150;
const KEEP_PENDING = 50;

export interface RelayOutcome {
  /** Delivery keys (`event>URL_ENV`) the destinations took now. */
  sent: string[];
  failed: { key: string; destination: string; reason: string }[];
  /** Destinations (by name) that took everything sent to them now. */
  reached: string[];
}

/** The record with this run's deliveries; the same object when nothing changed. */
export function withRelayOutcome(state: IncidentState, outcome: RelayOutcome, at: string): IncidentState {
  const before = state.relay ?? { sent: [], pending: [], failing: [] };
  const recovered = before.failing.some((f) => outcome.reached.includes(f.destination));
  if (outcome.sent.length === 0 && outcome.failed.length === 0 && !recovered) return state;
  const failedNow = new Map(outcome.failed.map((f) => [f.destination, f.reason]));
  const failing = [
    ...before.failing.filter((f) => !outcome.reached.includes(f.destination) && !failedNow.has(f.destination)),
    ...[...failedNow].map(([destination, reason]) => ({
      destination,
      since: before.failing.find((f) => f.destination === destination)?.since ?? at,
      reason: reason.slice(0, 300),
    })),
  ].slice(-10);
  const sent = new Set(outcome.sent);
  const pending = [...new Set([...before.pending.filter((k) => !sent.has(k)), ...outcome.failed.map((f) => f.key)])].slice(-KEEP_PENDING);
  return { ...state, relay: { sent: [...before.sent, ...outcome.sent].slice(-KEEP_SENT), pending, failing } };
}
