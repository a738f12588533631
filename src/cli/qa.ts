// `firebreak qa`: release-style tracking QA on demand. Exit 1 when any check failed, 0 when
// all passed, 2 when there is nothing valid to check (usage or tracking_qa config errors).
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { ConfigError, FirebreakConfig } from "../core/config.js";
import type { TrackingQaConfig } from "../core/tracking-qa/config.js";
import type { StepResult } from "../core/tracking-qa/evaluation.js";
import { trackingQaSchema } from "../core/tracking-qa/config.js";
import { renderQaTable } from "../core/tracking-qa/report.js";
import { loadRepoConfig } from "../github/config.js";
import { FileCache } from "../github/files.js";
import type { QaReport } from "../tracking-qa/run.js";
import { runTrackingQa } from "../tracking-qa/run.js";
import { browserUnavailable, chromiumPath } from "../tracking-qa/browser.js";
import type { ExitCode, Io } from "./common.js";
import { CliError, configFailure, EXIT, parseRepo } from "./common.js";
import { readLocalConfig } from "./labels.js";
import type { CliOctokitOptions } from "./octokit.js";
import { cliOctokit } from "./octokit.js";

export interface QaOptions {
  config?: string;
  repo?: string;
  browser?: boolean;
  baseUrl?: string;
  format?: "text" | "markdown";
  json?: boolean;
}

const LOCAL_DEFAULT = ".github/firebreak.yml";

async function loadConfig(options: QaOptions, io: Io, octokitOptions: CliOctokitOptions): Promise<{ config: FirebreakConfig; errors: ConfigError[]; source: string }> {
  if (options.config && options.repo) throw new CliError("pass --config FILE or --repo OWNER/REPO, not both");
  if (options.repo) {
    const ref = parseRepo(options.repo);
    const loaded = await loadRepoConfig(cliOctokit(io.env, octokitOptions), new FileCache(), ref);
    return { config: loaded.config, errors: loaded.errors, source: `${options.repo}:${loaded.path}` };
  }
  const path = options.config ?? LOCAL_DEFAULT;
  if (!options.config && !existsSync(resolve(io.cwd, path))) {
    throw new CliError(`no ${LOCAL_DEFAULT} here: pass --config FILE or --repo OWNER/REPO`);
  }
  const local = readLocalConfig(path, io.cwd);
  return { config: local.config, errors: local.errors, source: path };
}

/** The same table as the check run and job summary, aligned for a terminal. */
export function plainQaTable(results: readonly StepResult[]): string {
  const rows: string[][] = [["STEP", "EXPECTATION", "RESULT", "SEEN"]];
  for (const r of results) {
    const step = `${r.path}${r.httpStatus !== undefined ? ` (${r.httpStatus})` : ""}`;
    if (r.expectations.length === 0) rows.push([step, "page answers", r.error === undefined ? "ok" : "error", r.error ?? "2xx/3xx"]);
    for (const e of r.expectations) rows.push([step, e.expectation, e.status, e.seen.replace(/\s+/g, " ")]);
  }
  const widths = [0, 1, 2].map((i) => Math.min(40, Math.max(...rows.map((row) => row[i]!.length))));
  const fit = (text: string, width: number) => (text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width));
  // The last column is never cut: it carries the reasons and fixes.
  return rows.map((row) => [...widths.map((w, i) => fit(row[i]!, w)), row[3]!].join("  ").trimEnd()).join("\n");
}

function summaryLine(report: QaReport): string {
  const s = report.summary;
  const failed = s.failures.length;
  return `${s.passed ? "passed" : "FAILED"}: ${report.steps.length} page${report.steps.length === 1 ? "" : "s"}, ${s.checks} check${s.checks === 1 ? "" : "s"}, ${failed} failed${s.needsBrowser > 0 ? `, ${s.needsBrowser} need the browser stage (--browser)` : ""} · stages: ${report.stages.join(" + ")} · ${report.durationMs} ms`;
}

export async function runQa(options: QaOptions, io: Io, octokitOptions: CliOctokitOptions = {}): Promise<ExitCode> {
  const { config, errors, source } = await loadConfig(options, io, octokitOptions);
  if (errors.length > 0) throw configFailure(source, errors);
  let qa: TrackingQaConfig = config.tracking_qa;
  if (options.baseUrl) {
    const parsed = trackingQaSchema.safeParse({ ...qa, base_url: options.baseUrl });
    if (!parsed.success) throw new CliError(`--base-url: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
    qa = parsed.data;
  }
  if (!qa.base_url || qa.steps.length === 0) {
    throw new CliError(`tracking QA is not configured in ${source}: set tracking_qa.base_url and tracking_qa.steps`);
  }
  // No browser here: keep the static results and say what to install, instead of failing every row.
  const wantsBrowser = options.browser ?? qa.browser;
  const unavailable = wantsBrowser ? await browserUnavailable(chromiumPath(io.env)) : undefined;
  const report = await runTrackingQa(qa, unavailable ? { browser: false } : options.browser ? { browser: true } : {});
  if (options.json) {
    io.out(JSON.stringify(report, null, 2));
  } else {
    const markdown = options.format === "markdown" || (options.format === undefined && !io.isTTY);
    io.out(markdown ? renderQaTable(report.steps) : plainQaTable(report.steps));
    io.out("");
    io.out(summaryLine(report));
  }
  if (unavailable) {
    io.err(`browser stage: unavailable — ${unavailable}`);
    io.err("The static results above stand; tag:event expectations need the browser stage. Exit 2: fix the set-up and run again.");
    return EXIT.usage;
  }
  return report.summary.passed ? EXIT.ok : EXIT.failure;
}
