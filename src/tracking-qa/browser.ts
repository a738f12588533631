// Browser stage (SPEC §8, §12): system Chromium loads each step and records the tags' real
// network hits. Beacons are answered locally so test traffic never reaches ad platforms;
// loaders (gtm.js, gtag/js, fbevents.js, events.js) load normally so they inject what is checked.

import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { access, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import type { Browser, BrowserContext, BrowserType, CDPSession, Page, Request, Route } from "playwright-core";
import { z } from "zod";
import { stepExpectations, type JourneyAction, type TrackingQaConfig, type TrackingQaStep } from "../core/tracking-qa/config.js";
import { hitsSatisfy, needsRenderedPage, type BrowserObservation, type ConsentCommand } from "../core/tracking-qa/evaluation.js";
import { shorten } from "../core/tracking-qa/evidence.js";
import { classifyHit, isBeacon, type TagHit } from "../core/tracking-qa/hits.js";
import type { GuardOptions } from "./address-guard.js";
import { startGuardProxy } from "./guard-proxy.js";
import { mapLimit } from "./limit.js";
import { stepUrl } from "./static.js";

export const DEFAULT_CHROMIUM = "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
] as const;

/** How long after the load event consent waits for a GA4 hit to show its consent state. */
const CONSENT_GRACE_MS = 1000;

/**
 * How long after the load event consent waits for a first tag hit at all: the default is judged
 * against it, and on a busy runner a pixel's beacon can follow the load event by more than the grace.
 */
const FIRST_HIT_WAIT_MS = 3000;

/** A page whose load event never comes (a stalled image, a long poll) is judged this long after DOMContentLoaded. */
const LOAD_WAIT_MS = 3000;

/** More pages at once than this only makes each one slower on a small runner. */
export const MAX_BROWSER_PAGES = 4;

/** Enough to match custom tags against; a page that makes more requests is not short of evidence. */
const MAX_RECORDED_REQUESTS = 2000;

/**
 * Runs in every page before its own scripts: records each `gtag('consent', …)` command as it
 * reaches `window.dataLayer` (whoever creates or replaces the array), with the page's clock,
 * so consent order is judged by time against the first tag hit, not by DOM position (SPEC §17).
 * It also keeps enough resource timings to date each beacon on the same clock.
 */
const PAGE_RECORDER = `(() => {
  const KEY = "__firebreakQaConsent";
  if (Object.prototype.hasOwnProperty.call(window, KEY)) return;
  const log = [];
  Object.defineProperty(window, KEY, { value: log });
  try { performance.setResourceTimingBufferSize(2000); } catch (e) {}
  const hooked = new WeakSet();
  const inspect = (item) => {
    try {
      if (log.length >= 50 || !item || typeof item !== "object" || item[0] !== "consent") return;
      if (item[1] !== "default" && item[1] !== "update") return;
      const settings = {};
      const given = item[2];
      if (given && typeof given === "object") {
        for (const key of Object.keys(given).slice(0, 20)) if (typeof given[key] === "string") settings[key] = given[key].slice(0, 40);
      }
      log.push({ command: item[1], at: performance.timeOrigin + performance.now(), settings });
    } catch (e) {}
  };
  const hook = (layer) => {
    if (!Array.isArray(layer) || hooked.has(layer)) return;
    hooked.add(layer);
    layer.forEach(inspect);
    const push = layer.push;
    layer.push = function () {
      for (let i = 0; i < arguments.length; i++) inspect(arguments[i]);
      return push.apply(this, arguments);
    };
  };
  let current = window.dataLayer;
  hook(current);
  Object.defineProperty(window, "dataLayer", {
    configurable: true,
    enumerable: true,
    get() { return current; },
    set(value) { current = value; hook(value); },
  });
})();`;

/** What the page recorder holds; the page is untrusted, so it is parsed, not believed. */
const pageEvidenceSchema = z.object({
  consent: z
    .array(z.object({ command: z.enum(["default", "update"]), at: z.number(), settings: z.record(z.string(), z.string()) }))
    .max(50),
  /** Beacon URL → start times (page clock, ms since the epoch) of its resource timings. */
  times: z.record(z.string(), z.array(z.number()).max(50)),
});

/** Reads the recorder and the beacons' start times from the page; undefined if the page cannot say. */
async function readPageEvidence(page: Page, beaconUrls: readonly string[]): Promise<z.output<typeof pageEvidenceSchema> | undefined> {
  const read = page
    .evaluate((urls: string[]) => {
      const wanted = new Set(urls);
      const times: Record<string, number[]> = {};
      for (const entry of performance.getEntriesByType("resource")) {
        if (wanted.has(entry.name)) (times[entry.name] ??= []).push(performance.timeOrigin + entry.startTime);
      }
      const consent: unknown = (window as unknown as Record<string, unknown>)["__firebreakQaConsent"];
      return { consent, times };
    }, [...new Set(beaconUrls)])
    .then((raw) => pageEvidenceSchema.safeParse(raw))
    .catch(() => undefined);
  const parsed = await Promise.race([read, new Promise<undefined>((resolve) => setTimeout(resolve, 2000))]);
  return parsed?.success ? parsed.data : undefined;
}

/** Dates the current page view's beacons with the page's resource timings, in request order. */
function dateBeacons(hits: readonly TagHit[], view: number, times: Record<string, number[]>): void {
  const used = new Map<string, number>();
  for (const hit of hits) {
    if (hit.kind !== "beacon" || hit.view !== view) continue;
    const n = used.get(hit.url) ?? 0;
    const at = times[hit.url]?.[n];
    if (at !== undefined) {
      hit.at = at;
      used.set(hit.url, n + 1);
    }
  }
}

const GIF = Buffer.from("R0lGODlhAQABAIAAAAAAAP///ywAAAAAAQABAAACAUwAOw==", "base64");

export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  return env["FIREBREAK_CHROMIUM"] ?? DEFAULT_CHROMIUM;
}

export const CHROMIUM_MISSING_HINT = "install it with `apt-get install -y chromium`, or set FIREBREAK_CHROMIUM to its path";

export async function launchChromium(executablePath: string = chromiumPath()): Promise<Browser> {
  try {
    await access(executablePath, constants.X_OK);
  } catch {
    throw new Error(`Chromium not found at ${executablePath}: ${CHROMIUM_MISSING_HINT}`);
  }
  const chromium = await loadChromiumDriver();
  return chromium.launch({ executablePath, args: [...CHROMIUM_ARGS] });
}

/**
 * Why the browser stage cannot run here (no Chromium at the path, or no playwright-core), with
 * the fix; undefined when it can. Lets the CLI keep its static results and say what to install.
 */
export async function browserUnavailable(executablePath: string = chromiumPath()): Promise<string | undefined> {
  try {
    await access(executablePath, constants.X_OK);
  } catch {
    return `Chromium not found at ${executablePath}: ${CHROMIUM_MISSING_HINT}`;
  }
  try {
    await loadChromiumDriver();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  return undefined;
}

/**
 * playwright-core is loaded only when the browser stage runs: the Action's bundle leaves it out
 * and must start without node_modules. An Action run can `npm install playwright-core` in its
 * workspace, which the bundle's own location does not see, so the workspace is tried next.
 */
async function loadChromiumDriver(): Promise<BrowserType> {
  try {
    return (await import("playwright-core")).chromium;
  } catch {
    try {
      const fromWorkspace = createRequire(join(process.cwd(), "package.json"))("playwright-core") as { chromium: BrowserType };
      return fromWorkspace.chromium;
    } catch {
      throw new Error("the browser stage needs the playwright-core package: `npm install playwright-core` (in the workflow's workspace for the Action)");
    }
  }
}

export interface ChromiumVersionPair {
  playwrightCore: string;
  /** The Chromium build this playwright-core release was made for. */
  expectedChromium: string;
  installedChromium: string;
  expectedMajor: number;
  installedMajor: number;
  matches: boolean;
}

const exec = promisify(execFile);

/** playwright-core speaks one Chromium's protocol; a caret range can drift from the system's. */
export async function checkChromiumVersionPair(executablePath: string = chromiumPath()): Promise<ChromiumVersionPair> {
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve("playwright-core/package.json");
  const pkg = JSON.parse(await readFile(pkgPath, "utf8")) as { version: string };
  const browsers = JSON.parse(await readFile(join(dirname(pkgPath), "browsers.json"), "utf8")) as {
    browsers: { name: string; browserVersion?: string }[];
  };
  const expected = browsers.browsers.find((b) => b.name === "chromium")?.browserVersion;
  if (expected === undefined) throw new Error("playwright-core's browsers.json names no chromium version");
  let stdout: string;
  try {
    ({ stdout } = await exec(executablePath, ["--version"], { timeout: 15_000 }));
  } catch (error) {
    throw new Error(`cannot run ${executablePath} --version (${(error as Error).message}): ${CHROMIUM_MISSING_HINT}`);
  }
  const installed = /\b(\d+)\.\d+\.\d+\.\d+/.exec(stdout);
  if (!installed) throw new Error(`unexpected output from ${executablePath} --version: ${stdout.trim()}`);
  const expectedMajor = Number(expected.split(".")[0]);
  const installedMajor = Number(installed[1]);
  return {
    playwrightCore: pkg.version,
    expectedChromium: expected,
    installedChromium: installed[0],
    expectedMajor,
    installedMajor,
    matches: expectedMajor === installedMajor,
  };
}

function beaconResponse(request: Request): Parameters<Route["fulfill"]>[0] {
  const origin = request.headers()["origin"];
  const headers: Record<string, string> = { "x-firebreak-qa": "answered-locally", "cache-control": "no-store" };
  if (origin) {
    headers["access-control-allow-origin"] = origin;
    headers["access-control-allow-credentials"] = "true";
  }
  // The Meta hit is an image: answer with one so the page sees a normal load.
  if (request.resourceType() === "image") return { status: 200, contentType: "image/gif", body: GIF, headers };
  return { status: 204, headers };
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split("\n")[0] ?? message).replace(/^page\.goto: /, "");
}

/** What one page load records; the tab's route handler writes into the current one. */
interface Recorder {
  hits: TagHit[];
  requestUrls: string[];
  beaconsAnswered: string[];
  failedRequests: { url: string; error: string }[];
  /** When DOMContentLoaded and load fired (performance.now()), once they have; reset by each navigation. */
  domLoadedAt: number | undefined;
  loadedAt: number | undefined;
  /** Main-frame navigations so far; hits belong to page view `views - 1`. */
  views: number;
  wake: () => void;
}

/**
 * A browser context with one page, reused from step to step: opening a context and page per
 * step costs more than the page itself on a small runner. Between steps the tab goes back to
 * a first-time visitor (no cookies, no site storage).
 */
class QaTab {
  recorder: Recorder | undefined;
  private origins = new Set<string>();

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    private readonly cdp: CDPSession,
  ) {}

  static async open(browser: Browser, proxyUrl?: string): Promise<QaTab> {
    // With the address guard on, every request leaves through the filtering proxy (loopback included).
    const context = await browser.newContext({ serviceWorkers: "block", ...(proxyUrl ? { proxy: { server: proxyUrl } } : {}) });
    try {
      await context.addInitScript(PAGE_RECORDER);
      const page = await context.newPage();
      const tab = new QaTab(context, page, await context.newCDPSession(page));
      await context.route("**/*", (route) => tab.onRoute(route));
      context.on("requestfailed", (request) => {
        const rec = tab.recorder;
        if (rec && rec.failedRequests.length < 100) rec.failedRequests.push({ url: request.url(), error: request.failure()?.errorText ?? "failed" });
      });
      page.on("domcontentloaded", () => {
        const rec = tab.recorder;
        if (rec) {
          rec.domLoadedAt = performance.now();
          rec.wake();
        }
      });
      page.on("load", () => {
        const rec = tab.recorder;
        if (rec) {
          rec.loadedAt = performance.now();
          rec.wake();
        }
      });
      return tab;
    } catch (error) {
      await context.close().catch(() => undefined);
      throw error;
    }
  }

  private async onRoute(route: Route): Promise<void> {
    const request = route.request();
    const url = request.url();
    // Beacons are answered locally whether or not a step is recording (unload beacons too).
    const beacon = isBeacon(url);
    const rec = this.recorder;
    let classified: TagHit[] = [];
    if (rec) {
      if (rec.requestUrls.length < MAX_RECORDED_REQUESTS) rec.requestUrls.push(url);
      if (beacon) rec.beaconsAnswered.push(url);
      try {
        if (request.isNavigationRequest() && request.frame() === this.page.mainFrame()) {
          // The visited origins' storage is cleared before the next step.
          this.origins.add(new URL(url).origin);
          // A new document is a new page view (a redirect continues the same one).
          if (request.redirectedFrom() === null) {
            rec.views += 1;
            rec.domLoadedAt = undefined;
            rec.loadedAt = undefined;
          }
        }
      } catch {
        // No frame (a worker's request) or no origin (data:): nothing to clear later.
      }
      const view = Math.max(0, rec.views - 1);
      classified = classifyHit(url, request.postData() ?? undefined).map((hit) => ({ ...hit, view }));
      rec.hits.push(...classified);
      if (classified.length > 0) rec.wake();
    }
    try {
      if (beacon) await route.fulfill(beaconResponse(request));
      else await route.continue();
    } catch {
      // The page moved on while the request was in flight: nothing to answer.
    }
  }

  /** Back to a first-time visitor; false when the tab is unusable and must be replaced. */
  async reset(): Promise<boolean> {
    this.recorder = undefined;
    try {
      for (const extra of this.context.pages()) if (extra !== this.page) await extra.close();
      await this.page.goto("about:blank", { timeout: 5000 });
      await this.context.clearCookies();
      for (const origin of this.origins) {
        if (origin.startsWith("http")) await this.cdp.send("Storage.clearDataForOrigin", { origin, storageTypes: "all" });
      }
      this.origins.clear();
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.context.close().catch(() => undefined);
  }
}

interface Attempt {
  observation: Omit<BrowserObservation, "attempts">;
  /** Navigation error, timeout before load or 5xx: worth one more try. */
  retry: boolean;
}

/** One journey action (SPEC §17); Playwright waits for the selector up to `timeout`. */
async function runAction(page: Page, action: JourneyAction, config: TrackingQaConfig, timeout: number): Promise<void> {
  if ("click" in action) await page.click(action.click, { timeout });
  else if ("fill" in action) for (const [selector, text] of Object.entries(action.fill)) await page.fill(selector, text, { timeout });
  else if ("goto" in action) await page.goto(new URL(action.goto, config.base_url).href, { waitUntil: "commit", timeout });
  else await page.waitForSelector(action.wait_for, { timeout });
}

function actionWords(action: JourneyAction): string {
  if ("fill" in action) return `fill ${Object.keys(action.fill).join(", ")}`;
  const [key, value] = Object.entries(action)[0] ?? ["action", ""];
  return `${key} ${String(value)}`;
}

async function attemptStep(tab: QaTab, url: string, step: TrackingQaStep, config: TrackingQaConfig): Promise<Attempt> {
  const timeoutMs = config.timeout_ms;
  const rec: Recorder = {
    hits: [],
    requestUrls: [],
    beaconsAnswered: [],
    failedRequests: [],
    domLoadedAt: undefined,
    loadedAt: undefined,
    views: 0,
    wake: () => undefined,
  };
  tab.recorder = rec;
  const page = tab.page;
  let httpStatus: number | undefined;
  let finalUrl = url;
  let navError: string | undefined;
  let settled = false;
  void page.goto(url, { waitUntil: "commit", timeout: timeoutMs }).then(
    (response) => {
      httpStatus = response?.status();
      finalUrl = response?.url() ?? url;
      rec.wake();
    },
    (error: unknown) => {
      // Leaving the page after this attempt interrupts a navigation still in flight.
      if (!settled) navError = firstLine(error);
      rec.wake();
    },
  );

  const actions = step.actions ?? [];
  const wantsConsent = stepExpectations(step, config).some((e) => e.tag === "consent" || e.tag === "consent_denied");
  // Every page is judged once loaded (tag managers inject by then, and a second PageView — a
  // duplicate — shows by then), or a while after DOMContentLoaded when some request keeps
  // load from firing; consent also gives GA4 a moment to send a hit that carries its consent
  // state. Returns when to look again.
  const renderedBy = (): number => {
    const settledAt = rec.loadedAt ?? (rec.domLoadedAt === undefined ? Infinity : rec.domLoadedAt + LOAD_WAIT_MS);
    if (!wantsConsent || rec.hits.some((h) => h.tag === "ga4" && h.kind === "beacon")) return settledAt;
    return settledAt + (rec.hits.some((h) => h.kind === "beacon") ? CONSENT_GRACE_MS : FIRST_HIT_WAIT_MS);
  };
  /** Waits until `done` holds, the page fails, or the deadline; true when the deadline came first. */
  const settle = async (deadline: number, done: () => boolean): Promise<boolean> => {
    for (;;) {
      if (navError !== undefined) return false;
      if (httpStatus !== undefined && httpStatus >= 400) return false;
      const now = performance.now();
      const readyAt = renderedBy();
      if (httpStatus !== undefined && now >= readyAt && done()) return false;
      if (now >= deadline) return true;
      const wakeAt = readyAt > now ? Math.min(deadline, readyAt) : deadline;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, wakeAt - now));
        rec.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  };
  const allSeen = () => hitsSatisfy(step, rec.hits, config);

  let timedOut = await settle(performance.now() + timeoutMs, actions.length > 0 ? () => true : allSeen);
  const loaded = navError === undefined && httpStatus !== undefined && httpStatus < 400 && !(timedOut && rec.domLoadedAt === undefined);
  // Consent is judged on the first page view, before any action: read its evidence now.
  let consent: ConsentCommand[] | undefined;
  if (loaded && wantsConsent) {
    const evidence = await readPageEvidence(page, rec.hits.filter((h) => h.kind === "beacon").map((h) => h.url));
    if (evidence) {
      consent = evidence.consent;
      dateBeacons(rec.hits, 0, evidence.times);
    }
  }
  let actionError: string | undefined;
  if (loaded && actions.length > 0) {
    for (const [i, action] of actions.entries()) {
      try {
        await runAction(page, action, config, timeoutMs);
      } catch (error) {
        actionError = `action ${i + 1} (${shorten(actionWords(action), 80)}) failed: ${shorten(firstLine(error), 200)}`;
        break;
      }
    }
    if (actionError === undefined) timedOut = await settle(performance.now() + timeoutMs, allSeen);
  }
  settled = true;
  rec.wake = () => undefined;

  const base = {
    stage: "browser" as const,
    url: finalUrl,
    hits: rec.hits,
    requestUrls: rec.requestUrls,
    failedRequests: rec.failedRequests,
    beaconsAnswered: rec.beaconsAnswered,
    ...(consent !== undefined ? { consent } : {}),
  };
  if (navError !== undefined) return { observation: { ...base, error: navError }, retry: true };
  if (httpStatus === undefined || (timedOut && rec.domLoadedAt === undefined && !allSeen())) {
    return { observation: { ...base, error: `timed out after ${timeoutMs} ms before the page loaded` }, retry: true };
  }
  if (httpStatus >= 400) return { observation: { ...base, httpStatus }, retry: httpStatus >= 500 };
  if (actionError !== undefined) return { observation: { ...base, httpStatus, error: actionError }, retry: true };
  // The DOM is evidence for custom tags and missing hits; a fully seen page skips it.
  if (!needsRenderedPage(step, config) && !timedOut) return { observation: { ...base, httpStatus }, retry: false };
  const renderedHtml = await Promise.race([
    page.content().catch(() => undefined),
    new Promise<undefined>((resolve) => setTimeout(resolve, 2000)),
  ]);
  return { observation: { ...base, httpStatus, ...(renderedHtml !== undefined ? { renderedHtml } : {}) }, retry: false };
}

/** Hands out tabs; a tab that cannot be reset is replaced. */
class TabPool {
  private free: QaTab[] = [];
  private all = new Set<QaTab>();
  constructor(
    private readonly browser: Browser,
    private readonly proxyUrl?: string,
  ) {}

  async acquire(): Promise<QaTab> {
    const tab = this.free.pop() ?? (await QaTab.open(this.browser, this.proxyUrl));
    this.all.add(tab);
    return tab;
  }

  async release(tab: QaTab): Promise<void> {
    if (await tab.reset()) {
      this.free.push(tab);
    } else {
      this.all.delete(tab);
      await tab.close();
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.all].map((tab) => tab.close()));
    this.all.clear();
    this.free = [];
  }
}

async function visitWith(pool: TabPool, step: TrackingQaStep, config: TrackingQaConfig): Promise<BrowserObservation> {
  let url: string;
  try {
    url = stepUrl(step, config);
  } catch (error) {
    return { stage: "browser", url: step.path, error: firstLine(error), hits: [], requestUrls: [], beaconsAnswered: [], failedRequests: [], attempts: 1 };
  }
  let attempts = 0;
  for (;;) {
    attempts += 1;
    const tab = await pool.acquire();
    let attempt: Attempt;
    try {
      attempt = await attemptStep(tab, url, step, config);
    } finally {
      await pool.release(tab);
    }
    if (!attempt.retry || attempts >= 2) return { ...attempt.observation, attempts };
  }
}

/** Loads one step in its own tab; a failed page is retried once before it counts. */
export async function visitStep(browser: Browser, step: TrackingQaStep, config: TrackingQaConfig): Promise<BrowserObservation> {
  const pool = new TabPool(browser);
  try {
    return await visitWith(pool, step, config);
  } finally {
    await pool.close();
  }
}

export interface BrowserStageOptions {
  executablePath?: string;
  /** A running browser to reuse (the bench); it is left open. */
  browser?: Browser;
  /**
   * Set when private addresses are not allowed (the hosted App): every request goes through a
   * filtering forward proxy that judges the address it connects to (SPEC §13).
   */
  guard?: GuardOptions;
}

/** One observation per step, in step order, 1–4 pages at once in one browser. */
export async function runBrowserStage(config: TrackingQaConfig, opts: BrowserStageOptions = {}): Promise<BrowserObservation[]> {
  const proxy = opts.guard ? await startGuardProxy(opts.guard) : undefined;
  const browser = opts.browser ?? (await launchChromium(opts.executablePath).catch(async (error: unknown) => {
    await proxy?.close();
    throw error;
  }));
  try {
    const pages = Math.max(1, Math.min(config.concurrency, MAX_BROWSER_PAGES));
    const pool = new TabPool(browser, proxy?.url);
    try {
      return await mapLimit(config.steps, pages, (step) => visitWith(pool, step, config));
    } finally {
      await pool.close();
    }
  } finally {
    if (opts.browser === undefined) await browser.close().catch(() => undefined);
    await proxy?.close();
  }
}
