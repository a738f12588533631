// ReDoS (SPEC §13, bounded work): every parser that reads text anyone can write stays linear on
// hostile input. No time budget is asserted: each parser's worst input of 16,384 characters is
// compared with the same input at 65,536 (4n) — linear work grows ~4×, quadratic ~16×.
import { describe, expect, it } from "vitest";
import { hostileInputs, REDOS_CASES, timeRun, worstInput } from "../../src/dev/bench/redos.js";
import { parseCheckArgs } from "../../src/core/commands/check.js";
import { customMatcher, MAX_CUSTOM_EVIDENCE } from "../../src/core/tracking-qa/config.js";

const N = 16_384;
/** Linear is ~4; 8 leaves room for noise and stays far below quadratic's 16. A floor absorbs sub-millisecond jitter. */
const MAX_RATIO = 8;
const FLOOR_MS = 30;

describe("ReDoS: parsers stay linear on 4n hostile characters", () => {
  for (const c of REDOS_CASES.filter((c) => !c.knownGap)) {
    it(`ReDoS ${c.name}: work on 4n characters is at most ~4× work on n`, () => {
      const worst = worstInput(c, N);
      const bigInput = worst.input.slice(0, -1).repeat(4) + "!";
      const small = timeRun(c.run, worst.input, 3);
      const big = timeRun(c.run, bigInput, 3);
      expect(big, `${c.name} on ${worst.unit}: ${small.toFixed(1)} ms at n, ${big.toFixed(1)} ms at 4n`).toBeLessThanOrEqual(MAX_RATIO * small + FLOOR_MS);
    }, 120_000);
  }

  it("leaves out of the linearity check only the gaps it names", () => {
    expect(REDOS_CASES.filter((c) => c.knownGap).map((c) => c.name)).toEqual(["config YAML (parse + resolve)"]);
  });

  it("hostile inputs are as long as asked", () => {
    for (const s of hostileInputs(1000)) expect(s.length).toBeGreaterThanOrEqual(1000);
  });
});

describe("ReDoS regressions named in issue 11", () => {
  it("ReDoS custom config regex /(a+)+b/ on 30 characters answers at once (RE2, no backtracking)", () => {
    const m = customMatcher("/(a+)+b/");
    expect(m.test("a".repeat(30) + "c")).toBeUndefined();
    expect(m.test("xaaab")).toBe("aaab");
    expect(customMatcher("/GTAG\\(/i").test("gtag('js')")).toBe("gtag(");
  });

  it("custom regexes with backreferences or lookaround (not linear) are refused as invalid", () => {
    expect(() => customMatcher("/(a)\\1/")).toThrow();
    expect(() => customMatcher("/a(?=b)/")).toThrow();
  });

  it("evidence quoted from a page is the matched text only, capped", () => {
    const page = `<script>${"x".repeat(10_000)}</script>`;
    const matched = customMatcher("/<script>x+/").test(page);
    expect(matched?.length).toBe(MAX_CUSTOM_EVIDENCE);
  });

  it("/check still reads its time and assignee the same way", () => {
    expect(parseCheckArgs("verify pixel on staging @priya-data in 30m")).toEqual({ text: "verify pixel on staging", assignee: "priya-data", inMs: 30 * 60_000 });
    expect(parseCheckArgs("verify pixel in 2H  ")).toEqual({ text: "verify pixel", inMs: 2 * 3_600_000 });
    expect(parseCheckArgs("check me@example.com")).toEqual({ text: "check me@example.com" });
    expect(parseCheckArgs("@devon-web")).toEqual({ text: "", assignee: "devon-web" });
    expect(parseCheckArgs("in 30m")).toEqual({ text: "in 30m" });
    expect(parseCheckArgs("log in\t5m")).toEqual({ text: "log", inMs: 5 * 60_000 });
  });
});
