// Tracking QA end to end: the address guard when asked, then the static stage always, the
// browser stage when asked, one verdict per step × expectation (the browser's overrides the
// static one).

import type { Browser } from "playwright-core";
import type { GuardOptions, HostLookup, PrivateHost } from "./address-guard.js";
import { guardedFetch, privateStepHost } from "./address-guard.js";
import { stepPaths, type TrackingQaConfig } from "../core/tracking-qa/config.js";
import { evaluateStep, type BrowserObservation, type StaticObservation, type StepResult } from "../core/tracking-qa/evaluation.js";
import { qaSummary, type QaSummary } from "../core/tracking-qa/report.js";
import { runBrowserStage } from "./browser.js";
import { runStaticStage } from "./static.js";

export type QaStage = "static" | "browser";

export interface QaReport {
  /** Why nothing was checked (tracking QA is off without base_url or steps). */
  skipped?: string;
  /** The step host the address guard refused (nothing was fetched); only with `allowPrivate: false`. */
  refused?: PrivateHost;
  stages: QaStage[];
  steps: StepResult[];
  summary: QaSummary;
  durationMs: number;
}

export interface RunTrackingQaOptions {
  fetch?: typeof fetch;
  /** Overrides config.browser (e.g. `firebreak qa --browser`). */
  browser?: boolean;
  executablePath?: string;
  /** A running Chromium to reuse; left open. */
  chromium?: Browser;
  /**
   * False refuses, before any page is fetched, a run whose step hosts are or resolve to
   * private, loopback, link-local, shared, multicast or reserved addresses (a hosted App).
   * Default true: the CLI and the Action check what their user points them at.
   */
  allowPrivate?: boolean;
  /** How the guard resolves host names (tests). */
  lookup?: HostLookup;
  /** How the guard judges an address (tests: "unicast" is public). */
  rangeOf?: (address: string) => string;
  /** Waits this long after the guard and before the first page (a deployment settling). */
  settleMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runTrackingQa(config: TrackingQaConfig, opts: RunTrackingQaOptions = {}): Promise<QaReport> {
  let started = performance.now();
  const done = (report: Omit<QaReport, "summary" | "durationMs">): QaReport => ({
    ...report,
    summary: qaSummary(report.steps),
    durationMs: Math.round(performance.now() - started),
  });
  if (config.base_url === undefined) return done({ skipped: "tracking_qa.base_url is not set", stages: [], steps: [] });
  if (config.steps.length === 0) return done({ skipped: "tracking_qa.steps is empty", stages: [], steps: [] });
  const guard: GuardOptions = { ...(opts.lookup ? { lookup: opts.lookup } : {}), ...(opts.rangeOf ? { rangeOf: opts.rangeOf } : {}) };
  if (opts.allowPrivate === false) {
    const refused = await privateStepHost(config.base_url, config.steps.flatMap(stepPaths), opts.lookup, opts.rangeOf);
    if (refused) return done({ refused, stages: [], steps: [] });
  }
  if (opts.settleMs !== undefined && opts.settleMs > 0) await sleep(opts.settleMs);
  started = performance.now(); // the report times the checks, not the guard or the wait

  const stages: QaStage[] = ["static"];
  // Not allowed private addresses: every connection is checked on the address it uses (redirects, rebinding).
  const guarded = opts.fetch === undefined && opts.allowPrivate === false ? guardedFetch(guard) : undefined;
  const fetchImpl = opts.fetch ?? guarded?.fetch;
  let staticObs: StaticObservation[];
  try {
    staticObs = await runStaticStage(config, fetchImpl ? { fetch: fetchImpl } : {});
  } finally {
    await guarded?.close();
  }
  let browserObs: BrowserObservation[] | undefined;
  if (opts.browser ?? config.browser) {
    stages.push("browser");
    try {
      browserObs = await runBrowserStage(config, {
        ...(opts.executablePath !== undefined ? { executablePath: opts.executablePath } : {}),
        ...(opts.chromium !== undefined ? { browser: opts.chromium } : {}),
        ...(opts.allowPrivate === false ? { guard } : {}),
      });
    } catch (error) {
      // No browser is a failed check, not a pass on static evidence alone.
      const reason = `browser stage failed: ${error instanceof Error ? error.message : String(error)}`;
      browserObs = staticObs.map((s) => ({
        stage: "browser",
        url: s.url,
        error: reason,
        hits: [],
        requestUrls: [],
        beaconsAnswered: [],
        failedRequests: [],
        attempts: 0,
      }));
    }
  }
  const steps = config.steps.map((step, i) => {
    const s = staticObs[i];
    const b = browserObs?.[i];
    return evaluateStep(step, { ...(s ? { static: s } : {}), ...(b ? { browser: b } : {}) }, config);
  });
  return done({ stages, steps });
}
