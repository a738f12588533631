// Hostile and random bodies never make the parser throw, and it always returns a
// Declaration that its own zod schema accepts (SPEC §9: bad input never crashes).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCost } from "../../src/core/declaration/cost.js";
import { DeclarationSchema, parseDeclaration } from "../../src/core/declaration/form.js";
import { formFields } from "../../src/core/declaration/template.js";
import { suggestLayer } from "../../src/core/declaration/triage.js";
import { formatElapsed, parseDuration, parseLenientTime } from "../../src/core/time.js";

const root = join(import.meta.dirname, "..", "..");
const shipped = readFileSync(join(root, "templates", "ISSUE_TEMPLATE", "marketing-incident.yml"), "utf8");
const shippedFields = formFields(shipped) ?? [];
const labels = shippedFields.map((f) => f.label);
const options = shippedFields.flatMap((f) => f.options);

/** Pieces a hostile or careless body is made of. */
const fragment = fc.oneof(
  fc.constantFrom(...labels).map((l) => `### ${l}`),
  fc.string({ maxLength: 40 }).map((s) => `### ${s}`),
  fc.constantFrom(...options),
  fc.constantFrom(...options).map((o) => `- [${"xX "[o.length % 3]}] ${o}`),
  fc.constantFrom(
    "_No response_",
    "```",
    "~~~",
    "````js",
    "<!--",
    "-->",
    "<!-- firebreak:card:start -->",
    "<!-- firebreak:card:end -->",
    "<script>alert(1)</script>",
    "<details><summary>x</summary>",
    "@everyone",
    "- [X]",
    "- [ ]",
    "###",
    "### ",
    "#### Severity",
    "    ### Severity",
    "> ### Severity",
    "\r",
    "\r\n",
    "\u0000",
    "\u202e",
    "\ud800",
    "\ufeff",
    "🔥🔥🔥",
    "Z\u0351\u0352\u0353\u0354",
    "SEV1, SEV2, SEV3",
    "$2,000/hour",
    "1-2k per day",
    "9".repeat(400) + "/h",
    "Meta, Google, , ,, Whole site",
  ),
  fc.string({ unit: "grapheme", maxLength: 80 }),
  fc.string({ unit: "binary", maxLength: 80 }),
);

const body = fc.array(fragment, { maxLength: 60 }).chain((parts) =>
  fc.array(fc.constantFrom("\n", "\n\n", "\r\n", " ", ""), { minLength: parts.length, maxLength: parts.length }).map((seps) =>
    parts.map((p, i) => p + (seps[i] ?? "")).join(""),
  ),
);

const template = fc.oneof(
  fc.constant(shipped),
  fc.constant(""),
  fc.constant("body: ["),
  fc.constant("name: x\nbody:\n  - type: checkboxes\n    id: threshold\n    attributes: { label: T, options: [1, {label: 2}, null] }"),
  fc.string({ maxLength: 200 }),
  fc.string({ maxLength: 200 }).map((s) => `name: x\nbody:\n  - type: textarea\n    id: symptom\n    attributes:\n      label: ${JSON.stringify(s)}`),
);

function expectValid(body: string | null, templateYaml: string): void {
  const d = parseDeclaration(body, templateYaml, shipped);
  const checked = DeclarationSchema.safeParse(d);
  expect(checked.success).toBe(true);
  expect(() => suggestLayer(d)).not.toThrow();
  if (!d.isForm) expect(d).toEqual({ isForm: false, scope: [], threshold: [], missing: expect.any(Array) as unknown });
}

describe("parseDeclaration never throws and always returns a valid Declaration", () => {
  it("for random bodies built from form fragments and hostile markup", () => {
    fc.assert(
      fc.property(body, template, (b, t) => {
        expectValid(b, t);
      }),
      { numRuns: 3000 },
    );
  });

  it("for arbitrary strings", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 500 }), fc.string({ maxLength: 100 }), (b, t) => {
        expectValid(b, t);
      }),
      { numRuns: 2000 },
    );
  });

  it("for 60k-character bodies, quickly", () => {
    const hostile = [
      "`".repeat(60_000),
      "```x\n".repeat(12_000),
      "<!--\n".repeat(12_000),
      "### ".repeat(15_000),
      `### What are you seeing?\n\n${" ".repeat(60_000)}#`,
      `### Which channels are hit?\n\n${"Meta, ".repeat(10_000)}`,
      `### Rough cost per hour or per day\n\n${"1-".repeat(30_000)}/h`,
      `${"<!-- firebreak:card:start -->\n".repeat(2_000)}${"<!-- firebreak:card:end -->\n".repeat(2_000)}`,
      `### Severity\n\n${"SEV".repeat(20_000)}`,
      "\r\n".repeat(30_000),
      "🔥".repeat(30_000),
      "- [X] ".repeat(10_000),
    ];
    for (const b of hostile) {
      const started = performance.now();
      expectValid(b, shipped);
      expect(performance.now() - started).toBeLessThan(2_000);
    }
  });

  it("for random large bodies", () => {
    fc.assert(
      fc.property(fc.array(fragment, { minLength: 200, maxLength: 400 }), fc.nat({ max: 3 }), (parts, n) => {
        const b = parts.join("\n").repeat(n + 1);
        expectValid(b.slice(0, 65_536), shipped);
      }),
      { numRuns: 100 },
    );
  });

  it("for null and non-string values that slip through at runtime", () => {
    expectValid(null, shipped);
    expectValid(undefined as unknown as string, shipped);
    expectValid(42 as unknown as string, shipped);
    expectValid("### Severity\n\nSEV1", null as unknown as string);
  });
});

describe("the other parsers never throw either", () => {
  it("parseCost, parseDuration, parseLenientTime, formatElapsed", () => {
    const reference = new Date("2026-11-24T12:00:00Z");
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), fc.double(), (text, ms) => {
        const cost = parseCost(text);
        if (cost) expect(cost.amount).toBeGreaterThan(0);
        const duration = parseDuration(text);
        if (duration !== undefined) expect(duration).toBeGreaterThan(0);
        const time = parseLenientTime(text, reference);
        if (time) expect(Number.isNaN(time.getTime())).toBe(false);
        expect(typeof formatElapsed(ms)).toBe("string");
      }),
      { numRuns: 3000 },
    );
  });
});
