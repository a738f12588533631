import js from "@eslint/js";
import tseslint from "typescript-eslint";

// ---------------------------------------------------------------------------------------------
// Boundaries (ENGINEERING.md "Shape"). src/core is pure: no GitHub framework, network, files,
// child processes, environment or clock; it imports nothing outside src/core. src/app and
// src/action never import the developer tools in src/dev. test/unit/boundaries.test.ts proves
// each rule fires.

/** Packages and Node modules the core must not import (bare Node names too). */
const CORE_FORBIDDEN_MODULES = ["probot", "undici", "playwright-core", ...["http", "https", "net", "dns", "child_process", "fs", "process"].flatMap((m) => [`node:${m}`, m])];
/** Scopes and subpaths of the same (`@actions/core`, `node:fs/promises`, `probot/lib/…`). */
const CORE_FORBIDDEN_PATTERNS = ["@actions/*", "@octokit/*", ...CORE_FORBIDDEN_MODULES.map((m) => `${m}/*`)];
/** The src/ folders outside the core. */
const OUTSIDE_CORE = ["github", "app", "action", "cli", "dev", "tracking-qa", "schedule"];

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/**
 * A regex for relative imports that leave src/<area> into one of `folders`: from a file `depth`
 * folders below src/<area>, `../` × (depth + 1) reaches src/. Paths naming src/ itself count too.
 */
const intoSrc = (depth, folders) => `^(${escape("../".repeat(depth + 1))}|.*(^|/)src/)(${folders.map(escape).join("|")})(/|$)`;
/** One config per folder depth below src/<area>, so each file's `..` count is known. */
const DEPTHS = [0, 1, 2, 3, 4, 5];
const filesAt = (area, depth) => [`src/${area}/${"*/".repeat(depth)}*.ts`];

const coreBoundaries = DEPTHS.map((depth) => ({
  files: filesAt("core", depth),
  rules: {
    "no-restricted-imports": [
      "error",
      {
        paths: CORE_FORBIDDEN_MODULES.map((name) => ({ name, message: "src/core is pure: GitHub, network, files and processes belong to the shell (src/github, src/tracking-qa)." })),
        patterns: [
          { group: CORE_FORBIDDEN_PATTERNS, message: "src/core is pure: GitHub, network, files and processes belong to the shell (src/github, src/tracking-qa)." },
          { regex: intoSrc(depth, OUTSIDE_CORE), message: "src/core imports nothing outside src/core: the shell calls the core, never the other way round." },
        ],
      },
    ],
  },
}));

const coreEnvAndClock = {
  files: ["src/core/**/*.ts"],
  rules: {
    "no-restricted-properties": [
      "error",
      { object: "process", property: "env", message: "src/core never reads the environment: the entry passes what it needs." },
      { object: "Date", property: "now", message: "src/core has no clock: take the time of the event as an argument." },
    ],
    "no-restricted-syntax": [
      "error",
      { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: "src/core has no clock: `new Date()` needs an explicit time (take the time of the event as an argument)." },
      { selector: "CallExpression[callee.name='Date']", message: "src/core has no clock: `Date()` is the current time as text." },
      { selector: "ImportExpression", message: "src/core imports statically, so the boundary rules can see what it imports." },
    ],
  },
};

const facesWithoutDev = ["app", "action"].flatMap((area) =>
  DEPTHS.map((depth) => ({
    files: filesAt(area, depth),
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ regex: intoSrc(depth, ["dev"]), message: `src/${area} never imports src/dev: developer tools do not ship in the product.` }] },
      ],
    },
  })),
);

export default tseslint.config(
  { ignores: ["build/", "dist/", "node_modules/", "coverage/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      eqeqeq: ["error", "always"],
    },
  },
  {
    files: ["bin/**/*.js", "scripts/**/*.js"],
    languageOptions: { globals: { process: "readonly", console: "readonly" } },
  },
  ...coreBoundaries,
  coreEnvAndClock,
  ...facesWithoutDev,
);
