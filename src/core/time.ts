// Time as incident responders write it: durations for commands, lenient times from the
// form, and the two formats the card shows. No clock reads: "now" is always a parameter,
// taken by callers from GitHub's event timestamps.

import { inline } from "./text/inert.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const DURATION_UNITS: Record<string, number> = {
  m: MINUTE,
  min: MINUTE,
  mins: MINUTE,
  minute: MINUTE,
  minutes: MINUTE,
  h: HOUR,
  hr: HOUR,
  hrs: HOUR,
  hour: HOUR,
  hours: HOUR,
  d: DAY,
  day: DAY,
  days: DAY,
  w: 7 * DAY,
  wk: 7 * DAY,
  wks: 7 * DAY,
  week: 7 * DAY,
  weeks: 7 * DAY,
};

/**
 * "30m", "2h", "1d" (also "90 min", "1h30m", "1h 30m", "1.5h", "2w") → milliseconds.
 * Undefined for anything else, and for zero: a check due "in 0m" is a typo, not a plan.
 */
export function parseDuration(text: string): number | undefined {
  if (typeof text !== "string" || text.length > 64) return undefined;
  const trimmed = text.trim().toLowerCase();
  if (!/^(?:\d{1,6}(?:\.\d{1,3})?\s*[a-z]+[\s,]*)+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const part of trimmed.matchAll(/(\d{1,6}(?:\.\d{1,3})?)\s*([a-z]+)/g)) {
    const unit = DURATION_UNITS[part[2] ?? ""];
    if (unit === undefined) return undefined;
    total += Number(part[1]) * unit;
  }
  total = Math.round(total);
  return Number.isFinite(total) && total > 0 ? total : undefined;
}

/**
 * Offsets (minutes east of UTC) of the zone abbreviations people actually type.
 * Ambiguous ones (CST: US or China, IST: India or Ireland) are left out on purpose:
 * a wrong guess is worse than showing the time as given.
 */
const ZONE_OFFSETS: Record<string, number> = {
  Z: 0,
  UTC: 0,
  GMT: 0,
  WET: 0,
  WEST: 60,
  BST: 60,
  CET: 60,
  CEST: 120,
  EET: 120,
  EEST: 180,
  EST: -300,
  EDT: -240,
  CDT: -300,
  MST: -420,
  MDT: -360,
  PST: -480,
  PDT: -420,
  JST: 540,
  AEST: 600,
  AEDT: 660,
};

// A zone after a time: "Z", "UTC", "CEST", "+02:00", "+0200", "-05", "UTC+2", "GMT-05:30".
const ZONE = String.raw`(?:(?:UTC|GMT) ?[+-]\d{1,2}(?::?\d{2})?|[+-]\d{2}(?::?\d{2})?|Z|[A-Za-z]{3,4})`;
// A clock time: "10:15", "10:15:30", "10.15", "9am", "9:30 pm".
const CLOCK = String.raw`(\d{1,2})(?:[:.](\d{2}))?(?::(\d{2})(?:[.,]\d+)?)? ?([ap]\.?m\.?)?`;

/**
 * Minutes east of UTC for the token after a time. No token, or a lowercase word that is
 * no zone ("10:15 ish"), means UTC; an unknown abbreviation in capitals ("IST") means
 * we cannot tell, so undefined.
 */
function zoneOffset(token: string | undefined): number | undefined {
  if (token === undefined || token === "") return 0;
  const t = token.replace(/\s+/g, "").toUpperCase();
  const known = ZONE_OFFSETS[t];
  if (known !== undefined) return known;
  if (/^[A-Za-z]+$/.test(token) && token !== t) return 0;
  const m = /^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(t);
  if (!m) return undefined;
  const hours = Number(m[2]);
  const minutes = Number(m[3] ?? "0");
  if (hours > 14 || minutes > 59) return undefined;
  return (m[1] === "-" ? -1 : 1) * (hours * 60 + minutes);
}

interface Clock {
  hour: number;
  minute: number;
  second: number;
}

function toClock(h: string | undefined, mi: string | undefined, s: string | undefined, ampm: string | undefined): Clock | undefined {
  if (h === undefined) return undefined;
  let hour = Number(h);
  const minute = Number(mi ?? "0");
  const second = Number(s ?? "0");
  // "10" alone is a number, not a time; "10am" is a time.
  if (mi === undefined && ampm === undefined) return undefined;
  if (ampm !== undefined) {
    if (hour < 1 || hour > 12) return undefined;
    const pm = ampm.toLowerCase().startsWith("p");
    hour = (hour % 12) + (pm ? 12 : 0);
  }
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  return { hour, minute, second };
}

/** The instant of a wall-clock time in a zone, or undefined when the date does not exist. */
function instant(year: number, month: number, day: number, clock: Clock, offsetMinutes: number): Date | undefined {
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  const wall = Date.UTC(year, month - 1, day, clock.hour, clock.minute, clock.second);
  const check = new Date(wall);
  // Date.UTC rolls 31 April into 1 May; such a date was a typo.
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return undefined;
  const result = new Date(wall - offsetMinutes * MINUTE);
  return Number.isNaN(result.getTime()) ? undefined : result;
}

/** The calendar date of `reference` as seen in a zone, `daysBack` days earlier. */
function zonedDate(reference: Date, offsetMinutes: number, daysBack: number): { year: number; month: number; day: number } {
  const local = new Date(reference.getTime() + offsetMinutes * MINUTE - daysBack * DAY);
  return { year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate() };
}

// The patterns read text whose whitespace is collapsed to single spaces (parseLenientTime), so
// they name one optional space where `\s*` would let neighbouring runs trade characters.
const ISO_LIKE = new RegExp(
  String.raw`(?<![\d])(\d{4})-(\d{2})-(\d{2})(?:(?:T| |, ?)${CLOCK})? ?(?:\(?(${ZONE})\)?)?(?![\w+-])`,
  "i",
);
const DOTTED_DMY = new RegExp(
  String.raw`(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{4})(?:,? ${CLOCK})? ?(?:\(?(${ZONE})\)?)?(?![\w+-])`,
  "i",
);
const RELATIVE_FIRST = new RegExp(String.raw`\b(today|yesterday)(?:,? at)?,? ${CLOCK} ?(?:\(?(${ZONE})\)?)?(?![\w+-])`, "i");
const RELATIVE_LAST = new RegExp(String.raw`(?<![\w:.])${CLOCK} ?(?:\(?(${ZONE})\)?)?,? (today|yesterday)\b`, "i");
const BARE_CLOCK = new RegExp(
  String.raw`^(?:(?:since|from|at|around|about|approx\.?|approximately|~|ca\.?) ?)*${CLOCK} ?(?:\(?(${ZONE})\)?)?$`,
  "i",
);

/**
 * Lenient times from the form: ISO 8601 ("2026-11-24T10:15:00Z"), "YYYY-MM-DD HH:MM"
 * with an optional zone ("UTC", "Z", "+02:00", "CET", "PDT", …), "DD.MM.YYYY HH:MM",
 * "today 10:15", "yesterday 23:40 CET", and a bare "09:00 CET" (taken as today, or
 * yesterday when today's would lie after `reference`: a start is never in the future).
 * No zone means UTC; relative days are counted in the given zone. Undefined when nothing
 * parses or the zone is unknown — the card then shows the text as given.
 */
export function parseLenientTime(text: string, reference: Date): Date | undefined {
  if (typeof text !== "string" || !(reference instanceof Date) || Number.isNaN(reference.getTime())) return undefined;
  // Form answers are short; look at the start only so hostile input costs nothing.
  const input = text.slice(0, 300).normalize("NFKC").replace(/\s+/g, " ").trim();
  if (input === "") return undefined;

  const iso = ISO_LIKE.exec(input);
  if (iso) {
    const offset = zoneOffset(iso[8]);
    if (offset === undefined) return undefined;
    const clock = iso[4] === undefined ? { hour: 0, minute: 0, second: 0 } : toClock(iso[4], iso[5], iso[6], iso[7]);
    if (!clock) return undefined;
    return instant(Number(iso[1]), Number(iso[2]), Number(iso[3]), clock, offset);
  }

  const dmy = DOTTED_DMY.exec(input);
  if (dmy) {
    const offset = zoneOffset(dmy[8]);
    if (offset === undefined) return undefined;
    const clock = dmy[4] === undefined ? { hour: 0, minute: 0, second: 0 } : toClock(dmy[4], dmy[5], dmy[6], dmy[7]);
    if (!clock) return undefined;
    return instant(Number(dmy[3]), Number(dmy[2]), Number(dmy[1]), clock, offset);
  }

  const first = RELATIVE_FIRST.exec(input);
  const last = first ? null : RELATIVE_LAST.exec(input);
  if (first || last) {
    const word = (first ? first[1] : last?.[6]) ?? "";
    const parts = first ? first.slice(2, 7) : (last?.slice(1, 6) ?? []);
    const clock = toClock(parts[0], parts[1], parts[2], parts[3]);
    const offset = zoneOffset(parts[4]);
    if (!clock || offset === undefined) return undefined;
    const date = zonedDate(reference, offset, word.toLowerCase() === "yesterday" ? 1 : 0);
    return instant(date.year, date.month, date.day, clock, offset);
  }

  const bare = BARE_CLOCK.exec(input);
  if (bare) {
    const clock = toClock(bare[1], bare[2], bare[3], bare[4]);
    const offset = zoneOffset(bare[5]);
    if (!clock || offset === undefined) return undefined;
    const today = zonedDate(reference, offset, 0);
    const candidate = instant(today.year, today.month, today.day, clock, offset);
    if (candidate && candidate.getTime() <= reference.getTime()) return candidate;
    const yesterday = zonedDate(reference, offset, 1);
    return instant(yesterday.year, yesterday.month, yesterday.day, clock, offset);
  }
  return undefined;
}

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}

/** Milliseconds of an ISO time, or undefined when it is absent or not a time. */
export function isoMs(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : undefined;
}

/** An ISO time in the one format, "—" when absent; text that is not a time is shown inert. */
export function utcText(iso: string | undefined): string {
  const t = isoMs(iso);
  if (t === undefined) return iso ? inline(iso, 40) : "—";
  return formatUtc(new Date(t));
}

/** The elapsed time between two ISO times, or undefined when either is not a time. */
export function elapsedBetween(from: string | undefined, to: string | undefined): string | undefined {
  const a = isoMs(from);
  const b = isoMs(to);
  return a === undefined || b === undefined ? undefined : formatElapsed(b - a);
}

/** "2026-11-24 10:15 UTC" — the one time format on cards and timelines. */
export function formatUtc(date: Date): string {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) return "unknown time";
  return (
    `${date.getUTCFullYear()}-${pad2(date.getUTCMonth() + 1)}-${pad2(date.getUTCDate())} ` +
    `${pad2(date.getUTCHours())}:${pad2(date.getUTCMinutes())} UTC`
  );
}

/** "45m", "2h 05m", "3d 4h": elapsed times on the card, rounded down to the minute. */
export function formatElapsed(ms: number): string {
  if (typeof ms !== "number" || !Number.isFinite(ms)) return "unknown";
  // Negative spans come from clocks that disagree; show them rather than hide them.
  const sign = ms < 0 ? "-" : "";
  const minutes = Math.floor(Math.abs(ms) / MINUTE);
  if (minutes < 60) return `${sign}${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${sign}${hours}h ${pad2(minutes % 60)}m`;
  return `${sign}${Math.floor(hours / 24)}d ${hours % 24}h`;
}
