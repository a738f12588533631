// Tracking QA throughput on loopback (SPEC §10 spirit: budgets are measured, not guessed).
// Goals on a 2-core runner: static ≥ 100 pages/s, browser ≥ 3 pages/s.

import { availableParallelism } from "node:os";
import { launchChromium } from "../../tracking-qa/browser.js";
import { FIXTURE_PAGES, startFixtureSite } from "../fixture-site.js";
import { runTrackingQa } from "../../tracking-qa/run.js";

export const QA_BENCH_GOALS = { staticPagesPerSecond: 100, browserPagesPerSecond: 3 } as const;

export interface QaBenchResult {
  cores: number;
  staticPages: number;
  staticMs: number;
  staticPagesPerSecond: number;
  browserPages: number;
  browserMs: number;
  browserPagesPerSecond: number;
  /** Starting Chromium, paid once per run and not counted in browserPagesPerSecond. */
  browserLaunchMs: number;
  meetsGoals: boolean;
}

export interface QaBenchOptions {
  staticPages?: number;
  browserPages?: number;
  executablePath?: string;
}

const EXPECT = ["meta_pixel", "ga4", "gtm", "tiktok", "consent"];

const perSecond = (pages: number, ms: number) => Math.round((pages / (ms / 1000)) * 10) / 10;

export async function benchTrackingQa(opts: QaBenchOptions = {}): Promise<QaBenchResult> {
  const staticPages = opts.staticPages ?? 300;
  const browserPages = opts.browserPages ?? 24;
  const site = await startFixtureSite();
  const steps = (n: number) => Array.from({ length: n }, (_, i) => ({ path: `${FIXTURE_PAGES.bench}${i}`, expect: EXPECT }));
  try {
    // Warm up the parser and the server so the run measures steady state.
    await runTrackingQa(site.config(steps(20)));
    let started = performance.now();
    const staticRun = await runTrackingQa(site.config(steps(staticPages)));
    const staticMs = performance.now() - started;
    if (!staticRun.summary.passed) throw new Error("bench pages failed the static stage; the bench would measure the wrong thing");

    started = performance.now();
    const browser = await launchChromium(opts.executablePath);
    const browserLaunchMs = performance.now() - started;
    let browserMs: number;
    try {
      const config = site.config(steps(browserPages), { browser: true });
      await runTrackingQa(site.config(steps(2), { browser: true }), { chromium: browser });
      started = performance.now();
      const browserRun = await runTrackingQa(config, { chromium: browser });
      browserMs = performance.now() - started;
      if (!browserRun.summary.passed) throw new Error("bench pages failed the browser stage; the bench would measure the wrong thing");
    } finally {
      await browser.close();
    }

    const result = {
      cores: availableParallelism(),
      staticPages,
      staticMs: Math.round(staticMs),
      staticPagesPerSecond: perSecond(staticPages, staticMs),
      browserPages,
      browserMs: Math.round(browserMs),
      browserPagesPerSecond: perSecond(browserPages, browserMs),
      browserLaunchMs: Math.round(browserLaunchMs),
    };
    return {
      ...result,
      meetsGoals:
        result.staticPagesPerSecond >= QA_BENCH_GOALS.staticPagesPerSecond &&
        result.browserPagesPerSecond >= QA_BENCH_GOALS.browserPagesPerSecond,
    };
  } finally {
    await site.close();
  }
}
