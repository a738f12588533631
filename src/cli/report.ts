// `firebreak report [--since 90d] [--format md|json|csv]` (SPEC §16): the period ending now,
// computed from GitHub alone — issues, the records Firebreak wrote, postmortems.
import { stringify } from "csv-stringify/sync";
import type { ExitCode, Io } from "./common.js";
import { CliError, EXIT, parseRepo } from "./common.js";
import type { CliOctokitOptions } from "./octokit.js";
import { cliOctokit } from "./octokit.js";
import { tokenOwner } from "./reconcile.js";
import { parseDuration } from "../core/time.js";
import type { Report } from "../core/report/metrics.js";
import { REPORT_TIMES, buildReport } from "../core/report/metrics.js";
import { renderReportMarkdown } from "../core/report/render.js";
import { loadRepoConfig } from "../github/config.js";
import { FileCache } from "../github/files.js";
import { readReportInput } from "../github/report-data.js";

export interface ReportOptions {
  repo: string;
  since?: string;
  format?: "md" | "json" | "csv";
  configPath?: string;
  /** Who wrote Firebreak's records (default: the token's owner, as `reconcile` writes). */
  botLogin?: string;
}

/** A cell a spreadsheet would run as a formula is quoted as text (CSV injection). */
function cell(value: unknown): string {
  const text = value === undefined || value === null ? "" : String(value);
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

export function reportCsv(report: Report): string {
  const header = ["number", "title", "url", "severity", "status", "declared_at", "likely_layer", "confirmed_layer", ...REPORT_TIMES.map((t) => `${t}_minutes`), "repeat_of", "peak_parallel", "cost", "currency", "postmortem"];
  const rows = report.incidents.map((r) => [r.number, r.title, r.url, r.severity, r.status, r.declaredAt, r.likelyLayer, r.confirmedLayer, ...REPORT_TIMES.map((t) => r.minutes[t]), r.repeatOf, r.peakParallel, r.cost, r.currency, r.postmortem].map(cell));
  return stringify([header, ...rows]).trimEnd();
}

export async function runReport(options: ReportOptions, io: Io, octokitOptions: CliOctokitOptions = {}, now = new Date()): Promise<ExitCode> {
  const ref = parseRepo(options.repo);
  const span = parseDuration(options.since ?? "90d");
  if (span === undefined) throw new CliError(`--since takes a duration such as 30d or 12w, not "${options.since ?? ""}"`, EXIT.usage);
  const gh = cliOctokit(io.env, octokitOptions);
  const loaded = await loadRepoConfig(gh, new FileCache(), ref, options.configPath);
  for (const e of loaded.errors) io.err(`warning: ${loaded.path}: ${e.key}: ${e.reason}`);
  const writer = options.botLogin ?? (await tokenOwner(gh)).writerLogin ?? "github-actions[bot]";
  const period = { from: new Date(now.getTime() - span).toISOString(), to: now.toISOString() };
  const report = buildReport(await readReportInput(gh, ref, loaded.config, period, writer));
  const format = options.format ?? "md";
  io.out(format === "json" ? JSON.stringify(report, null, 2) : format === "csv" ? reportCsv(report) : renderReportMarkdown(report));
  return EXIT.ok;
}
