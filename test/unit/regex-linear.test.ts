// ReDoS (SPEC §13, bounded work), proved without timing: every regex Firebreak runs is checked by
// recheck, whose automaton checker proves a pattern linear (or finds an attack string) and whose
// fuzz checker counts the steps of a backtracking matcher. Two sets of regexes:
//  - every regex literal in src/ (src/dev/ holds the local GitHub, demo and bench: never hosted);
//  - every regex the parsers build with `new RegExp(…)`, recorded while their modules load and
//    while they read the bench's hostile inputs (src/dev/bench/redos.ts).
// Custom config regexes run on RE2 (linear by construction): see test/unit/redos.test.ts.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { checkSync } from "recheck";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = new URL("../../", import.meta.url).pathname;

interface Found {
  where: string;
  source: string;
  flags: string;
}

function literalsIn(dir: string): Found[] {
  const found: Found[] = [];
  for (const file of readdirSync(join(root, dir), { recursive: true, encoding: "utf8" })) {
    const path = join(dir, file);
    if (!path.endsWith(".ts") || path.startsWith(join("src", "dev"))) continue;
    const source = ts.createSourceFile(path, readFileSync(join(root, path), "utf8"), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
        const text = node.getText(source);
        const end = text.lastIndexOf("/");
        found.push({ where: `${path}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}`, source: text.slice(1, end), flags: text.slice(end + 1) });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

/** Regexes recheck does not prove safe, with its verdict and attack string. */
function notLinear(regexes: readonly Found[]): string[] {
  return regexes.flatMap((r) => {
    const verdict = checkSync(r.source, r.flags, { timeout: 60_000 });
    if (verdict.status === "safe") return [];
    const detail = verdict.status === "vulnerable" ? `${verdict.complexity.type} on ${verdict.attack.pattern}` : verdict.error.kind;
    return [`${r.where} /${r.source}/${r.flags}: ${verdict.status} (${detail})`];
  });
}

describe("ReDoS: every regex Firebreak runs on user text is linear (recheck)", () => {
  it("every regex literal in src/ cannot backtrack super-linearly", () => {
    const literals = literalsIn("src");
    expect(literals.length).toBeGreaterThan(250);
    expect(notLinear(literals)).toEqual([]);
  }, 600_000);

  describe("regexes built at run time", () => {
    const built = new Map<string, Found>();
    const Native = RegExp;

    beforeAll(async () => {
      // Record every `new RegExp(…)`/`RegExp(…)`; nothing from src/ is loaded before this point.
      const record = (made: RegExp): RegExp => {
        built.set(`/${made.source}/${made.flags}`, { where: "built at run time", source: made.source, flags: made.flags });
        return made;
      };
      globalThis.RegExp = new Proxy(Native, {
        construct: (target, args: [string | RegExp, string?], newTarget) => record(Reflect.construct(target, args, newTarget) as RegExp),
        apply: (target, self, args: [string | RegExp, string?]) => record(Reflect.apply(target, self, args) as RegExp),
      });
      try {
        const { hostileInputs, REDOS_CASES } = await import("../../src/dev/bench/redos.js");
        for (const input of hostileInputs(300)) for (const c of REDOS_CASES) c.run(input);
      } finally {
        globalThis.RegExp = Native;
      }
    }, 120_000);

    afterAll(() => {
      globalThis.RegExp = Native;
    });

    it("records the parsers' built regexes (the recorder works)", () => {
      const sources = [...built.values()].map((r) => r.source);
      // tags.ts builds its fbq pattern at load; time.ts its clock patterns.
      expect(sources.some((s) => s.includes("fbq"))).toBe(true);
      expect(sources.some((s) => s.includes("today|yesterday"))).toBe(true);
    });

    it("every regex the parsers build cannot backtrack super-linearly", () => {
      expect(notLinear([...built.values()])).toEqual([]);
    }, 600_000);
  });
});
