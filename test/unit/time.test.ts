import { describe, expect, it } from "vitest";
import { formatElapsed, formatUtc, parseDuration, parseLenientTime } from "../../src/core/time.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe("parseDuration", () => {
  it.each([
    ["30m", 30 * MIN],
    ["2h", 2 * HOUR],
    ["1d", DAY],
    ["90 min", 90 * MIN],
    ["1h30m", 90 * MIN],
    ["1h 30m", 90 * MIN],
    ["1.5h", 90 * MIN],
    ["2H", 2 * HOUR],
    [" 45m ", 45 * MIN],
    ["2 hours", 2 * HOUR],
    ["1w", 7 * DAY],
  ])("%j -> %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "0m", "m", "30", "30x", "2 fortnights", "-5m", "1h and a bit", "5".repeat(100) + "m", "h30"])(
    "%j -> undefined",
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );
});

describe("parseLenientTime", () => {
  // A Tuesday evening in November, so CET (UTC+1) and PST (UTC-8) apply.
  const reference = new Date("2026-11-24T18:30:00Z");
  const iso = (text: string): string | undefined => parseLenientTime(text, reference)?.toISOString();

  it.each([
    ["2026-11-24T10:15:00Z", "2026-11-24T10:15:00.000Z"],
    ["2026-11-24T10:15:00.123+02:00", "2026-11-24T08:15:00.000Z"],
    ["2026-11-24T10:15", "2026-11-24T10:15:00.000Z"],
    ["2026-11-24 10:15", "2026-11-24T10:15:00.000Z"],
    ["2026-11-24 10:15 UTC", "2026-11-24T10:15:00.000Z"],
    ["2026-11-24 10:15Z", "2026-11-24T10:15:00.000Z"],
    ["2026-11-24 10:15 +02:00", "2026-11-24T08:15:00.000Z"],
    ["2026-11-24 10:15 -0500", "2026-11-24T15:15:00.000Z"],
    ["2026-11-24 10:15 UTC+1", "2026-11-24T09:15:00.000Z"],
    ["2026-11-24 10:15 CET", "2026-11-24T09:15:00.000Z"],
    ["2026-07-14 10:15 CEST", "2026-07-14T08:15:00.000Z"],
    ["2026-11-24 10:15 EST", "2026-11-24T15:15:00.000Z"],
    ["2026-07-14 10:15 EDT", "2026-07-14T14:15:00.000Z"],
    ["2026-11-24 10:15 PST", "2026-11-24T18:15:00.000Z"],
    ["2026-07-14 10:15 PDT", "2026-07-14T17:15:00.000Z"],
    ["2026-07-14 10:15 BST", "2026-07-14T09:15:00.000Z"],
    ["2026-11-24 10:15 (CET)", "2026-11-24T09:15:00.000Z"],
    ["2026-11-24 10:15 cet", "2026-11-24T09:15:00.000Z"],
    ["2026-11-24 9:05pm", "2026-11-24T21:05:00.000Z"],
    ["2026-11-24", "2026-11-24T00:00:00.000Z"],
    ["around 2026-11-24 10:15 CET, when the alert fired", "2026-11-24T09:15:00.000Z"],
    ["2026-11-24 10:15 ish", "2026-11-24T10:15:00.000Z"],
    ["24.11.2026 10:15 CET", "2026-11-24T09:15:00.000Z"],
    ["today 10:15", "2026-11-24T10:15:00.000Z"],
    ["Today at 10:15 CET", "2026-11-24T09:15:00.000Z"],
    ["yesterday 23:40", "2026-11-23T23:40:00.000Z"],
    ["yesterday 23:40 PST", "2026-11-24T07:40:00.000Z"],
    ["10:15 today", "2026-11-24T10:15:00.000Z"],
    ["09:00 CET", "2026-11-24T08:00:00.000Z"],
    ["since 9am", "2026-11-24T09:00:00.000Z"],
    // Today's 20:00 would lie after the reference: a start time is never in the future.
    ["20:00", "2026-11-23T20:00:00.000Z"],
  ])("%j -> %s", (text, expected) => {
    expect(iso(text)).toBe(expected);
  });

  it("counts today in the given zone, not in UTC", () => {
    // 23:30 UTC on the 24th is already the 25th in CET.
    const lateEvening = new Date("2026-11-24T23:30:00Z");
    expect(parseLenientTime("today 00:15 CET", lateEvening)?.toISOString()).toBe("2026-11-24T23:15:00.000Z");
    expect(parseLenientTime("yesterday 23:00 CET", lateEvening)?.toISOString()).toBe("2026-11-24T22:00:00.000Z");
  });

  it.each([
    "",
    "this morning",
    "around 9",
    "2026-11-24 10:15 IST",
    "2026-02-30 10:00",
    "2026-11-24 25:00",
    "2026-11-24 10:75",
    "today 13pm",
    "2026-11-24 10:15 +15:00",
    "x".repeat(60_000),
  ])("%j -> undefined", (text) => {
    expect(parseLenientTime(text, reference)).toBeUndefined();
  });

  it("returns undefined for an invalid reference", () => {
    expect(parseLenientTime("today 10:15", new Date(Number.NaN))).toBeUndefined();
  });
});

describe("formatUtc", () => {
  it("formats as YYYY-MM-DD HH:MM UTC", () => {
    expect(formatUtc(new Date("2026-11-24T10:15:59.999Z"))).toBe("2026-11-24 10:15 UTC");
    expect(formatUtc(new Date("2026-01-05T03:04:00+02:00"))).toBe("2026-01-05 01:04 UTC");
  });

  it("says so for an invalid date", () => {
    expect(formatUtc(new Date(Number.NaN))).toBe("unknown time");
  });
});

describe("formatElapsed", () => {
  it.each([
    [0, "0m"],
    [59_999, "0m"],
    [45 * MIN, "45m"],
    [HOUR, "1h 00m"],
    [2 * HOUR + 5 * MIN, "2h 05m"],
    [23 * HOUR + 59 * MIN, "23h 59m"],
    [DAY, "1d 0h"],
    [3 * DAY + 4 * HOUR + 59 * MIN, "3d 4h"],
    [-30 * MIN, "-30m"],
    [Number.NaN, "unknown"],
    [Number.POSITIVE_INFINITY, "unknown"],
  ])("%d ms -> %s", (ms, text) => {
    expect(formatElapsed(ms)).toBe(text);
  });
});
