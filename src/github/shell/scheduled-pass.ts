// The scheduled pass: every scheduled job of one repository, within one call budget
// (`schedule.max_calls`), continuing where the previous pass stopped. The Action's schedule
// run, `firebreak reconcile` and the App's scheduler all run this. Reconcile goes first (every
// later job reads cards), the jobs that open incidents next, then nudges, and the dashboard last
// so it shows what this pass did.
import type { ConfigError, FirebreakConfig } from "../../core/config.js";
import type { GitHubClient, RepoRef } from "../client.js";
import { CallBudget } from "./budget.js";
import { detectBreaks } from "./detection.js";
import type { RunResult, ShellDeps } from "./deps.js";
import { monitorTrackingQa } from "./qa-monitor.js";
import type { JobRun } from "./reconcile.js";
import { reconcileIncidents } from "./reconcile.js";
import { nudgeIncidents } from "./nudges.js";
import { updateDashboard } from "./dashboard.js";

export interface ScheduledJob {
  name: string;
  /** The job has nothing to do under this config: no share of the budget is kept for it. */
  off?(config: FirebreakConfig): boolean;
  run(gh: GitHubClient, ref: RepoRef, config: FirebreakConfig, deps: ShellDeps, budget: CallBudget, at: string, resumeAfter?: number): Promise<JobRun>;
}

export const SCHEDULED_JOBS: readonly ScheduledJob[] = [
  { name: "reconcile", run: reconcileIncidents },
  { name: "detection", off: (config) => config.detection.sources.length === 0, run: detectBreaks },
  { name: "qa-monitor", off: (config) => config.tracking_qa.monitor_every === undefined, run: monitorTrackingQa },
  { name: "nudges", off: (config) => !config.nudges, run: nudgeIncidents },
  { name: "dashboard", run: updateDashboard },
];

/** Where each repository's pass stopped. The App keeps it in memory; a cold Action run starts over. */
export interface PassCursor {
  get(ref: RepoRef): { job: string; after?: number } | undefined;
  set(ref: RepoRef, at: { job: string; after?: number } | undefined): void;
}

export class MemoryCursor implements PassCursor {
  private readonly stops = new Map<string, { job: string; after?: number }>();
  get(ref: RepoRef) {
    return this.stops.get(`${ref.owner}/${ref.repo}`);
  }
  set(ref: RepoRef, at: { job: string; after?: number } | undefined): void {
    if (at) this.stops.set(`${ref.owner}/${ref.repo}`, at);
    else this.stops.delete(`${ref.owner}/${ref.repo}`);
  }
}

export interface PassResult {
  results: Omit<RunResult, "configErrors">[];
  calls: number;
  /** The job and incident the pass stopped after, when the budget ran out. */
  stoppedAt?: { job: string; after?: number };
  /** What the jobs found wrong in what the config points at (KPI sources). */
  configErrors: ConfigError[];
}

/**
 * Calls each job after the running one is sure of: a job may spend the budget but this much per
 * later job that is on, so reconciling many incidents cannot starve detection, nudges and the
 * dashboard (which matters most in the Action, whose cold runs keep no cursor). What a job
 * leaves unspent goes to the next.
 */
export function reservedPerJob(maxCalls: number): number {
  return Math.floor(maxCalls / (2 * SCHEDULED_JOBS.length));
}

export async function runScheduledPass(gh: GitHubClient, ref: RepoRef, config: FirebreakConfig, deps: ShellDeps, at: string, cursor?: PassCursor): Promise<PassResult> {
  const budget = new CallBudget(config.schedule.max_calls);
  const metered = budget.meter(gh);
  const resume = cursor?.get(ref);
  const start = Math.max(0, SCHEDULED_JOBS.findIndex((job) => job.name === resume?.job));
  const order = [...SCHEDULED_JOBS.slice(start), ...SCHEDULED_JOBS.slice(0, start)];
  const results: PassResult["results"] = [];
  const configErrors: ConfigError[] = [];
  // The first job that stopped short is where the next pass starts.
  let stoppedAt: PassResult["stoppedAt"];
  for (const [i, job] of order.entries()) {
    const stop = (after?: number) => ({ job: job.name, ...(after !== undefined ? { after } : {}) });
    if (budget.spentOut) {
      stoppedAt ??= stop();
      break;
    }
    budget.keepFor(reservedPerJob(budget.max) * order.slice(i + 1).filter((later) => !later.off?.(config)).length);
    const run = await job.run(metered, ref, config, deps, budget, at, job.name === resume?.job ? resume.after : undefined);
    results.push(...run.results);
    configErrors.push(...(run.configErrors ?? []));
    if (run.resumeAfter !== undefined) stoppedAt ??= stop(run.resumeAfter);
  }
  cursor?.set(ref, stoppedAt);
  return { results, calls: budget.spent, ...(stoppedAt ? { stoppedAt } : {}), configErrors };
}
