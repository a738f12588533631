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
import { DASHBOARD_SHARE, firebreakDashboards, updateDashboard } from "./dashboard.js";
import { parsePassCursor } from "../../core/model/markers.js";
import { safeMessage } from "../client.js";
import { writerOf } from "./deps.js";

/** Where a pass stopped: the job, and the last issue it finished. */
export interface PassStop {
  job: string;
  after?: number;
}

export interface ScheduledJob {
  name: string;
  /** The job has nothing to do under this config: no share of the budget is kept for it. */
  off?(config: FirebreakConfig): boolean;
  /** The least share kept for it, whatever the budget. */
  minShare?: number;
  /** `stopped`: where this pass stopped short so far (the dashboard keeps it for runs without memory). */
  run(gh: GitHubClient, ref: RepoRef, config: FirebreakConfig, deps: ShellDeps, budget: CallBudget, at: string, resumeAfter?: number, stopped?: PassStop): Promise<JobRun>;
}

export const SCHEDULED_JOBS: readonly ScheduledJob[] = [
  { name: "reconcile", run: reconcileIncidents },
  { name: "detection", off: (config) => config.detection.sources.length === 0, run: detectBreaks },
  { name: "qa-monitor", off: (config) => config.tracking_qa.monitor_every === undefined, run: monitorTrackingQa },
  { name: "nudges", off: (config) => !config.nudges, run: nudgeIncidents },
  { name: "dashboard", minShare: DASHBOARD_SHARE, run: updateDashboard },
];

/**
 * Where each repository's pass stopped. The App keeps it in memory (or Redis); runs without
 * memory (the Action, `firebreak reconcile`) keep it on the dashboard issue (`dashboardCursor`).
 */
export interface PassCursor {
  get(ref: RepoRef): PassStop | undefined;
  set(ref: RepoRef, at: PassStop | undefined): void;
}

export class MemoryCursor implements PassCursor {
  private readonly stops = new Map<string, PassStop>();
  get(ref: RepoRef) {
    return this.stops.get(`${ref.owner}/${ref.repo}`);
  }
  set(ref: RepoRef, at: PassStop | undefined): void {
    if (at) this.stops.set(`${ref.owner}/${ref.repo}`, at);
    else this.stops.delete(`${ref.owner}/${ref.repo}`);
  }
}

export interface PassResult {
  results: Omit<RunResult, "configErrors">[];
  calls: number;
  /** The job and incident the pass stopped after, when the budget ran out. */
  stoppedAt?: PassStop;
  /** What the jobs found wrong in what the config points at (KPI sources). */
  configErrors: ConfigError[];
}

/**
 * Calls each job after the running one is sure of: a job may spend the budget but this much per
 * later job that is on, so reconciling many incidents cannot starve detection, nudges and the
 * dashboard. What a job leaves unspent goes to the next.
 */
export function reservedFor(job: ScheduledJob, maxCalls: number): number {
  return Math.max(Math.floor(maxCalls / (2 * SCHEDULED_JOBS.length)), job.minShare ?? 0);
}

/**
 * The cursor a run without memory left on the dashboard issue (one call). It is written back by
 * the dashboard job, in the same update as the dashboard, so keeping it costs no write of its own;
 * a stop made after the dashboard's turn in a pass that began past it is not kept (that pass's
 * next run starts over from reconcile).
 */
export async function dashboardCursor(gh: GitHubClient, ref: RepoRef, config: FirebreakConfig, deps: ShellDeps): Promise<PassCursor> {
  const [oldest] = await firebreakDashboards(gh, ref, config, writerOf(deps));
  const cursor = new MemoryCursor();
  cursor.set(ref, oldest ? parsePassCursor(oldest.body) : undefined);
  return cursor;
}

export async function runScheduledPass(gh: GitHubClient, ref: RepoRef, config: FirebreakConfig, deps: ShellDeps, at: string, given?: PassCursor): Promise<PassResult> {
  const budget = new CallBudget(config.schedule.max_calls);
  const metered = budget.meter(gh);
  const cursor = given ?? (deps.cursorOnDashboard ? await dashboardCursor(metered, ref, config, deps).catch((error: unknown) => {
    // Not knowing where the last run stopped is no reason to skip this one: it starts over.
    deps.log?.(`could not read where the last pass stopped (${safeMessage(error)}): starting over`);
    return undefined;
  }) : undefined);
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
    const later = order.slice(i + 1).filter((next) => !next.off?.(config));
    budget.keepFor(later.reduce((kept, next) => kept + reservedFor(next, budget.max), 0));
    const run = await job.run(metered, ref, config, deps, budget, at, job.name === resume?.job ? resume.after : undefined, stoppedAt);
    results.push(...run.results);
    configErrors.push(...(run.configErrors ?? []));
    if (run.resumeAfter !== undefined) stoppedAt ??= stop(run.resumeAfter);
  }
  cursor?.set(ref, stoppedAt);
  return { results, calls: budget.spent, ...(stoppedAt ? { stoppedAt } : {}), configErrors };
}
