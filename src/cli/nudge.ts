// `firebreak nudge`: the scheduled pass's nudge job from a terminal — one reminder per window to
// whoever owes the next move on each open incident and late postmortem (SPEC §15).
import { loadRepoConfig } from "../github/config.js";
import { CallBudget } from "../github/shell/budget.js";
import type { RunResult } from "../github/shell/deps.js";
import { nudgeIncidents } from "../github/shell/nudges.js";
import type { ExitCode, Io } from "./common.js";
import { EXIT, parseRepo } from "./common.js";
import type { CliOctokitOptions } from "./octokit.js";
import { cliOctokit } from "./octokit.js";
import type { ReconcileOptions } from "./reconcile.js";
import { scheduledDeps } from "./reconcile.js";

export function renderNudges(repo: string, results: readonly Omit<RunResult, "configErrors">[]): string {
  if (results.length === 0) return `${repo}: nothing overdue.`;
  const lines = [`${repo}: ${results.length} issue${results.length === 1 ? "" : "s"} with something overdue`];
  for (const r of results) lines.push(`  #${r.incident ?? "?"}  ${r.notes.join("; ")}`);
  return lines.join("\n");
}

export async function runNudge(options: ReconcileOptions, io: Io, octokitOptions: CliOctokitOptions = {}): Promise<ExitCode> {
  const ref = parseRepo(options.repo);
  const gh = cliOctokit(io.env, octokitOptions);
  const deps = await scheduledDeps(gh, options, io);
  const { config, errors, path } = await loadRepoConfig(gh, deps.files, ref, deps.configPath);
  for (const e of errors) io.err(`warning: ${path}: ${e.key}: ${e.reason}`);
  if (!config.nudges) {
    io.out(`${ref.owner}/${ref.repo}: nudges are off (nudges: false in ${path}).`);
    return EXIT.ok;
  }
  const budget = new CallBudget(config.schedule.max_calls);
  const run = await nudgeIncidents(budget.meter(gh), ref, config, deps, budget, new Date().toISOString());
  if (run.resumeAfter !== undefined) io.err(`note: the pass spent its budget of ${budget.spent} calls (schedule.max_calls) after #${run.resumeAfter}; run it again for the rest (incidents already reminded in this window are skipped)`);
  io.out(options.json ? JSON.stringify(run.results, null, 2) : renderNudges(`${ref.owner}/${ref.repo}`, run.results));
  return run.results.some((r) => r.notes.some((n) => n.startsWith("failed:"))) ? EXIT.failure : EXIT.ok;
}
