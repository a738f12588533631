// Tracking QA throughput on loopback (SPEC §10 spirit: budgets are measured, not guessed).
// Goals on a 2-core runner: static ≥ 100 pages/s, browser ≥ 3 pages/s. "Before" is the same
// bench from a baseline commit (FIREBREAK_BENCH_BASE, default the commit before SPEC §17's
// accuracy work), extracted with git and bundled with esbuild into build/, run in the same
// process against the same machine state, side by side with "after".

import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../../tracking-qa/browser.js";
import { FIXTURE_PAGES, startFixtureSite } from "../fixture-site.js";
import { runTrackingQa } from "../../tracking-qa/run.js";

export const QA_BENCH_GOALS = { staticPagesPerSecond: 100, browserPagesPerSecond: 3 } as const;

/** The commit before SPEC §17's accuracy work (comments, script types, consent by hits, journeys). */
const DEFAULT_BASE = "7988479";

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
  /** Journey actions (click, fill, goto, wait_for) per second over whole checkout walks; absent before journeys existed. */
  journeyActions?: number;
  journeyMs?: number;
  journeyActionsPerSecond?: number;
  meetsGoals: boolean;
}

export interface QaBenchOptions {
  staticPages?: number;
  browserPages?: number;
  journeys?: number;
  executablePath?: string;
}

const EXPECT = ["meta_pixel", "ga4", "gtm", "tiktok", "consent"];

/** The fixture cart walked as the README's journey: /product → add to cart → /checkout → pay. */
const CHECKOUT_WALK = {
  path: FIXTURE_PAGES.product,
  expect: ["meta_pixel:AddToCart", "ga4:add_to_cart", "meta_pixel:InitiateCheckout", "ga4:add_payment_info"],
  actions: [{ click: "#add-to-cart" }, { wait_for: '#cart-count[data-count="1"]' }, { click: "#to-checkout" }, { fill: { "#email": "qa@example.com" } }, { click: "#pay" }],
};

const perSecond = (n: number, ms: number) => Math.round((n / (ms / 1000)) * 10) / 10;

export async function benchTrackingQa(opts: QaBenchOptions = {}): Promise<QaBenchResult> {
  const staticPages = opts.staticPages ?? 300;
  const browserPages = opts.browserPages ?? 24;
  const journeys = opts.journeys ?? 6;
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
    let journeyMs: number;
    try {
      const config = site.config(steps(browserPages), { browser: true });
      await runTrackingQa(site.config(steps(2), { browser: true }), { chromium: browser });
      started = performance.now();
      const browserRun = await runTrackingQa(config, { chromium: browser });
      browserMs = performance.now() - started;
      if (!browserRun.summary.passed) throw new Error("bench pages failed the browser stage; the bench would measure the wrong thing");
      started = performance.now();
      const walked = await runTrackingQa(site.config(Array.from({ length: journeys }, () => CHECKOUT_WALK), { browser: true }), { chromium: browser });
      journeyMs = performance.now() - started;
      if (!walked.summary.passed) throw new Error("the bench's checkout journeys failed; the bench would measure the wrong thing");
    } finally {
      await browser.close();
    }

    const journeyActions = journeys * CHECKOUT_WALK.actions.length;
    const result = {
      cores: availableParallelism(),
      staticPages,
      staticMs: Math.round(staticMs),
      staticPagesPerSecond: perSecond(staticPages, staticMs),
      browserPages,
      browserMs: Math.round(browserMs),
      browserPagesPerSecond: perSecond(browserPages, browserMs),
      browserLaunchMs: Math.round(browserLaunchMs),
      journeyActions,
      journeyMs: Math.round(journeyMs),
      journeyActionsPerSecond: perSecond(journeyActions, journeyMs),
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

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));

/**
 * The baseline's own bench: its sources from git, bundled (packages stay external, so they
 * resolve from this checkout's node_modules) into build/bench-baseline, then imported.
 */
async function baselineBench(base: string): Promise<(opts?: QaBenchOptions) => Promise<QaBenchResult>> {
  const dir = join(ROOT, "build", "bench-baseline");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const archive = execFileSync("git", ["archive", base, "src"], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  execFileSync("tar", ["-x", "-C", dir], { input: archive });
  const esbuild = await import("esbuild");
  const out = join(dir, "qa.mjs");
  await esbuild.build({ entryPoints: [join(dir, "src/dev/bench/qa.ts")], bundle: true, platform: "node", format: "esm", packages: "external", outfile: out, logLevel: "silent" });
  const mod = (await import(new URL(`file://${out}`).href)) as { benchTrackingQa(opts?: QaBenchOptions): Promise<QaBenchResult> };
  return mod.benchTrackingQa;
}

function fmtMs(ms: number | undefined): string {
  return ms === undefined ? "—" : ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** Section 3 of `npm run bench`: before and after, one table. */
export async function qaBenchSection(): Promise<string> {
  const base = process.env["FIREBREAK_BENCH_BASE"] ?? DEFAULT_BASE;
  let before: QaBenchResult | string;
  try {
    before = await (await baselineBench(base))();
  } catch (error) {
    before = `baseline ${base} not measured: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`;
  }
  const after = await benchTrackingQa();
  const b = typeof before === "string" ? undefined : before;
  const rows: [string, string, string, string][] = [
    ["static pages/s (HTML fetch + parse)", String(b?.staticPagesPerSecond ?? "—"), String(after.staticPagesPerSecond), "≥ 100/s"],
    ["browser pages/s (headless Chromium)", String(b?.browserPagesPerSecond ?? "—"), String(after.browserPagesPerSecond), "≥ 3/s"],
    ["journey actions/s (checkout walks)", b?.journeyActionsPerSecond === undefined ? "— (no journeys)" : String(b.journeyActionsPerSecond), String(after.journeyActionsPerSecond ?? "—"), ""],
    ["static run", `${b?.staticPages ?? "—"} pages in ${fmtMs(b?.staticMs)}`, `${after.staticPages} pages in ${fmtMs(after.staticMs)}`, ""],
    ["browser run (launch not counted)", `${b?.browserPages ?? "—"} pages in ${fmtMs(b?.browserMs)}`, `${after.browserPages} pages in ${fmtMs(after.browserMs)}`, ""],
    ["journey run", "—", `${after.journeyActions ?? 0} actions in ${fmtMs(after.journeyMs)}`, ""],
  ];
  const lines = [`| measure | before (${base}) | after | goal |`, "| --- | --- | --- | --- |", ...rows.map((r) => `| ${r.join(" | ")} |`)];
  if (typeof before === "string") lines.push("", before);
  lines.push("", `meets goals after: ${after.meetsGoals ? "yes" : "no"} (${after.cores} cores)`);
  return lines.join("\n");
}
