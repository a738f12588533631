// What the record keeps of relaying (SPEC §16): the events each destination got, so a retry or
// another instance never sends them again, and which destinations are failing, for the card.
import type { IncidentState } from "../model/incident.js";

/** Enough for an incident's whole life: each event is one key per destination. */
const KEEP_SENT = 150;

export interface RelayOutcome {
  /** `event>URL_ENV` keys delivered now. */
  sent: string[];
  /** Destinations (by name) that took every event sent to them now. */
  reached: string[];
  failed: { destination: string; reason: string }[];
}

/** The record with this run's deliveries; the same state object when nothing changed. */
export function withRelayOutcome(state: IncidentState, outcome: RelayOutcome, at: string): IncidentState {
  if (outcome.sent.length === 0 && outcome.failed.length === 0 && !(state.relay?.failing ?? []).some((f) => outcome.reached.includes(f.destination))) return state;
  const before = state.relay ?? { sent: [], failing: [] };
  const failedNow = new Map(outcome.failed.map((f) => [f.destination, f.reason]));
  const failing = [
    ...before.failing.filter((f) => !outcome.reached.includes(f.destination) && !failedNow.has(f.destination)),
    ...[...failedNow].map(([destination, reason]) => ({
      destination,
      since: before.failing.find((f) => f.destination === destination)?.since ?? at,
      reason: reason.slice(0, 300),
    })),
  ].slice(-10);
  return { ...state, relay: { sent: [...before.sent, ...outcome.sent].slice(-KEEP_SENT), failing } };
}
