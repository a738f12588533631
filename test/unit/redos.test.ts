// ReDoS (SPEC §13, bounded work). Linearity is proved without timing by
// test/unit/regex-linear.test.ts (every regex Firebreak runs, checked by recheck); custom config
// regexes run on RE2. Here: the regressions named in issue 11, and what the linear rewrites
// still read the same way. `npm run bench` times every parser on 65,536 hostile characters.
import { describe, expect, it } from "vitest";
import { parseCheckArgs } from "../../src/core/commands/check.js";
import { MAX_CONFIG_CHARS, parseConfigYaml } from "../../src/core/config.js";
import { customMatcher, MAX_CUSTOM_EVIDENCE } from "../../src/core/tracking-qa/config.js";
import { safeMessage } from "../../src/github/client.js";

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

describe("what the linear rewrites read", () => {
  it("a config file longer than the cap is refused with a clear message, defaults used", () => {
    const big = `lookback_hours: 2\n# ${"x".repeat(MAX_CONFIG_CHARS)}\n`;
    expect(parseConfigYaml(big)).toEqual({
      value: undefined,
      errors: [{ key: "(file)", reason: `the file is ${big.length.toLocaleString("en-US")} characters; Firebreak reads at most 16,384 — defaults are used` }],
    });
    expect(parseConfigYaml("lookback_hours: 2\n")).toEqual({ value: { lookback_hours: 2 }, errors: [] });
  });

  it("a private key is redacted from a message even when its END line was cut off", () => {
    const key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow" + "A".repeat(200);
    expect(safeMessage(new Error(`bad key ${key}`))).toBe("bad key [private key]");
    expect(safeMessage(new Error(`x ${key}\n-----END RSA PRIVATE KEY----- y`))).toBe("x [private key] y");
    expect(safeMessage(new Error("token: abcdefghijklmnop1234"))).toBe("token [redacted]");
  });
});
