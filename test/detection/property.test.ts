// Properties of the engine (SPEC §14): any input is answered without a throw, and the signals
// are the same whether the points arrive at once or one by one — replay never looks ahead.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Signal } from "../../src/core/detection/index.js";
import { detect, detectionSchema, parseKpi, replay } from "../../src/core/detection/index.js";
import { generate } from "../../src/dev/detect-eval/generate.js";

const config = detectionSchema.parse({});

describe("hostile input", () => {
  it("parseKpi answers any text with data or a located error, never a throw", () => {
    const cell = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom("2026-03-02", "2026-03-02T10:00:00Z", "meta", "line:x", "1.5", "", '"', "NaN", "-0"));
    const csv = fc.array(fc.array(cell, { minLength: 1, maxLength: 5 }), { maxLength: 12 }).map((rows) => ["timestamp,channel,spend", ...rows.map((r) => r.join(","))].join("\n"));
    fc.assert(
      fc.property(fc.oneof(csv, fc.string({ maxLength: 200 }), fc.json().map((j) => `${j}\n${j}`)), (text) => {
        const r = parseKpi(text);
        if (!r.ok) {
          expect(r.error.line).toBeGreaterThanOrEqual(1);
          expect(r.error.column).toBeGreaterThanOrEqual(1);
          return;
        }
        // Whatever parsed is judged without a throw.
        expect(Array.isArray(replay(r.data, config))).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it("stays linear on long hostile lines (the work is counted in points, not time)", () => {
    const r = parseKpi(`timestamp,spend\n${"2026-03-02".repeat(20_000)},${"9".repeat(50_000)}e\n`);
    expect(r).toMatchObject({ ok: false, error: { line: 2, column: 1 } });
  });
});

describe("no look-ahead", () => {
  const key = (s: Signal) => `${s.channel}|${s.layer}|${s.metric}`;
  const dayBefore = (date: string) => new Date(Date.parse(date) - 86_400_000).toISOString().slice(0, 10);

  it("fed at once or point by point, the signals are the same", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.constantFrom("delivery", "measurement", "conversion", "economics", "operations", "unknown"), (seed, kind) => {
        const g = generate({ seed, step: "day", kind: kind as "delivery" });
        const full = parseKpi(g.csv);
        if (!full.ok) throw new Error("generated data parses");
        const all = replay(full.data, config);
        const lines = g.csv.split("\n");
        const dates = [...new Set(lines.slice(1).map((l) => l.slice(0, 10)))];
        // The last days (where the incident is) and every time a signal was raised.
        const times = [...new Set([...dates.slice(-6), ...all.map((s) => s.at)])];
        for (const at of times) {
          // Only the points known at `at`: the same judgement as the whole file judged at `at`.
          const cut = parseKpi(lines.filter((l, i) => i === 0 || l.slice(0, 10) <= at).join("\n"));
          if (!cut.ok) throw new Error("a cut parses");
          const now = detect(full.data, config, { at });
          expect(detect(cut.data, config)).toEqual(now);
          // What replay raised at `at` is active then; whatever became active then was raised then.
          const before = new Set(detect(full.data, config, { at: dayBefore(at) }).map(key));
          const raisedNow = all.filter((s) => s.at === at);
          for (const s of raisedNow) expect(now).toContainEqual(s);
          for (const s of now.filter((x) => !before.has(key(x)))) expect(raisedNow).toContainEqual(s);
        }
      }),
      { numRuns: 6 },
    );
  });
});
