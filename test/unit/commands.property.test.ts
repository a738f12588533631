// parseComment on anything people (or scripts) can post: it never throws, only names known
// commands, reads at most 20, and never reads a command out of a code block or a quote.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { COMMAND_NAMES, MAX_COMMANDS_PER_COMMENT, parseComment } from "../../src/core/commands/grammar.js";

const known = new Set<string>(COMMAND_NAMES);

/** Invariants that hold for every string. */
function expectSane(body: string): void {
  const parsed = parseComment(body);
  expect(parsed.commands.length).toBeLessThanOrEqual(MAX_COMMANDS_PER_COMMENT);
  for (const c of parsed.commands) {
    expect(known.has(c.name)).toBe(true);
    expect(c.args).not.toMatch(/[\r\n]/);
    expect(c.args).toBe(c.args.trim());
    for (const [key, value] of Object.entries(c.fields)) {
      expect(key).toMatch(/^[a-z][a-z-]*$/);
      expect(value).not.toMatch(/[\r\n]/);
    }
    // The command's own line is in the comment: `/name` (any case) starting a line, after at most 3 spaces.
    expect(body.replace(/\r\n?/g, "\n").split("\n").some((line) => new RegExp(`^ {0,3}/${c.name}(?=\\s|$)`, "i").test(line.trimStart()) && !/^( {4}|\t)/.test(line))).toBe(true);
  }
  for (const miss of parsed.nearMisses) {
    expect(known.has(miss.suggestion)).toBe(true);
    expect(known.has(miss.word)).toBe(false);
  }
}

const pieces = fc.constantFrom(
  ...COMMAND_NAMES.map((n) => `/${n}`),
  "/OWNER",
  "/onwer",
  "/checkout",
  "/",
  "//owner",
  "> ",
  ">",
  "```",
  "~~~",
  "````",
  "    ",
  "\t",
  " ",
  "\n",
  "\r\n",
  "\r",
  "cause: ",
  "evidence: ",
  "@octocat",
  "🔥",
  "\u0000",
  "\u2028",
  "\ud800",
  "Z\u0351\u0352",
  '"',
  "'",
);

const messy = fc.oneof(
  fc.string({ unit: "binary", maxLength: 300 }),
  fc.string({ unit: "grapheme", maxLength: 300 }),
  fc.array(fc.oneof(pieces, fc.string({ maxLength: 12 })), { maxLength: 80 }).map((parts) => parts.join("")),
);

describe("parseComment never throws and only returns what it may", () => {
  it("for arbitrary and messy strings", () => {
    fc.assert(
      fc.property(messy, (body) => expectSane(body)),
      { numRuns: 5000 },
    );
  });

  it("for 60,000-character comments", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(pieces, fc.string({ unit: "grapheme", maxLength: 40 })), { minLength: 200, maxLength: 600 }), (parts) => {
        const unit = parts.join("");
        const body = unit.repeat(Math.ceil(60_000 / Math.max(unit.length, 1))).slice(0, 60_000);
        expectSane(body);
      }),
      { numRuns: 50 },
    );
    for (const body of [
      "/change x\n".repeat(6_000),
      "/".repeat(60_000),
      "`".repeat(60_000),
      "```\n".repeat(15_000),
      "> /owner @x\n".repeat(5_000),
      "\r\n".repeat(30_000),
      "🔥".repeat(30_000),
      `/update\n${"next: x\n".repeat(7_000)}`,
      `/onwer ${"a".repeat(59_990)}`,
    ]) {
      expectSane(body);
    }
  });
});

// Comments built from segments whose meaning is known: commands outside quotes and fences are
// read, in order; the ones inside are never read.
type Segment = { kind: "command"; name: string; arg: string } | { kind: "quoted" | "fenced"; text: string } | { kind: "plain"; text: string };

/** A line that is neither a command, a quote, a fence nor indented code. */
const plainLine = fc.string({ unit: "grapheme", maxLength: 60 }).map((s) => `note ${s.replace(/[\r\n\u2028\u2029\u0085]/g, " ").replace(/```|~~~/g, "")}`);
const hiddenCommand = fc.tuple(fc.constantFrom(...COMMAND_NAMES), fc.nat({ max: 9999 })).map(([name, n]) => `/${name} hidden-${n}`);

const segment: fc.Arbitrary<Segment> = fc.oneof(
  fc.tuple(fc.constantFrom(...COMMAND_NAMES), fc.nat({ max: 9999 }), fc.constantFrom("", " ", "  ", "   "), fc.boolean()).map(([name, n, indent, upper]) => ({
    kind: "command" as const,
    name,
    arg: `${indent}/${upper ? name.toUpperCase() : name} shown-${n}`,
  })),
  fc.tuple(fc.constantFrom(">", "> ", ">> ", "  > ", ">\t"), hiddenCommand).map(([q, c]) => ({ kind: "quoted" as const, text: `${q}${c}` })),
  fc
    .tuple(
      fc.constantFrom("```", "~~~", "````", "```js", "~~~~ yaml", "  ```"),
      fc.array(fc.oneof(hiddenCommand, plainLine, fc.constant("~~~x"), fc.constant("> /owner @x")), { maxLength: 5 }),
    )
    .map(([fence, inner]) => {
      const char = fence.trim()[0]!;
      const length = fence.trim().match(/^([`~]+)/)![1]!.length;
      // A line that could close the fence early is not inside it: keep the inner lines clear of it.
      const body = inner.filter((l) => !l.trimStart().startsWith(char.repeat(3)));
      return { kind: "fenced" as const, text: [fence, ...body, char.repeat(length)].join("\n") };
    }),
  fc.array(plainLine, { minLength: 1, maxLength: 3 }).map((lines) => ({ kind: "plain" as const, text: lines.join("\n") })),
  fc.tuple(hiddenCommand).map(([c]) => ({ kind: "plain" as const, text: `    ${c}` })),
);

describe("parseComment reads commands only outside code blocks and quotes", () => {
  it("returns exactly the visible commands, in order, and none from fences, quotes or indented code", () => {
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 30 }), fc.constantFrom("\n", "\n\n"), fc.boolean(), (segments, separator, crlf) => {
        const lf = segments.map((s) => (s.kind === "command" ? s.arg : s.text)).join(separator);
        const body = crlf ? lf.replace(/\n/g, "\r\n") : lf;
        const parsed = parseComment(body);
        const visible = segments.filter((s): s is Extract<Segment, { kind: "command" }> => s.kind === "command").slice(0, MAX_COMMANDS_PER_COMMENT);
        expect(parsed.commands.map((c) => c.name)).toEqual(visible.map((s) => s.name));
        expect(parsed.commands.map((c) => c.args)).toEqual(visible.map((s) => s.arg.trim().split(" ")[1]));
        for (const c of parsed.commands) expect(c.args).not.toContain("hidden-");
        expect(parsed.nearMisses).toEqual([]);
        expectSane(body);
      }),
      { numRuns: 4000 },
    );
  });

  it("ignores a quoted or fenced command wherever it sits among real ones", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...COMMAND_NAMES), { minLength: 1, maxLength: 8 }),
        fc.nat(),
        fc.constantFrom("> /severity 1", "```\n/severity 1\n```", "~~~\n/owner @mallory\n~~~", ">> /not-incident nope", "    /resolve"),
        (names, at, hidden) => {
          const lines = names.map((n) => `/${n} visible`);
          lines.splice(at % (lines.length + 1), 0, hidden);
          const parsed = parseComment(lines.join("\n"));
          expect(parsed.commands.map((c) => c.name)).toEqual(names);
          expect(parsed.commands.every((c) => c.args === "visible")).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
