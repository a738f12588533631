// KPI input (SPEC §14): formats, layouts, zones and DST, gaps, and bad rows refused with line and column.
import { describe, expect, it } from "vitest";
import type { KpiSeriesSet } from "../../src/core/detection/index.js";
import { MAX_GRID_POINTS, newestAt, parseKpi } from "../../src/core/detection/index.js";

function ok(text: string, opts?: Parameters<typeof parseKpi>[1]): KpiSeriesSet {
  const r = parseKpi(text, opts);
  if (!r.ok) throw new Error(`unexpected error ${JSON.stringify(r.error)}`);
  return r.data;
}
const values = (d: KpiSeriesSet, channel: string, metric: string) => [...d.series.find((s) => s.channel === channel && s.metric === metric)!.values];

describe("layouts and formats", () => {
  it("reads wide CSV: one series per (channel, metric), missing cells as gaps", () => {
    const d = ok("timestamp,channel,spend,orders\n2026-03-02T10:00:00Z,meta,10,\n2026-03-02T11:00:00Z,meta,12,3\n2026-03-02T10:00:00Z,LINE:Shoes,,4\n");
    expect(d.step).toBe("hour");
    expect(d.length).toBe(2);
    expect(d.series.map((s) => `${s.channel}/${s.metric}`)).toEqual(["line:shoes/orders", "line:shoes/spend", "meta/orders", "meta/spend"]);
    expect(values(d, "meta", "spend")).toEqual([10, 12]);
    expect(values(d, "meta", "orders")).toEqual([Number.NaN, 3]);
    expect(newestAt(d)).toBe("2026-03-02T11:00:00Z");
  });

  it("reads long CSV and JSON Lines into the same series", () => {
    const long = ok("timestamp,channel,metric,value\n2026-03-02,meta,spend,10\n2026-03-03,meta,spend,11\n2026-03-03,all,orders,5\n");
    const jsonl = ok('{"timestamp":"2026-03-02","channel":"meta","spend":10}\n{"timestamp":"2026-03-03","channel":"meta","spend":11}\n{"timestamp":"2026-03-03","orders":5}\n');
    expect(long.step).toBe("day");
    for (const d of [long, jsonl]) {
      expect(values(d, "meta", "spend")).toEqual([10, 11]);
      expect(values(d, "all", "orders")).toEqual([Number.NaN, 5]);
    }
  });

  it("defaults the channel to the whole store and fills gaps in the grid", () => {
    const d = ok("date,orders\n2026-03-02,5\n2026-03-05,7\n");
    expect(d.length).toBe(4);
    expect(values(d, "all", "orders")).toEqual([5, Number.NaN, Number.NaN, 7]);
  });
});

describe("time zones", () => {
  it("computes the local hour of week in the configured zone", () => {
    // 2026-03-02 is a Monday; 23:00 UTC is Tuesday 00:00 in Berlin (UTC+1 in winter).
    const d = ok("timestamp,spend\n2026-03-02T23:00:00Z,1\n", { timezone: "Europe/Berlin" });
    expect(d.slots[0]).toBe(24);
    const utc = ok("timestamp,spend\n2026-03-02T23:00:00Z,1\n");
    expect(utc.slots[0]).toBe(23);
  });

  it("keeps hour-of-week right across the spring and autumn DST changes", () => {
    // Berlin: 2026-03-29 02:00 → 03:00; 2026-10-25 03:00 → 02:00. Sunday is weekday 6.
    const spring = ok("timestamp,spend\n2026-03-29T00:00:00Z,1\n2026-03-29T01:00:00Z,1\n", { timezone: "Europe/Berlin" });
    expect([...spring.slots]).toEqual([6 * 24 + 1, 6 * 24 + 3]);
    const autumn = ok("timestamp,spend\n2026-10-25T00:00:00Z,1\n2026-10-25T01:00:00Z,1\n", { timezone: "Europe/Berlin" });
    expect([...autumn.slots]).toEqual([6 * 24 + 2, 6 * 24 + 2]);
  });

  it("reads timestamps without an offset as wall time in the zone and refuses a skipped hour", () => {
    const d = ok("timestamp,spend\n2026-07-01 10:00,1\n", { timezone: "Europe/Berlin" });
    expect(newestAt(d)).toBe("2026-07-01T08:00:00Z");
    expect(parseKpi("timestamp,spend\n2026-03-29T02:30,1\n", { timezone: "Europe/Berlin" })).toEqual({
      ok: false,
      error: { line: 2, column: 1, message: "2026-03-29T02:30 does not exist in Europe/Berlin (the clocks skip it)" },
    });
  });

  it("honours explicit offsets", () => {
    const d = ok("timestamp,spend\n2026-07-01T10:00:00+02:00,1\n2026-07-01T09:00:00Z,2\n");
    expect(d.length).toBe(2);
    expect(values(d, "all", "spend")).toEqual([1, 2]);
  });
});

describe("bad input is refused with line and column", () => {
  const cases: [string, string, { line: number; column: number; message: RegExp }][] = [
    ["a value that is not a number", "timestamp,channel,spend\n2026-03-02,meta,12\n2026-03-03,meta,12abc\n", { line: 3, column: 3, message: /"12abc" is not a number/ }],
    ["a bad timestamp", "timestamp,spend\n2026-02-30,1\n", { line: 2, column: 1, message: /not a calendar date/ }],
    ["a mix of dates and times", "timestamp,spend\n2026-03-02,1\n2026-03-03T10:00:00Z,1\n", { line: 3, column: 1, message: /mixes dates and times/ }],
    ["a duplicate point", "timestamp,channel,spend\n2026-03-02,meta,1\n2026-03-02,Meta,2\n", { line: 3, column: 3, message: /a second value for meta spend/ }],
    ["a row with too many fields", "timestamp,spend\n2026-03-02,1,2\n", { line: 2, column: 3, message: /different number of fields/ }],
    ["an unclosed quote", 'timestamp,spend\n2026-03-02,"1\n', { line: 2, column: 2, message: /never closed/ }],
    ["no timestamp column", "when,spend\n2026-03-02,1\n", { line: 1, column: 1, message: /no timestamp column/ }],
    ["an unknown slice kind", "timestamp,channel,orders\n2026-03-02,shop:x,1\n", { line: 2, column: 2, message: /line:<name> or market:<name>/ }],
    ["markup in a channel name", "timestamp,channel,orders\n2026-03-02,<b>@x</b>,1\n", { line: 2, column: 2, message: /a channel name is letters/ }],
    ["infinity", "timestamp,spend\n2026-03-02,1e999\n", { line: 2, column: 2, message: /not a number/ }],
    ["JSON that is not JSON", '{"timestamp":"2026-03-02","spend":1}\n{"timestamp":\n', { line: 2, column: 14, message: /not valid JSON/ }],
    ["a JSON line without a timestamp", '{"timestamp":"2026-03-02","spend":1}\n{"spend":1}\n', { line: 2, column: 1, message: /no timestamp column/ }],
    ["a JSON value that is not a number", '{"timestamp":"2026-03-02","channel":"meta","spend":"ten"}\n', { line: 1, column: 44, message: /"ten" is not a number/ }],
    ["a JSON value that is an object", '{"timestamp":"2026-03-02","spend":{"a":1}}\n', { line: 1, column: 1, message: /numbers, strings or nulls/ }],
  ];
  it.each(cases)("%s", (_name, text, expected) => {
    const r = parseKpi(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect({ line: r.error.line, column: r.error.column }).toEqual({ line: expected.line, column: expected.column });
    expect(r.error.message).toMatch(expected.message);
  });

  it("bounds the grid: a file spanning decades of hours is refused at the line that stretches it", () => {
    const r = parseKpi(`timestamp,spend\n2026-01-01T00:00:00Z,1\n${2026 + Math.ceil(MAX_GRID_POINTS / 8760)}-01-01T00:00:00Z,1\n`);
    expect(r).toMatchObject({ ok: false, error: { line: 3, column: 1 } });
  });

  it("echoes user text inert and short in errors", () => {
    const r = parseKpi(`timestamp,spend\n2026-03-02,@everyone <img src=x> ${"a".repeat(500)}\n`);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.message).not.toContain("<img");
    expect(r.error.message).not.toMatch(/@everyone/);
    expect(r.error.message.length).toBeLessThan(80);
  });
});
