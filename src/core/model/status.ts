// The groups of incident statuses the rules ask about, so every rule asks the same question
// the same way instead of listing statuses by hand.
import type { Status } from "./domain.js";

/** Statuses of an incident still being worked, in the order it moves through them. */
export const OPEN_STATUSES = ["triage", "investigating", "contained", "resolved"] as const satisfies readonly Status[];
export type OpenStatus = (typeof OPEN_STATUSES)[number];

/** Statuses a closed issue ends in; reopening the issue takes the incident back to investigating. */
export const CLOSED_STATUSES = ["closed", "postmortem-complete", "dismissed"] as const satisfies readonly Status[];

/** An incident that closed as one: its postmortem may follow. A dismissed issue is not one. */
export function isClosedIncident(status: Status): boolean {
  return status === "closed" || status === "postmortem-complete";
}

export function isOpenStatus(status: Status | undefined): status is OpenStatus {
  return (OPEN_STATUSES as readonly (Status | undefined)[]).includes(status);
}

export function isClosedStatus(status: Status): boolean {
  return (CLOSED_STATUSES as readonly Status[]).includes(status);
}

/** Open and not yet at `milestone`: e.g. `isOpenBefore(s, "contained")` is triage or investigating. */
export function isOpenBefore(status: Status, milestone: OpenStatus): boolean {
  return isOpenStatus(status) && OPEN_STATUSES.indexOf(status) < OPEN_STATUSES.indexOf(milestone);
}

/** Not an incident (any more): the record is kept, but no incident rule (repeat, postmortem, command) applies. */
export function isDismissedOrVariance(status: Status): boolean {
  return status === "dismissed" || status === "routine-variance";
}

/** An incident, open or closed: the complement of `isDismissedOrVariance`. */
export function isIncidentStatus(status: Status): boolean {
  return !isDismissedOrVariance(status);
}
