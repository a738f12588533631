// The boundaries eslint.config.js enforces (ENGINEERING.md "Shape"), proven to fire: each rule
// reports a violating snippet placed inside src/core, src/app or src/action, and stays quiet on
// a clean one. The snippets are linted as text; no file is written.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import { beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: ROOT, overrideConfigFile: join(ROOT, "eslint.config.js") });
});

interface Found {
  rule: string | null;
  message: string;
}

async function lint(filePath: string, code: string): Promise<Found[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, filePath) });
  return (result?.messages ?? []).map((m) => ({ rule: m.ruleId, message: m.message }));
}

/** A module that imports `name` from `source` and uses it, so only boundary rules can object. */
const importing = (source: string, name = "x") => `import { ${name} } from "${source}";\nexport const used = ${name};\n`;

async function expectRule(filePath: string, code: string, rule: string, message: RegExp): Promise<void> {
  const found = await lint(filePath, code);
  expect(found.filter((f) => f.rule === rule), `${filePath}: ${code}`).toEqual([{ rule, message: expect.stringMatching(message) }]);
}

async function expectClean(filePath: string, code: string): Promise<void> {
  expect(await lint(filePath, code), `${filePath}: ${code}`).toEqual([]);
}

describe("src/core imports no framework, network, files or processes", () => {
  const forbidden = [
    "probot",
    "@actions/core",
    "@actions/github",
    "@octokit/core",
    "@octokit/plugin-retry",
    "node:http",
    "node:https",
    "node:net",
    "node:dns",
    "node:dns/promises",
    "node:child_process",
    "node:fs",
    "node:fs/promises",
    "fs",
    "undici",
    "playwright-core",
  ];
  for (const source of forbidden) {
    it(`refuses ${source}`, async () => {
      await expectRule("src/core/engine.ts", importing(source), "no-restricted-imports", /src\/core is pure/);
      await expectRule("src/core/commands/owner.ts", importing(source), "no-restricted-imports", /src\/core is pure/);
    });
  }

  it("allows pure libraries and Node's pure modules", async () => {
    await expectClean("src/core/card.ts", importing("node:zlib", "deflateRawSync"));
    await expectClean("src/core/config.ts", importing("zod", "z"));
  });
});

describe("src/core imports nothing outside src/core", () => {
  for (const area of ["github", "app", "action", "cli", "dev", "tracking-qa", "schedule"]) {
    it(`refuses src/${area}, from any depth`, async () => {
      await expectRule("src/core/engine.ts", importing(`../${area}/index.js`), "no-restricted-imports", /imports nothing outside src\/core/);
      await expectRule("src/core/commands/owner.ts", importing(`../../${area}/index.js`), "no-restricted-imports", /imports nothing outside src\/core/);
      await expectRule("src/core/decide/deep/apply.ts", importing(`../../../${area}/index.js`), "no-restricted-imports", /imports nothing outside src\/core/);
    });
  }

  it("allows imports within src/core, a core folder named like a shell one included", async () => {
    await expectClean("src/core/engine.ts", importing("./card.js", "parseBody"));
    await expectClean("src/core/commands/owner.ts", importing("../domain.js", "toLayer"));
    await expectClean("src/core/decide/plan.ts", importing("../tracking-qa/config.js", "trackingQaSchema"));
  });
});

describe("src/core reads no environment and no clock", () => {
  it("refuses process.env", async () => {
    await expectRule("src/core/config.ts", "export const token = process.env.GITHUB_TOKEN;\n", "no-restricted-properties", /never reads the environment/);
  });

  it("refuses Date.now()", async () => {
    await expectRule("src/core/time.ts", "export const now = Date.now();\n", "no-restricted-properties", /has no clock/);
  });

  it("refuses new Date() and Date() without a time", async () => {
    await expectRule("src/core/time.ts", "export const now = new Date();\n", "no-restricted-syntax", /has no clock/);
    await expectRule("src/core/time.ts", "export const now = Date();\n", "no-restricted-syntax", /has no clock/);
  });

  it("refuses dynamic import()", async () => {
    await expectRule("src/core/engine.ts", 'export const m = import("./card.js");\n', "no-restricted-syntax", /imports statically/);
  });

  it("allows dates made from the event's time", async () => {
    await expectClean("src/core/time.ts", 'export function at(iso: string): number {\n  return new Date(iso).getTime() + Date.parse("2026-01-01T00:00:00Z");\n}\n');
  });

  it("leaves the clock and environment to code outside the core", async () => {
    await expectClean("src/app/server.ts", "export const slug = process.env.APP_SLUG ?? String(Date.now()) + new Date().toISOString();\n");
  });
});

describe("src/app and src/action never import src/dev", () => {
  for (const file of ["src/app/index.ts", "src/action/run.ts"]) {
    it(`refuses src/dev from ${file}`, async () => {
      await expectRule(file, importing("../dev/harness.js", "startAppWorld"), "no-restricted-imports", /never imports src\/dev/);
      await expectRule(file, importing("../dev/local-github/index.js", "LocalGitHub"), "no-restricted-imports", /never imports src\/dev/);
    });
    it(`allows the shell from ${file}`, async () => {
      await expectClean(file, importing("../github/release-qa.js", "runReleaseQa"));
    });
  }

  it("lets the CLI run the demo scenario", async () => {
    await expectClean("src/cli/demo.ts", importing("../dev/demo-scenario.js", "runDemo"));
  });
});
