// Time for detection without a clock: grid steps, ISO labels, and the local hour of week or
// weekday of a point in the configured IANA zone (through `Intl`, so DST is the zone's own).
export type Step = "hour" | "day";

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** Slots per seasonal period: hours of a week, days of a week. */
export const PERIOD: Record<Step, number> = { hour: 168, day: 7 };

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The wall clock of an instant in a zone, as if it were UTC (so its offset is the difference). */
function wallAsUtc(ms: number, zone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(ms)) if (p.type !== "literal") parts[p.type] = Number(p.value);
  return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!);
}

/** Minutes the zone is ahead of UTC at an instant. */
export function offsetMinutes(ms: number, zone: string): number {
  const floored = Math.floor(ms / 60_000) * 60_000;
  return (wallAsUtc(floored, zone) - floored) / 60_000;
}

/**
 * The instant of a wall-clock time (given as if UTC) in a zone; undefined for a time the zone
 * skips (spring forward). An hour the zone repeats (fall back) is read as its first occurrence.
 */
export function wallToInstant(wallMs: number, zone: string): number | undefined {
  const before = wallMs - offsetMinutes(wallMs - DAY_MS / 2, zone) * 60_000;
  const after = wallMs - offsetMinutes(wallMs + DAY_MS / 2, zone) * 60_000;
  for (const candidate of before <= after ? [before, after] : [after, before]) {
    if (candidate + offsetMinutes(candidate, zone) * 60_000 === wallMs) return candidate;
  }
  return undefined;
}

/**
 * The seasonal slot of every grid point: local hour of week (0 = Monday 00:00) for hourly
 * grids, weekday (0 = Monday) for daily ones. Offsets are looked up once per hour of the grid.
 */
export function seasonalSlots(step: Step, start: number, length: number, zone: string): Uint16Array {
  const slots = new Uint16Array(length);
  for (let i = 0; i < length; i += 1) {
    if (step === "day") {
      slots[i] = ((((start + i) % 7) + 10) % 7); // day 0 (1970-01-01) was a Thursday
      continue;
    }
    const local = start + i * HOUR_MS + offsetMinutes(start + i * HOUR_MS, zone) * 60_000;
    const day = Math.floor(local / DAY_MS);
    slots[i] = (((day + 3) % 7) + 7) % 7 * 24 + Math.floor((local - day * DAY_MS) / HOUR_MS);
  }
  return slots;
}

/** How a grid point is written in output: an ISO instant (hourly) or a date (daily). */
export function gridLabel(step: Step, start: number, index: number): string {
  if (step === "day") return new Date((start + index) * DAY_MS).toISOString().slice(0, 10);
  return new Date(start + index * HOUR_MS).toISOString().replace(".000Z", "Z");
}

const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/** "Tuesday 10:00" for an hour-of-week slot, "Tuesday" for a weekday. */
export function slotName(step: Step, slot: number): string {
  if (step === "day") return WEEKDAYS[slot]!;
  return `${WEEKDAYS[Math.floor(slot / 24)]!} ${String(slot % 24).padStart(2, "0")}:00`;
}
