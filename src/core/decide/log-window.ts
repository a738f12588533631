// How much of a comment log an event must read (SPEC §10, §13 "the whole log, always"):
// GitHub lists an issue's comments oldest first with no sort, so the shell reads the newest
// pages first and stops once every comment the record has not applied is known — older
// comments are applied already — and the recorded /resolve comment has been found.
import type { IncidentState } from "../model/incident.js";

export interface LogWindow {
  /** Comments with an id at or below this are applied already; undefined: read the whole log. */
  floor?: number;
  /** A comment that must be found (the recorded /resolve): if it is not at or above the floor, read on. */
  mustFind?: number;
}

/** What to read for an incident whose record is `state` (undefined: not an incident yet). */
export function logWindow(state: IncidentState | undefined): LogWindow {
  if (!state) return {};
  const newestApplied = Math.max(state.appliedThrough ?? 0, ...state.applied);
  if (newestApplied <= 0) return {};
  const mustFind = state.resolution?.commentId;
  return { floor: mustFind !== undefined ? Math.min(newestApplied, mustFind) : newestApplied, ...(mustFind !== undefined ? { mustFind } : {}) };
}

/** True when the pages read so far (newest first, `oldestId` the oldest comment seen) are enough. */
export function logWindowSatisfied(window: LogWindow, oldestId: number, seen: (id: number) => boolean): boolean {
  if (window.floor === undefined) return false;
  if (oldestId > window.floor) return false;
  return window.mustFind === undefined || seen(window.mustFind);
}
