// Real headless Chromium against the loopback fixture site. No skipping: a machine without
// Chromium fails here with the command that installs it.

import { existsSync } from "node:fs";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM_MISSING_HINT, checkChromiumVersionPair, chromiumPath, launchChromium, visitStep } from "../../src/tracking-qa/browser.js";
import { runTrackingQa, type QaReport } from "../../src/tracking-qa/run.js";
import { FIXTURE_IDS, FIXTURE_PAGES as P, startFixtureSite, type FixtureSite, reportLookup } from "./fixture-site.js";

const ALL = ["meta_pixel", "ga4", "gtm", "tiktok", "consent"];
const TIMEOUT_MS = 3000;
const AD_HOSTS = /(^|\.)(facebook\.com|google-analytics\.com|analytics\.google\.com|tiktok\.com|doubleclick\.net)$/;

let site: FixtureSite;
let browser: Browser;
let report: QaReport;

const { step, statuses } = reportLookup(() => report);

describe("system Chromium", () => {
  it("is installed", () => {
    expect(existsSync(chromiumPath()), `no Chromium at ${chromiumPath()}: ${CHROMIUM_MISSING_HINT}`).toBe(true);
  });

  it("has the major version playwright-core 1.64 was built for", async () => {
    const pair = await checkChromiumVersionPair();
    expect(pair.playwrightCore).toMatch(/^1\.64\./);
    expect(pair.matches, `playwright-core ${pair.playwrightCore} drives Chromium ${pair.expectedChromium}, installed is ${pair.installedChromium}`).toBe(true);
    expect(pair.installedMajor).toBe(pair.expectedMajor);
  });

  it("explains how to install Chromium when it is missing", async () => {
    await expect(launchChromium("/nonexistent/chromium")).rejects.toThrow(/apt-get install -y chromium/);
    await expect(checkChromiumVersionPair("/nonexistent/chromium")).rejects.toThrow(/apt-get install -y chromium/);
  });
});

describe("browser stage against the fixture site", () => {
  beforeAll(async () => {
    site = await startFixtureSite();
    browser = await launchChromium();
    const config = site.config(
      [
        { path: P.correct, expect: ALL },
        { path: P.checkout, expect: [...ALL, "meta_pixel:InitiateCheckout", "ga4:begin_checkout", "tiktok:InitiateCheckout"] },
        { path: P.missingPixel, expect: ["meta_pixel", "ga4"] },
        { path: P.wrongMeta, expect: ["meta_pixel"] },
        { path: P.gtmInjects, expect: ["meta_pixel", "gtm", "consent"] },
        { path: P.lateConsent, expect: ["consent"] },
        { path: P.hang, expect: ["gtm"] },
        { path: P.serverError, expect: ["gtm"] },
      ],
      { browser: true, timeout_ms: TIMEOUT_MS },
    );
    report = await runTrackingQa(config, { chromium: browser });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it("runs both stages", () => {
    expect(report.stages).toEqual(["static", "browser"]);
  });

  it("sees every tag fire on the correct page", () => {
    expect(step(P.correct).status).toBe("ok");
    expect(statuses(P.correct)).toEqual({ meta_pixel: "ok", ga4: "ok", gtm: "ok", tiktok: "ok", consent: "ok" });
    const rows = step(P.correct).expectations;
    expect(rows.every((r) => r.stage === "browser")).toBe(true);
    expect(rows.find((r) => r.expectation === "consent")?.seen).toMatch(/^consent default \(ad_storage=denied, .*\) before the first tag hit/);
  });

  it("checks events: Meta form POST, GA4 batch, TikTok JSON", () => {
    expect(statuses(P.checkout)).toMatchObject({
      "meta_pixel:InitiateCheckout": "ok",
      "ga4:begin_checkout": "ok",
      "tiktok:InitiateCheckout": "ok",
    });
  });

  it("reports the missing pixel and the wrong id", () => {
    expect(statuses(P.missingPixel)).toEqual({ meta_pixel: "missing", ga4: "ok" });
    expect(step(P.wrongMeta).expectations[0]).toMatchObject({ status: "wrong-id", seen: "wrong id: saw 999, expected 1234567890" });
  });

  it("passes a pixel that GTM injects at run time, and says so", () => {
    const meta = step(P.gtmInjects).expectations.find((e) => e.expectation === "meta_pixel");
    expect(meta).toMatchObject({ status: "ok", stage: "browser" });
    expect(meta?.seen).toMatch(/injected at run time/);
    expect(step(P.gtmInjects).status).toBe("ok");
  });

  it("catches GA4 hits sent before the consent default", () => {
    expect(step(P.lateConsent).expectations[0]).toMatchObject({ status: "missing" });
    expect(step(P.lateConsent).expectations[0]?.seen).toMatch(/without consent state/);
  });

  it("retries a hanging page and a 500 once, then reports them as errors", () => {
    expect(step(P.hang)).toMatchObject({ status: "error" });
    expect(step(P.hang).expectations[0]?.seen).toBe(`timed out after ${TIMEOUT_MS} ms before the page loaded (after 2 attempts)`);
    expect(step(P.serverError)).toMatchObject({ status: "error", httpStatus: 500 });
    expect(step(P.serverError).expectations[0]?.seen).toBe("HTTP 500 (after 2 attempts)");
    expect(site.served.filter((p) => p === P.serverError)).toHaveLength(3); // static once, browser twice
  });

  it("loads tag loaders and images normally from the site", () => {
    expect(site.served).toContain(`/gtm.js?id=${FIXTURE_IDS.gtm}`);
    expect(site.served).toContain(`/gtag/js?id=${FIXTURE_IDS.ga4}`);
    expect(site.served).toContain("/en_US/fbevents.js");
    expect(site.served.some((p) => p.startsWith("/i18n/pixel/events.js?sdkid="))).toBe(true);
    expect(site.served).toContain("/logo.gif");
  });
});

describe("browser stage isolation and pacing", () => {
  let own: Browser;
  let ownSite: FixtureSite;
  beforeAll(async () => {
    ownSite = await startFixtureSite();
    own = await launchChromium();
  });
  afterAll(async () => {
    await own?.close();
    await ownSite?.close();
  });

  it("answers every beacon locally: no test traffic reaches an ad platform", async () => {
    const config = ownSite.config([{ path: P.checkout, expect: ["meta_pixel:InitiateCheckout", "ga4:begin_checkout", "tiktok:InitiateCheckout"] }], {
      browser: true,
      timeout_ms: 5000,
    });
    const obs = await visitStep(own, config.steps[0] ?? { path: "/", expect: [] }, config);
    const adRequests = obs.requestUrls.filter((u) => AD_HOSTS.test(new URL(u).hostname));
    expect(adRequests.length).toBeGreaterThanOrEqual(3);
    for (const url of adRequests) expect(obs.beaconsAnswered, url).toContain(url);
    expect(obs.failedRequests.filter((f) => AD_HOSTS.test(new URL(f.url).hostname))).toEqual([]);
    const beacons = obs.hits.filter((h) => h.kind === "beacon");
    expect(new Set(beacons.map((h) => h.tag))).toEqual(new Set(["meta_pixel", "ga4", "tiktok"]));
  });

  it("stops a page as soon as its expected hits are seen", async () => {
    const config = ownSite.config([{ path: P.correct, expect: ["meta_pixel", "ga4", "gtm", "tiktok"] }], { browser: true, timeout_ms: 10_000 });
    const obs = await visitStep(own, config.steps[0] ?? { path: "/", expect: [] }, config);
    expect(obs.attempts).toBe(1);
    // Every hit seen once the page loaded: no timeout, so no DOM snapshot (a page that ran into
    // its deadline keeps one as evidence).
    expect(obs.renderedHtml).toBeUndefined();
  });

  it("judges a page whose load event never comes a while after DOMContentLoaded", async () => {
    const config = ownSite.config([{ path: P.stalledImage, expect: ["consent", "meta_pixel"] }], { browser: true, timeout_ms: 10_000 });
    const started = performance.now();
    const obs = await visitStep(own, config.steps[0] ?? { path: "/", expect: [] }, config);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThan(2500);
    expect(elapsed).toBeLessThan(8000);
    expect(obs.error).toBeUndefined();
    expect(obs.renderedHtml).toContain("stall.gif");
    expect(ownSite.served).toContain("/stall.gif");
  });

  it("keeps the rendered page when consent or custom tags are judged from it", async () => {
    const config = ownSite.config([{ path: P.correct, expect: ["consent", "ga4"] }], { browser: true });
    const obs = await visitStep(own, config.steps[0] ?? { path: "/", expect: [] }, config);
    expect(obs.renderedHtml).toMatch(/<h1>Home<\/h1>/);
  });

  it("fails the browser stage loudly when Chromium cannot start", async () => {
    const config = ownSite.config([{ path: P.correct, expect: ["gtm"] }], { browser: true });
    const r = await runTrackingQa(config, { executablePath: "/nonexistent/chromium" });
    expect(r.summary.passed).toBe(false);
    expect(r.steps[0]?.expectations[0]?.seen).toMatch(/browser stage failed: Chromium not found .*apt-get install -y chromium/);
  });
});
