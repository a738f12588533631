import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchStep, runStaticStage } from "../../src/tracking-qa/static.js";
import { runTrackingQa, type QaReport } from "../../src/tracking-qa/run.js";
import { qaSummary } from "../../src/core/tracking-qa/report.js";
import { FIXTURE_PAGES as P, startFixtureSite, type FixtureSite, reportLookup } from "./fixture-site.js";

const ALL = ["meta_pixel", "ga4", "gtm", "tiktok", "consent"];

let site: FixtureSite;
let report: QaReport;
const { step, statuses } = reportLookup(() => report);

beforeAll(async () => {
  site = await startFixtureSite();
  const config = site.config(
    [
      { path: P.correct, expect: ALL },
      { path: P.checkout, expect: [...ALL, "meta_pixel:InitiateCheckout", "ga4:begin_checkout"] },
      { path: P.missingPixel, expect: ALL },
      { path: P.wrongMeta, expect: ["meta_pixel"] },
      { path: P.gtmInjects, expect: ["meta_pixel", "gtm", "consent"] },
      { path: P.lateConsent, expect: ["consent"] },
      { path: P.redirect, expect: ["gtm"] },
      { path: P.hang, expect: ["gtm", "ga4"] },
      { path: P.serverError, expect: ["gtm"] },
      { path: P.notFound, expect: [] },
    ],
    { timeout_ms: 1500 },
  );
  report = await runTrackingQa(config);
});

afterAll(async () => {
  await site?.close();
});

describe("static stage against the fixture site", () => {
  it("runs only the static stage unless asked", () => {
    expect(report.stages).toEqual(["static"]);
    expect(report.steps).toHaveLength(10);
  });

  it("passes the page with every tag, its id and the consent default first", () => {
    expect(step(P.correct).status).toBe("ok");
    expect(statuses(P.correct)).toEqual({ meta_pixel: "ok", ga4: "ok", gtm: "ok", tiktok: "ok", consent: "ok" });
    expect(step(P.correct).httpStatus).toBe(200);
  });

  it("reports tag:event as needs-browser, not as a failure", () => {
    expect(statuses(P.checkout)["meta_pixel:InitiateCheckout"]).toBe("needs-browser");
    expect(statuses(P.checkout)["ga4:begin_checkout"]).toBe("needs-browser");
    expect(step(P.checkout).status).toBe("ok");
  });

  it("finds the missing pixel and the wrong id", () => {
    expect(statuses(P.missingPixel)).toMatchObject({ meta_pixel: "missing", ga4: "ok" });
    expect(step(P.wrongMeta).expectations[0]).toMatchObject({ status: "wrong-id", seen: "wrong id: saw 999, expected 1234567890" });
  });

  it("cannot see a pixel that GTM injects at run time", () => {
    expect(statuses(P.gtmInjects)).toEqual({ meta_pixel: "missing", gtm: "ok", consent: "ok" });
  });

  it("flags a consent default set after tags fire", () => {
    expect(step(P.lateConsent).expectations[0]?.status).toBe("missing");
    expect(step(P.lateConsent).expectations[0]?.seen).toMatch(/comes after/);
  });

  it("follows redirects", () => {
    expect(step(P.redirect)).toMatchObject({ status: "ok", httpStatus: 200 });
    expect(step(P.redirect).url).toBe(`${site.url}/`);
  });

  it("turns a hanging page, a 500 and a 404 into errors on every expectation", () => {
    expect(step(P.hang)).toMatchObject({ status: "error", error: "timed out after 1500 ms" });
    expect(step(P.hang).expectations.map((e) => e.status)).toEqual(["error", "error"]);
    expect(step(P.serverError)).toMatchObject({ status: "error", httpStatus: 500 });
    expect(step(P.serverError).expectations[0]).toMatchObject({ status: "error", seen: "HTTP 500" });
    expect(step(P.notFound)).toMatchObject({ status: "error", httpStatus: 404, error: "HTTP 404" });
  });

  it("summarises the run as failed, listing each failure", () => {
    const s = qaSummary(report.steps);
    expect(s.passed).toBe(false);
    expect(report.summary).toEqual(s);
    expect(s.failures.map((f) => `${f.path} ${f.expectation}`)).toEqual([
      "/missing-pixel meta_pixel",
      "/wrong-meta meta_pixel",
      "/gtm-injects meta_pixel",
      "/late-consent consent",
      "/hang gtm",
      "/hang ga4",
      "/error gtm",
      "/no-such-page page",
    ]);
  });
});

describe("static stage mechanics", () => {
  it("keeps at most `concurrency` fetches in flight and uses the injected fetch", async () => {
    let inFlight = 0;
    let peak = 0;
    const counting: typeof fetch = async (input, init) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      try {
        await new Promise((r) => setTimeout(r, 10));
        return await fetch(input, init);
      } finally {
        inFlight -= 1;
      }
    };
    const config = site.config(
      Array.from({ length: 12 }, (_, i) => ({ path: `${P.bench}${i}`, expect: ["gtm"] })),
      { concurrency: 3 },
    );
    const obs = await runStaticStage(config, { fetch: counting });
    expect(peak).toBe(3);
    expect(obs.map((o) => o.detection?.tags["gtm"]?.found)).toEqual(Array(12).fill(true));
    expect(obs[5]?.url).toBe(`${site.url}/bench/5`);
  });

  it("caps the body it reads", async () => {
    const config = site.config([{ path: P.correct, expect: ["tiktok"] }]);
    const step0 = config.steps[0];
    if (!step0) throw new Error("no step");
    const obs = await fetchStep(step0, config, { maxBytes: 600 });
    expect(obs.httpStatus).toBe(200);
    // The TikTok snippet sits past the first 600 bytes.
    expect(obs.detection?.tags["tiktok"]?.found).toBe(false);
  });

  it("reports a refused connection as an error, not a crash", async () => {
    const config = site.config([{ path: "http://127.0.0.1:9/", expect: ["gtm"] }]);
    const [obs] = await runStaticStage(config);
    expect(obs?.error).toMatch(/fetch failed|ECONNREFUSED/);
  });

  it("is off without base_url or steps", async () => {
    const off = await runTrackingQa({ ...site.config([{ path: "/", expect: ["gtm"] }]), base_url: undefined });
    expect(off).toMatchObject({ skipped: "tracking_qa.base_url is not set", steps: [], stages: [] });
    expect(off.summary.passed).toBe(true);
    expect((await runTrackingQa(site.config([]))).skipped).toBe("tracking_qa.steps is empty");
  });

  it("checks dozens of pages in well under a second", async () => {
    const config = site.config(Array.from({ length: 60 }, (_, i) => ({ path: `${P.bench}${i}`, expect: ALL })));
    const started = performance.now();
    const r = await runTrackingQa(config);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(r.summary.passed).toBe(true);
  });
});
