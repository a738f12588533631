// Every parser and regex that reads text anyone can write, on hostile input (SPEC §13, bounded
// work): `npm run bench` times them (the ReDoS table); test/unit/regex-linear.test.ts proves the
// regexes they run cannot backtrack, and records which regexes they build as they run.
import { readFileSync } from "node:fs";
import { parseBody } from "../../core/card.js";
import { parseCheckArgs } from "../../core/commands/check.js";
import { parseComment } from "../../core/commands/grammar.js";
import { MAX_CONFIG_CHARS, parseConfigYaml, resolveConfig } from "../../core/config.js";
import { parseCost } from "../../core/declaration/cost.js";
import { parseDeclaration } from "../../core/declaration/form.js";
import { parseKpi } from "../../core/detection/index.js";
import { postmortemDue, postmortemGaps, processFixLink } from "../../core/postmortem/gate.js";
import { lineKinds, linesOf, withoutComments } from "../../core/text/scanner.js";
import { parseDuration, parseLenientTime } from "../../core/time.js";
import { customMatcher, trackingQaSchema } from "../../core/tracking-qa/config.js";
import { classifyHit } from "../../core/tracking-qa/hits.js";
import { detectTags } from "../../core/tracking-qa/tags.js";

export const HOSTILE_CHARS = 65_536;

/** Runs of what each pattern might backtrack on: spaces, tabs, words a regex looks for, markup. */
const UNITS = [
  " ", "\t", "\n", " \n", "a", "1", "a ", "1 ", "-", " - ", "_", "*", "**", "#", "# ", "`", "~", "[", "](", "(", ")", "<", "<!--", "-->", ">",
  "/", "\\", ":", ".", ",", "@", "@a", "in ", "in 1", "only ", "just ", "sev", "sev ", "severity: ", "answer here ", "$", "1-", "1 to ",
  "http://", "[a](http://a ", "\"", "'", "=", "&", "?", "%", "|", "- [ ] ", "### ", "gtag(", "fbq(", "GTM-", "G-", "1:", "T", "+",
];

const PREFIXES = ["", "/check ", "### What happened?\n\n", "sev", "only", "Due: ", "<script>"];

/** Hostile inputs of about `n` characters: every unit repeated, after each prefix, ending in a character that fails a match. */
export function hostileInputs(n: number): string[] {
  const out: string[] = [];
  for (const unit of UNITS) for (const prefix of PREFIXES) out.push(`${prefix}${unit.repeat(Math.ceil((n - prefix.length) / unit.length))}!`);
  return out;
}

const template = readFileSync(new URL("../../../templates/ISSUE_TEMPLATE/marketing-incident.yml", import.meta.url), "utf8");
const formLabels = [...template.matchAll(/^ {6}label: (.+)$/gm)].map((m) => m[1]!);
const qaConfig = trackingQaSchema.parse({ ids: { meta_pixel: "1234567890", ga4: "G-ABC123", gtm: "GTM-XYZ9", tiktok: "C4TIKTOK" }, custom: { a: "/(a+)+b/", b: "/(x+x+)+y/i", c: "static.klaviyo.com/onsite/js/" } });
const nastyRegex = customMatcher("/(a+)+b/");
const reference = new Date("2026-01-15T12:00:00Z");

export interface RedosCase {
  name: string;
  run(input: string): unknown;
}

export const REDOS_CASES: readonly RedosCase[] = [
  { name: "comment commands (parseComment)", run: (s) => parseComment(s) },
  { name: "/check time and @user (parseCheckArgs)", run: (s) => parseCheckArgs(s) },
  // Every field of the form holds the hostile text (outcomes, severity, layer, channels, cost, times).
  { name: "declaration form (parseDeclaration)", run: (s) => parseDeclaration(formLabels.map((label) => `### ${label}\n\n${s}`).join("\n\n"), template, template) },
  { name: "form cost (parseCost)", run: (s) => parseCost(s) },
  { name: "form times (parseLenientTime)", run: (s) => parseLenientTime(s, reference) },
  { name: "durations (parseDuration)", run: (s) => parseDuration(s) },
  { name: "postmortem gate (postmortemGaps)", run: (s) => postmortemGaps(s) },
  { name: "postmortem process-fix link", run: (s) => processFixLink(s) },
  { name: "postmortem due date", run: (s) => postmortemDue(s) },
  { name: "card and record (parseBody)", run: (s) => parseBody(s) },
  { name: "markdown scanner (lineKinds, withoutComments)", run: (s) => [lineKinds(linesOf(s), { unclosed: "rest" }), withoutComments(s)] },
  // The yaml parser is not linear on some malformed files: a file is read only up to its cap,
  // so the hostile text fills a file of the largest size read.
  {
    name: `config YAML (parse + resolve), a file at its ${MAX_CONFIG_CHARS.toLocaleString("en-US")}-character cap`,
    run: (s) => resolveConfig(parseConfigYaml(`lookback_hours: 1\nincident_title: "${s.slice(0, MAX_CONFIG_CHARS - 64).replace(/["\\]/g, "")}"\n`).value),
  },
  { name: "tracking QA custom regex /(a+)+b/ (RE2)", run: (s) => nastyRegex.test(s) },
  { name: "tracking QA page tags (detectTags)", run: (s) => detectTags(s, qaConfig) },
  { name: "tracking QA hits (classifyHit)", run: (s) => classifyHit(`https://www.facebook.com/tr?id=1&ev=${encodeURIComponent(s.slice(0, 8000))}`, s) },
  { name: "KPI series, CSV and JSON Lines (parseKpi)", run: (s) => [parseKpi(`timestamp,channel,spend\n2026-01-05T10:00:00Z,meta,${s}`), parseKpi(`{"timestamp":"${s.replace(/["\\]/g, "")}"}`, { format: "jsonl" })] },
];

/** Milliseconds for one run, the best of `tries` (the least disturbed by GC and other work). */
export function timeRun(run: (s: string) => unknown, input: string, tries = 1): number {
  let best = Infinity;
  for (let i = 0; i < tries; i++) {
    const t = performance.now();
    run(input);
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

/** The worst input of `hostileInputs(n)` for a case, and its time. */
export function worstInput(c: RedosCase, n: number): { ms: number; input: string; unit: string } {
  let worst = { ms: -1, input: "", unit: "" };
  for (const input of hostileInputs(n)) {
    const ms = timeRun(c.run, input);
    if (ms > worst.ms) worst = { ms, input, unit: JSON.stringify(input.slice(0, 24)) };
  }
  return worst;
}

export interface RedosRow {
  name: string;
  worstMs: number;
  worstInput: string;
  /** Work on 4n characters over work on n (≈4 when linear, ≈16 when quadratic). */
  ratio4n: number;
}

/** The ReDoS table: each case's worst hostile input of 65,536 characters, and how it scales. */
export function benchRedos(): RedosRow[] {
  return REDOS_CASES.map((c) => {
    const worst = worstInput(c, HOSTILE_CHARS);
    const big = timeRun(c.run, worst.input, 3);
    const small = timeRun(c.run, worst.input.slice(0, HOSTILE_CHARS / 4 - 1) + "!", 3);
    return { name: c.name, worstMs: big, worstInput: worst.unit, ratio4n: small > 0 ? big / small : 0 };
  });
}
