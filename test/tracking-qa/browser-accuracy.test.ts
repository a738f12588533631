// SPEC §17 in real headless Chromium against the loopback fixture site: consent order judged by
// the default against the first tag hit, Consent Mode v2, consent_denied, duplicates, Meta event
// ids and a checkout journey walked with actions.

import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../../src/tracking-qa/browser.js";
import { runTrackingQa, type QaReport } from "../../src/tracking-qa/run.js";
import { FIXTURE_IDS, FIXTURE_PAGES as P, startFixtureSite, type FixtureSite, reportLookup } from "./fixture-site.js";

const TIMEOUT_MS = 4000;

let site: FixtureSite;
let browser: Browser;
let report: QaReport;
let journey: QaReport;
let eventIds: QaReport;
const { step, statuses } = reportLookup(() => report);
const row = (path: string, expectation: string) => step(path).expectations.find((e) => e.expectation === expectation);

const JOURNEY_EVENTS = [
  "meta_pixel:ViewContent",
  "meta_pixel:AddToCart",
  "ga4:add_to_cart",
  "tiktok:AddToCart",
  "meta_pixel:InitiateCheckout",
  "ga4:begin_checkout",
  "meta_pixel:AddPaymentInfo",
  "ga4:add_payment_info",
];

beforeAll(async () => {
  site = await startFixtureSite();
  browser = await launchChromium();
  report = await runTrackingQa(
    site.config(
      [
        { path: P.gtmConsent, expect: ["consent", "gtm", "meta_pixel"] },
        { path: P.correct, expect: ["consent", "consent_denied", "ga4"] },
        { path: P.lateConsent, expect: ["consent"] },
        { path: P.consentGranted, expect: ["consent", "consent_denied"] },
        { path: P.consentHeld, expect: ["consent", "consent_denied", "meta_pixel"] },
        { path: P.duplicatePageView, expect: ["meta_pixel"] },
        { path: P.twoMetaIds, expect: ["consent"] },
      ],
      { browser: true, timeout_ms: TIMEOUT_MS },
    ),
    { chromium: browser },
  );
  journey = await runTrackingQa(
    site.config(
      [
        {
          path: P.product,
          expect: JOURNEY_EVENTS,
          actions: [
            { click: "#add-to-cart" },
            { wait_for: '#cart-count[data-count="1"]' },
            { click: "#to-checkout" },
            { fill: { "#email": "qa@example.com" } },
            { click: "#pay" },
          ],
        },
        { path: P.product, expect: ["meta_pixel:AddToCart"], actions: [{ click: "#no-such-button" }] },
      ],
      { browser: true, timeout_ms: TIMEOUT_MS },
    ),
    { chromium: browser },
  );
  eventIds = await runTrackingQa(
    site.config([{ path: P.product, expect: ["meta_pixel:PageView", "meta_pixel:AddToCart"], actions: [{ click: "#add-to-cart" }, { goto: P.checkout }, { wait_for: "#pay" }] }], {
      browser: true,
      timeout_ms: TIMEOUT_MS,
      meta_event_id: true,
    }),
    { chromium: browser },
  );
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

describe("consent order in the browser (SPEC §17)", () => {
  it("passes a default set before the standard GTM snippet, though GTM inserts its loader above it", () => {
    // The static reading of the rendered DOM used to fail this page: gtm.js sits above the default there.
    expect(row(P.gtmConsent, "consent")).toMatchObject({ status: "ok", stage: "browser" });
    expect(row(P.gtmConsent, "consent")?.seen).toMatch(/^consent default \(ad_storage=denied, analytics_storage=denied, ad_user_data=denied, ad_personalization=denied\) before the first tag hit \(\/tr hit PageView/);
    expect(step(P.gtmConsent).status).toBe("ok");
  });

  it("fails GA4 hits whose config ran before the default", () => {
    expect(row(P.lateConsent, "consent")?.status).toBe("missing");
    expect(row(P.lateConsent, "consent")?.seen).toMatch(/without consent state|before gtag\('consent', 'default'\)/);
  });
});

describe("consent_denied (SPEC §17)", () => {
  it("passes when GA4 pings with storage denied and the pixel waits for consent", () => {
    expect(statuses(P.consentHeld)).toEqual({ consent: "ok", consent_denied: "ok", meta_pixel: "missing" });
    expect(row(P.consentHeld, "consent_denied")?.seen).toBe("no marketing beacon with storage granted before consent");
  });

  it("fails a page whose beacons go out with storage granted, and one whose Meta pixel fires before consent", () => {
    expect(row(P.consentGranted, "consent")?.status).toBe("ok");
    expect(row(P.consentGranted, "consent_denied")).toMatchObject({ status: "missing" });
    expect(row(P.consentGranted, "consent_denied")?.seen).toMatch(/\/g\/collect hit page_view \(G-FIXTURE1\) with gcs=G111/);
    expect(row(P.correct, "consent_denied")?.seen).toMatch(/\/tr hit PageView \(1234567890\)/);
    expect(row(P.correct, "consent")?.status).toBe("ok");
  });
});

describe("duplicates (SPEC §17)", () => {
  it("fails the same event sent twice in one page view", () => {
    expect(row(P.duplicatePageView, "meta_pixel")).toMatchObject({ status: "duplicate" });
    expect(row(P.duplicatePageView, "meta_pixel")?.seen).toMatch(/^duplicate: PageView \(1234567890\) sent 2 times/);
  });

  it("fails two ids of one vendor, with a row of its own when the step expects nothing of that vendor", () => {
    expect(row(P.twoMetaIds, "meta_pixel")).toMatchObject({ status: "duplicate", stage: "browser" });
    expect(row(P.twoMetaIds, "meta_pixel")?.seen).toContain("two ids 555000111, 1234567890");
    expect(step(P.twoMetaIds).status).toBe("failed");
  });

  it("finds none on the correct page", () => {
    expect(step(P.correct).expectations.map((e) => e.status)).not.toContain("duplicate");
  });
});

describe("a checkout journey (SPEC §17)", () => {
  const walk = () => journey.steps[0];

  it("walks /product → add to cart → /checkout → pay and sees every event", () => {
    expect(Object.fromEntries((walk()?.expectations ?? []).map((e) => [e.expectation, e.status]))).toEqual(
      Object.fromEntries(JOURNEY_EVENTS.map((e) => [e, "ok"])),
    );
    expect(site.served).toContain(P.product);
    expect(site.served).toContain(P.checkout);
  });

  it("counts each navigation as its own page view: PageView on both pages is no duplicate", () => {
    expect(walk()?.status).toBe("ok");
  });

  it("requires Meta event ids when meta_event_id is on: AddToCart carries one, PageView none", () => {
    const [pageView, addToCart] = eventIds.steps[0]?.expectations ?? [];
    expect(pageView).toMatchObject({ expectation: "meta_pixel:PageView", status: "missing" });
    expect(pageView?.seen).toBe("Meta events without an event id (eid): PageView (tracking_qa.meta_event_id)");
    expect(addToCart).toMatchObject({ expectation: "meta_pixel:AddToCart", status: "ok" });
  });

  it("reports an action that cannot run, naming it, after one retry", () => {
    const broken = journey.steps[1];
    expect(broken?.status).toBe("error");
    expect(broken?.expectations[0]?.seen).toMatch(/^action 1 \(click #no-such-button\) failed: .*Timeout \d+ms exceeded.* \(after 2 attempts\)$/);
  });

  it("uses the fixture's ids", () => {
    expect(walk()?.expectations.find((e) => e.expectation === "ga4:add_to_cart")?.seen).toContain(FIXTURE_IDS.ga4);
  });
});
