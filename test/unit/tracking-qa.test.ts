import { readFileSync } from "node:fs";
import { parseDeclaration } from "../../src/core/declaration/form.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseExpectation, trackingQaSchema, type TrackingQaConfig } from "../../src/core/tracking-qa/config.js";
import { evaluateStep, type BrowserObservation, type StaticObservation, type StepResult } from "../../src/core/tracking-qa/evaluation.js";
import { classifyHit, isBeacon, type TagHit } from "../../src/core/tracking-qa/hits.js";
import { qaIncidentDraft } from "../../src/core/tracking-qa/incident-draft.js";
import { qaSummary, renderQaTable } from "../../src/core/tracking-qa/report.js";
import { detectTags } from "../../src/core/tracking-qa/tags.js";
import { qaIncidentMarker } from "../../src/core/model/markers.js";

const IDS = { meta_pixel: "1234567890", ga4: "G-ABC123", gtm: "GTM-XYZ9", tiktok: "C4TIKTOK" };

function config(over: Record<string, unknown> = {}): TrackingQaConfig {
  return trackingQaSchema.parse({
    base_url: "https://shop.example.com",
    ids: IDS,
    custom: { klaviyo: "static.klaviyo.com/onsite/js/", hotjar: "/hotjar-\\d+\\.js/i" },
    ...over,
  });
}

const CONSENT = `<script>
  window.dataLayer = window.dataLayer || [];
  function gtag(){dataLayer.push(arguments);}
  gtag('consent', 'default', { 'ad_storage': 'denied', 'analytics_storage': 'denied', 'ad_user_data': 'denied', 'ad_personalization': 'denied' });
</script>`;

const GTM = (id = IDS.gtm) => `<script>(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':
new Date().getTime(),event:'gtm.js'});var f=d.getElementsByTagName(s)[0],
j=d.createElement(s),dl=l!='dataLayer'?'&l='+l:'';j.async=true;j.src=
'https://www.googletagmanager.com/gtm.js?id='+i+dl;f.parentNode.insertBefore(j,f);
})(window,document,'script','dataLayer','${id}');</script>`;

const GTM_NOSCRIPT = (id = IDS.gtm) =>
  `<noscript><iframe src="https://www.googletagmanager.com/ns.html?id=${id}" height="0" width="0" style="display:none;visibility:hidden"></iframe></noscript>`;

const GA4 = (id = IDS.ga4) => `<script async src="https://www.googletagmanager.com/gtag/js?id=${id}"></script>
<script>
  window.dataLayer = window.dataLayer || [];
  function gtag(){dataLayer.push(arguments);}
  gtag('js', new Date());
  gtag('config', '${id}');
</script>`;

const META = (id = IDS.meta_pixel) => `<!-- Meta Pixel Code -->
<script>
!function(f,b,e,v,n,t,s)
{if(f.fbq)return;n=f.fbq=function(){n.callMethod?
n.callMethod.apply(n,arguments):n.queue.push(arguments)};
if(!f._fbq)f._fbq=n;n.push=n;n.loaded=!0;n.version='2.0';
n.queue=[];t=b.createElement(e);t.async=!0;
t.src=v;s=b.getElementsByTagName(e)[0];
s.parentNode.insertBefore(t,s)}(window, document,'script',
'https://connect.facebook.net/en_US/fbevents.js');
fbq('init', '${id}');
fbq('track', 'PageView');
</script>
<noscript><img height="1" width="1" style="display:none"
src="https://www.facebook.com/tr?id=${id}&amp;ev=PageView&amp;noscript=1"
/></noscript>`;

const TIKTOK = (id = IDS.tiktok) => `<script>
!function (w, d, t) {
  w.TiktokAnalyticsObject=t;var ttq=w[t]=w[t]||[];ttq.methods=["page","track","identify","instances","debug","on","off","once","ready","alias","group","enableCookie","disableCookie","holdConsent","revokeConsent","grantConsent"],ttq.setAndDefer=function(t,e){t[e]=function(){t.push([e].concat(Array.prototype.slice.call(arguments,0)))}};for(var i=0;i<ttq.methods.length;i++)ttq.setAndDefer(ttq,ttq.methods[i]);ttq.instance=function(t){for(
var e=ttq._i[t]||[],n=0;n<ttq.methods.length;n++)ttq.setAndDefer(e,ttq.methods[n]);return e},ttq.load=function(e,n){var r="https://analytics.tiktok.com/i18n/pixel/events.js",o=n&&n.partner;ttq._i=ttq._i||{},ttq._i[e]=[],ttq._i[e]._u=r,ttq._t=ttq._t||{},ttq._t[e]=+new Date,ttq._o=ttq._o||{},ttq._o[e]=n||{};n=document.createElement("script")
;n.type="text/javascript",n.async=!0,n.src=r+"?sdkid="+e+"&lib="+t;e=document.getElementsByTagName("script")[0];e.parentNode.insertBefore(n,e)};
  ttq.load('${id}');
  ttq.page();
}(window, document, 'ttq');
</script>`;

const html = (...head: string[]) => `<!doctype html><html><head>${head.join("\n")}</head><body><p>Shop</p></body></html>`;

describe("trackingQaSchema", () => {
  it("fills every default from an empty object", () => {
    const qa = trackingQaSchema.parse({});
    expect(qa).toEqual({
      ids: {},
      custom: {},
      steps: [],
      browser: false,
      timeout_ms: 10_000,
      concurrency: 4,
      severity: 2,
      production_environments: ["production"],
      meta_event_id: false,
      delay_seconds: 0,
    });
    expect(qa.base_url).toBeUndefined();
  });

  it("accepts the spec's example and normalises ids", () => {
    const qa = trackingQaSchema.parse({
      base_url: "https://shop.example.com",
      ids: { meta_pixel: 1234567890, ga4: "g-abc123", gtm: "GTM-XYZ9", tiktok: "C4TIKTOK" },
      custom: { klaviyo: "static.klaviyo.com/onsite/js/" },
      steps: [
        { path: "/", expect: ["meta_pixel", "ga4", "gtm", "consent"] },
        { path: "/checkout", expect: ["meta_pixel:InitiateCheckout", "ga4:begin_checkout", "klaviyo"] },
      ],
      browser: true,
      severity: 1,
    });
    expect(qa.ids).toEqual({ meta_pixel: "1234567890", ga4: "G-ABC123", gtm: "GTM-XYZ9", tiktok: "C4TIKTOK" });
    expect(qa.steps[1]?.expect).toContain("klaviyo");
  });

  it("names the unknown tag, where it is and what is allowed", () => {
    const r = trackingQaSchema.safeParse({ steps: [{ path: "/", expect: ["ga4", "facebook_pixel"] }] });
    expect(r.success).toBe(false);
    const issue = r.error?.issues[0];
    expect(issue?.path).toEqual(["steps", 0, "expect", 1]);
    expect(issue?.message).toMatch(/unknown tag "facebook_pixel"/);
    expect(issue?.message).toMatch(/meta_pixel, ga4, gtm, tiktok, consent/);
  });

  it("accepts custom tag names in expectations but not events on them", () => {
    expect(trackingQaSchema.safeParse({ custom: { klaviyo: "x" }, steps: [{ path: "/", expect: ["klaviyo"] }] }).success).toBe(true);
    const r = trackingQaSchema.safeParse({ custom: { klaviyo: "x" }, steps: [{ path: "/", expect: ["klaviyo:Open"] }] });
    expect(r.error?.issues[0]?.message).toMatch(/no network events/);
  });

  it.each([
    [{ steps: [{ path: "/", expect: ["gtm:gtm.js"] }] }, /gtm has no network events/],
    [{ steps: [{ path: "/", expect: ["meta_pixel:"] }] }, /needs an event name/],
    [{ custom: { ga4: "x" } }, /built-in tag/],
    [{ custom: { bad: "/[unclosed/" } }, /not a valid \/regex\/flags/],
    [{ ids: { meta_pixel: 2 ** 60 } }, /quote it/],
    [{ ids: { ga4: "UA-12345-1" } }, /G-ABC123/],
    [{ base_url: "ftp://shop.example.com" }, /http\(s\) URL/],
    [{ concurrency: 9 }, /./],
    [{ severity: 4 }, /1, 2 or 3/],
  ])("rejects %j", (input, message) => {
    const r = trackingQaSchema.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.message).join("\n")).toMatch(message);
  });

  it("parses expectations in the `tag` / `tag:event` grammar", () => {
    expect(parseExpectation("ga4:begin_checkout", [])).toEqual({
      ok: true,
      expectation: { raw: "ga4:begin_checkout", tag: "ga4", event: "begin_checkout", custom: false },
    });
    expect(parseExpectation(" klaviyo ", ["klaviyo"])).toEqual({ ok: true, expectation: { raw: "klaviyo", tag: "klaviyo", custom: true } });
    expect(parseExpectation(":PageView", []).ok).toBe(false);
  });
});

describe("detectTags", () => {
  const qa = config();

  it("finds every standard snippet with its configured id and the consent default first", () => {
    const d = detectTags(html(CONSENT, GTM(), GA4(), META(), TIKTOK(), GTM_NOSCRIPT()), qa);
    for (const tag of ["meta_pixel", "ga4", "gtm", "tiktok", "consent"]) expect(d.tags[tag]?.found, tag).toBe(true);
    expect(d.tags["meta_pixel"]).toMatchObject({ ids: ["1234567890"], hasConfiguredId: true });
    expect(d.tags["ga4"]).toMatchObject({ ids: ["G-ABC123"], hasConfiguredId: true });
    expect(d.tags["gtm"]).toMatchObject({ ids: ["GTM-XYZ9"], hasConfiguredId: true });
    expect(d.tags["tiktok"]).toMatchObject({ ids: ["C4TIKTOK"], hasConfiguredId: true });
    expect(d.tags["consent"]?.evidence).toMatch(/before GTM snippet/);
  });

  it("reports the ids it saw when the configured one is absent", () => {
    const d = detectTags(html(META("999"), GA4("G-OTHER")), qa);
    expect(d.tags["meta_pixel"]).toMatchObject({ found: true, ids: ["999"], hasConfiguredId: false });
    expect(d.tags["ga4"]).toMatchObject({ found: true, ids: ["G-OTHER"], hasConfiguredId: false });
    expect(d.tags["gtm"]?.found).toBe(false);
  });

  it("sees a Meta pixel from its noscript image alone and GTM from its noscript iframe", () => {
    const d = detectTags(
      `<body><noscript><img src="https://www.facebook.com/tr?id=555&ev=PageView&noscript=1"></noscript>${GTM_NOSCRIPT("GTM-NS1")}</body>`,
      qa,
    );
    expect(d.tags["meta_pixel"]?.ids).toEqual(["555"]);
    expect(d.tags["gtm"]?.ids).toEqual(["GTM-NS1"]);
  });

  it("reads a tag's id from any query parameter of its URL, `&amp;`-separated or not, and only from that parameter", () => {
    const d = detectTags(
      [
        `<script async src="https://www.googletagmanager.com/gtag/js?l=dataLayer&amp;id=G-LATER1"></script>`,
        `<script src="https://analytics.tiktok.com/i18n/pixel/events.js?lang=en&sdkid=C4LATER&lib=ttq"></script>`,
        `<body><noscript><img src="https://www.facebook.com/tr?ev=PageView&id=777&noscript=1"></noscript>`,
        `<noscript><iframe src="https://www.googletagmanager.com/ns.html?xid=GTM-NOPE&gtm_auth=1"></iframe></noscript></body>`,
      ].join(""),
      qa,
    );
    expect(d.tags["ga4"]?.ids).toEqual(["G-LATER1"]);
    expect(d.tags["tiktok"]?.ids).toEqual(["C4LATER"]);
    expect(d.tags["meta_pixel"]?.ids).toEqual(["777"]);
    expect(d.tags["gtm"]?.found).toBe(false);
  });

  it("does not take a pixel-shaped image outside noscript, or JSON-LD, for a tag", () => {
    const d = detectTags(
      `<img src="https://www.facebook.com/tr?id=555&ev=PageView"><script type="application/ld+json">{"x":"fbq('init', '1')"}</script>`,
      qa,
    );
    expect(d.tags["meta_pixel"]?.found).toBe(false);
  });

  it("does not count a Google Ads-only gtag as GA4", () => {
    const d = detectTags(html(GA4("AW-123456")), qa);
    expect(d.tags["ga4"]).toMatchObject({ found: false, ids: [], hasConfiguredId: false });
    const row = evaluateStep({ path: "/", expect: ["ga4"] }, { static: staticObs(d) }, qa).expectations[0];
    expect(row).toMatchObject({ status: "missing" });
    expect(row?.seen).toMatch(/gtag\/js loads AW-123456: not GA4/);
  });

  it("finds a GTM container loaded by src from a first-party host", () => {
    const d = detectTags(`<script async src="https://sst.shop.example.com/gtm.js?id=GTM-XYZ9&l=dl"></script>`, qa);
    expect(d.tags["gtm"]).toMatchObject({ found: true, ids: ["GTM-XYZ9"] });
  });

  it("flags a consent default that comes after a tag fires", () => {
    const d = detectTags(html(GTM(), CONSENT), qa);
    expect(d.tags["consent"]?.found).toBe(false);
    expect(d.tags["consent"]?.evidence).toMatch(/comes after GTM snippet/);
    expect(detectTags(html(GA4(), CONSENT), qa).tags["consent"]?.evidence).toMatch(/after gtag\('config'/);
    expect(detectTags(html(META()), qa).tags["consent"]?.found).toBe(false);
  });

  it("accepts consent set in the same script before gtag('config')", () => {
    const d = detectTags(
      html(`<script async src="https://www.googletagmanager.com/gtag/js?id=G-ABC123"></script>
<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}
gtag("consent", "default", {ad_storage: "denied", analytics_storage: "denied", ad_user_data: "denied", ad_personalization: "denied"});gtag("js", new Date());gtag("config", "G-ABC123");</script>`),
      qa,
    );
    expect(d.tags["consent"]?.found).toBe(true);
    expect(d.tags["ga4"]?.hasConfiguredId).toBe(true);
  });

  it("recognises Cookiebot's loader as a consent default", () => {
    const d = detectTags(
      html(`<script id="Cookiebot" src="https://consent.cookiebot.com/uc.js" data-cbid="abc" type="text/javascript"></script>`, GTM()),
      qa,
    );
    expect(d.tags["consent"]).toMatchObject({ found: true });
    expect(d.tags["consent"]?.evidence).toMatch(/Cookiebot/);
  });

  it("matches custom tags by text and by /regex/flags anywhere in the document", () => {
    const d = detectTags(
      `<script src="https://static.klaviyo.com/onsite/js/klaviyo.js?company_id=X"></script><link href="/HOTJAR-123.JS">`,
      qa,
    );
    expect(d.tags["klaviyo"]).toMatchObject({ found: true });
    expect(d.tags["hotjar"]?.evidence).toMatch(/HOTJAR-123\.JS/);
    expect(detectTags("<p>nothing</p>", qa).tags["klaviyo"]?.found).toBe(false);
  });

  it("finds TikTok and Meta from loader URLs with ids", () => {
    const d = detectTags(
      `<script src="https://analytics.tiktok.com/i18n/pixel/events.js?sdkid=C4TIKTOK&lib=ttq"></script><script src="https://connect.facebook.net/en_US/fbevents.js"></script>`,
      qa,
    );
    expect(d.tags["tiktok"]).toMatchObject({ found: true, ids: ["C4TIKTOK"] });
    expect(d.tags["meta_pixel"]).toMatchObject({ found: true, ids: [], hasConfiguredId: false });
  });

  it("never throws on arbitrary markup", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        detectTags(`<script>${text}</script>${text}`, qa);
      }),
      { numRuns: 200 },
    );
  });
});

describe("classifyHit", () => {
  it("reads a Meta GET hit (with and without the trailing slash)", () => {
    const url =
      "https://www.facebook.com/tr/?id=1234567890&ev=PageView&dl=https%3A%2F%2Fshop.example.com%2F&rl=&if=false&ts=1712345678901&sw=1920&sh=1080&v=2.9.156&r=stable&ec=0&o=4126&fbp=fb.1.1712345678901.123456789&ler=empty&it=1712345678000&coo=false&rqm=GET";
    expect(classifyHit(url)).toEqual([{ tag: "meta_pixel", kind: "beacon", id: "1234567890", event: "PageView", url }]);
    expect(classifyHit("https://www.facebook.com/tr?id=1&ev=Lead")[0]).toMatchObject({ id: "1", event: "Lead" });
  });

  it("reads a Meta POST form body, urlencoded or multipart", () => {
    const urlencoded = "id=1234567890&ev=Purchase&dl=https%3A%2F%2Fshop.example.com%2Fthanks&cd%5Bvalue%5D=42&cd%5Bcurrency%5D=EUR";
    expect(classifyHit("https://www.facebook.com/tr/", urlencoded)[0]).toMatchObject({ id: "1234567890", event: "Purchase" });
    const multipart = [
      "------WebKitFormBoundaryAbC123",
      'Content-Disposition: form-data; name="id"',
      "",
      "1234567890",
      "------WebKitFormBoundaryAbC123",
      'Content-Disposition: form-data; name="ev"',
      "",
      "InitiateCheckout",
      "------WebKitFormBoundaryAbC123--",
      "",
    ].join("\r\n");
    expect(classifyHit("https://www.facebook.com/tr/", multipart)[0]).toMatchObject({ id: "1234567890", event: "InitiateCheckout" });
  });

  it("reads a GA4 GET hit with its consent state", () => {
    const url =
      "https://region1.google-analytics.com/g/collect?v=2&tid=G-ABC123&gtm=45je4a20v9101234567za200&_p=1712345678901&gcs=G111&gcd=13r3r3r3r5l1&npa=0&dma=0&cid=123456789.1712345678&ul=en-us&sr=1920x1080&_s=1&sid=1712345678&sct=1&seg=0&dl=https%3A%2F%2Fshop.example.com%2F&dt=Home&en=page_view&_fv=1&_nsi=1&_ss=1&tfd=1234";
    expect(classifyHit(url)).toEqual([{ tag: "ga4", kind: "beacon", id: "G-ABC123", event: "page_view", consent: "gcs=G111", url }]);
  });

  it("splits a batched GA4 POST into one hit per line", () => {
    const url = "https://www.google-analytics.com/g/collect?v=2&tid=G-ABC123&gtm=45je4a20&_p=1712345678901&gcd=13l3l3l3l1&cid=123.456&sid=1712345678";
    const body = "en=scroll&_et=1203&epn.percent_scrolled=90\nen=begin_checkout&_et=3&ep.currency=EUR&epn.value=42\n";
    const hits = classifyHit(url, body);
    expect(hits.map((h) => [h.id, h.event, h.consent])).toEqual([
      ["G-ABC123", "scroll", "gcd=13l3l3l3l1"],
      ["G-ABC123", "begin_checkout", "gcd=13l3l3l3l1"],
    ]);
  });

  it("reads GA4 hits from analytics.google.com and a server-side container", () => {
    expect(classifyHit("https://analytics.google.com/g/collect?v=2&tid=G-ABC123&en=purchase")[0]).toMatchObject({ event: "purchase" });
    expect(classifyHit("https://sst.shop.example.com/g/collect?v=2&tid=G-ABC123&en=add_to_cart")[0]).toMatchObject({ tag: "ga4", event: "add_to_cart" });
    expect(classifyHit("https://shop.example.com/g/collect?foo=bar")).toEqual([]);
  });

  it("reads loaders: gtm.js, gtag/js, fbevents.js, Meta signals config, TikTok events.js", () => {
    expect(classifyHit("https://www.googletagmanager.com/gtm.js?id=GTM-XYZ9&l=dataLayer")[0]).toMatchObject({ tag: "gtm", kind: "loader", id: "GTM-XYZ9" });
    expect(classifyHit("https://www.googletagmanager.com/gtag/js?id=G-ABC123")[0]).toMatchObject({ tag: "ga4", kind: "loader", id: "G-ABC123" });
    expect(classifyHit("https://www.googletagmanager.com/gtag/js?id=AW-99")[0]).toEqual({
      tag: "ga4",
      kind: "loader",
      url: "https://www.googletagmanager.com/gtag/js?id=AW-99",
    });
    expect(classifyHit("https://connect.facebook.net/en_US/fbevents.js")[0]).toMatchObject({ tag: "meta_pixel", kind: "loader" });
    expect(classifyHit("https://connect.facebook.net/signals/config/1234567890?v=2.9.156&r=stable")[0]).toMatchObject({ kind: "loader", id: "1234567890" });
    expect(classifyHit("https://analytics.tiktok.com/i18n/pixel/events.js?sdkid=C4TIKTOK&lib=ttq")[0]).toMatchObject({ tag: "tiktok", kind: "loader", id: "C4TIKTOK" });
  });

  it("reads a TikTok pixel call from its JSON body", () => {
    const body = JSON.stringify({
      event: "InitiateCheckout",
      message_id: "messageId-1712345678901-1234567890123-C4TIKTOK",
      event_id: "",
      is_onsite: false,
      timestamp: "2024-04-05T12:00:00.000Z",
      context: {
        ad: { sdk_env: "external", jsb_status: 2 },
        user: { anonymous_id: "" },
        pixel: { code: "C4TIKTOK", runtime: "1" },
        page: { url: "https://shop.example.com/checkout", referrer: "" },
        library: { name: "pixel.js", version: "2.2.1" },
      },
      properties: { currency: "EUR", value: 42 },
    });
    expect(classifyHit("https://analytics.tiktok.com/api/v2/pixel", body)).toEqual([
      { tag: "tiktok", kind: "beacon", id: "C4TIKTOK", event: "InitiateCheckout", url: "https://analytics.tiktok.com/api/v2/pixel" },
    ]);
    expect(classifyHit("https://analytics.tiktok.com/api/v2/pixel", JSON.stringify({ pixel_code: "C4TIKTOK", event: "Pageview" }))[0]).toMatchObject({
      id: "C4TIKTOK",
      event: "Pageview",
    });
    const batch = JSON.stringify({ batch: [{ event: "Pageview", context: { pixel: { code: "C4TIKTOK" } } }, { event: "AddToCart", context: { pixel: { code: "C4TIKTOK" } } }] });
    expect(classifyHit("https://analytics.tiktok.com/api/v2/pixel/batch", batch).map((h) => h.event)).toEqual(["Pageview", "AddToCart"]);
    expect(classifyHit("https://analytics.tiktok.com/api/v2/pixel", "not json")).toHaveLength(1);
  });

  it("ignores everything else and never throws", () => {
    expect(classifyHit("https://shop.example.com/app.js")).toEqual([]);
    expect(classifyHit("not a url")).toEqual([]);
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: true }), fc.option(fc.string(), { nil: undefined }), (url, body) => {
        for (const hit of classifyHit(url, body)) if (hit.kind === "beacon") expect(isBeacon(url)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe("isBeacon", () => {
  it.each([
    ["https://www.facebook.com/tr/?id=1&ev=PageView", true],
    ["https://www.facebook.com/tr?id=1&ev=PageView", true],
    ["https://www.facebook.com/privacy_sandbox/pixel/register/trigger/?id=1", true],
    ["https://region1.google-analytics.com/g/collect?v=2&tid=G-1", true],
    ["https://www.google-analytics.com/collect?v=1&tid=UA-1", true],
    ["https://stats.g.doubleclick.net/g/collect?v=2&tid=G-1", true],
    ["https://www.google.com/ccm/collect?en=page_view", true],
    ["https://analytics.tiktok.com/api/v2/pixel", true],
    ["https://sst.shop.example.com/g/collect?v=2&tid=G-ABC123&en=x", true],
    ["https://connect.facebook.net/en_US/fbevents.js", false],
    ["https://connect.facebook.net/signals/config/1?v=2", false],
    ["https://www.googletagmanager.com/gtm.js?id=GTM-1", false],
    ["https://www.googletagmanager.com/gtag/js?id=G-1", false],
    ["https://analytics.tiktok.com/i18n/pixel/events.js?sdkid=C4", false],
    ["https://www.facebook.com/shop", false],
    ["https://shop.example.com/collect", false],
  ])("%s → %s", (url, beacon) => {
    expect(isBeacon(url)).toBe(beacon);
  });
});

function staticObs(detection: ReturnType<typeof detectTags>, over: Partial<StaticObservation> = {}): StaticObservation {
  return { stage: "static", url: "https://shop.example.com/", httpStatus: 200, detection, ...over };
}

function browserObs(hits: TagHit[], over: Partial<BrowserObservation> = {}): BrowserObservation {
  return {
    stage: "browser",
    url: "https://shop.example.com/checkout",
    httpStatus: 200,
    hits,
    requestUrls: hits.map((h) => h.url),
    beaconsAnswered: [],
    failedRequests: [],
    renderedHtml: "<html></html>",
    attempts: 1,
    ...over,
  };
}

const metaHit = (id: string, event: string): TagHit => ({ tag: "meta_pixel", kind: "beacon", id, event, url: `https://www.facebook.com/tr/?id=${id}&ev=${event}` });
const ga4Hit = (event: string, consent?: string): TagHit => ({
  tag: "ga4",
  kind: "beacon",
  id: "G-ABC123",
  event,
  url: "https://region1.google-analytics.com/g/collect",
  ...(consent ? { consent } : {}),
});

describe("evaluateStep", () => {
  const qa = config();
  const full = detectTags(html(CONSENT, GTM(), GA4(), META(), TIKTOK()), qa);

  it("passes a page with every tag and its id; events need the browser", () => {
    const r = evaluateStep({ path: "/", expect: ["meta_pixel", "ga4", "gtm", "tiktok", "consent", "meta_pixel:Purchase"] }, { static: staticObs(full) }, qa);
    expect(r.status).toBe("ok");
    expect(r.expectations.map((e) => e.status)).toEqual(["ok", "ok", "ok", "ok", "ok", "needs-browser"]);
    expect(r.expectations[5]?.seen).toMatch(/browser stage/);
  });

  it("says which id it saw when the id is wrong", () => {
    const r = evaluateStep({ path: "/", expect: ["meta_pixel"] }, { static: staticObs(detectTags(html(META("999")), qa)) }, qa);
    expect(r.status).toBe("failed");
    expect(r.expectations[0]).toMatchObject({ status: "wrong-id", seen: "wrong id: saw 999, expected 1234567890" });
  });

  it("marks every expectation an error when the page answers 5xx or not at all", () => {
    const r = evaluateStep({ path: "/gone", expect: ["meta_pixel", "ga4:purchase"] }, { static: { stage: "static", url: "https://shop.example.com/gone", httpStatus: 503, error: "HTTP 503" } }, qa);
    expect(r).toMatchObject({ status: "error", httpStatus: 503, error: "HTTP 503" });
    expect(r.expectations.every((e) => e.status === "error" && e.seen === "HTTP 503")).toBe(true);
    const t = evaluateStep({ path: "/", expect: ["gtm"] }, { static: { stage: "static", url: "u", error: "timed out after 10000 ms" } }, qa);
    expect(t.expectations[0]).toMatchObject({ status: "error", seen: "timed out after 10000 ms" });
  });

  it("lets the browser override static, noting tags injected at run time", () => {
    const gtmOnly = detectTags(html(CONSENT, GTM()), qa);
    const r = evaluateStep(
      { path: "/", expect: ["meta_pixel", "gtm"] },
      {
        static: staticObs(gtmOnly),
        browser: browserObs([metaHit("1234567890", "PageView"), { tag: "gtm", kind: "loader", id: "GTM-XYZ9", url: "https://www.googletagmanager.com/gtm.js?id=GTM-XYZ9" }]),
      },
      qa,
    );
    expect(r.status).toBe("ok");
    expect(r.expectations[0]).toMatchObject({ status: "ok", stage: "browser" });
    expect(r.expectations[0]?.seen).toMatch(/injected at run time/);
    expect(r.expectations[1]?.seen).not.toMatch(/injected/);
  });

  it("checks events and ids on browser hits", () => {
    const step = { path: "/checkout", expect: ["meta_pixel:InitiateCheckout", "ga4:begin_checkout", "tiktok:InitiateCheckout"] };
    const r = evaluateStep(step, { browser: browserObs([metaHit("999", "InitiateCheckout"), ga4Hit("page_view", "gcs=G100")]) }, qa);
    expect(r.expectations.map((e) => e.status)).toEqual(["wrong-id", "missing", "missing"]);
    expect(r.expectations[0]?.seen).toBe("wrong id: saw 999, expected 1234567890");
    expect(r.expectations[1]?.seen).toMatch(/no begin_checkout \/g\/collect hit; saw id G-ABC123; events page_view/);
  });

  it("explains a missing hit by the loader that failed", () => {
    const r = evaluateStep(
      { path: "/", expect: ["meta_pixel"] },
      { browser: browserObs([], { failedRequests: [{ url: "https://connect.facebook.net/en_US/fbevents.js", error: "net::ERR_NAME_NOT_RESOLVED" }] }) },
      qa,
    );
    expect(r.expectations[0]?.seen).toMatch(/loader failed: .*fbevents\.js \(net::ERR_NAME_NOT_RESOLVED\)/);
  });

  it("judges consent in the browser by the GA4 hits' consent state", () => {
    const step = { path: "/", expect: ["consent"] };
    expect(evaluateStep(step, { browser: browserObs([ga4Hit("page_view", "gcs=G100")]) }, qa).expectations[0]?.status).toBe("ok");
    const late = evaluateStep(step, { browser: browserObs([ga4Hit("page_view")]) }, qa).expectations[0];
    expect(late).toMatchObject({ status: "missing" });
    expect(late?.seen).toMatch(/without consent state/);
    // No GA4 hits and no default in the dataLayer: no consent mode, whatever the DOM order says.
    const none = evaluateStep(step, { browser: browserObs([], { renderedHtml: html(CONSENT, GTM()), consent: [] }) }, qa);
    expect(none.expectations[0]).toMatchObject({ status: "missing", seen: "no consent default reached the dataLayer (gtag('consent', 'default', …))" });
  });

  const V2 = { ad_storage: "denied", analytics_storage: "denied", ad_user_data: "denied", ad_personalization: "denied" };
  const at = (hit: TagHit, time: number): TagHit => ({ ...hit, at: time, view: 0 });

  it("judges consent order by the default's time against the first tag hit, not the DOM", () => {
    const step = { path: "/", expect: ["consent"] };
    const judge = (hits: TagHit[], settings: Record<string, string> = V2) =>
      evaluateStep(step, { browser: browserObs(hits, { consent: [{ command: "default", at: 1000, settings }] }) }, qa).expectations[0];
    expect(judge([at(metaHit("1234567890", "PageView"), 1005)])).toMatchObject({ status: "ok" });
    expect(judge([at(metaHit("1234567890", "PageView"), 980)])).toMatchObject({
      status: "missing",
      seen: "/tr hit PageView (1234567890) was sent 20 ms before gtag('consent', 'default')",
    });
    expect(judge([], { ad_storage: "denied", analytics_storage: "denied" })?.seen).toBe(
      "the consent default does not set ad_user_data, ad_personalization (Consent Mode v2 needs all four)",
    );
  });

  it("consent_denied: GA4 with storage granted (gcs or gcd) and any Meta beacon fail; cookieless GA4 pings pass", () => {
    const step = { path: "/", expect: ["consent_denied"] };
    const judge = (hits: TagHit[]) => evaluateStep(step, { browser: browserObs(hits) }, qa).expectations[0];
    expect(judge([ga4Hit("page_view", "gcs=G100"), ga4Hit("page_view", "gcd=13p3p3p2p5l1")])).toMatchObject({ status: "ok" });
    expect(judge([ga4Hit("page_view", "gcs=G101")])?.status).toBe("missing");
    expect(judge([ga4Hit("page_view", "gcd=13t3t3t2t5l1")])?.status).toBe("missing");
    expect(judge([metaHit("1234567890", "PageView")])?.seen).toBe("sent before consent with storage granted: /tr hit PageView (1234567890)");
    expect(evaluateStep(step, { static: staticObs(full) }, qa).expectations[0]?.status).toBe("needs-browser");
  });

  it("flags duplicates per page view: one event twice, or two ids of one vendor", () => {
    const step = { path: "/", expect: ["meta_pixel:PageView"] };
    const twice = evaluateStep(step, { browser: browserObs([metaHit("1234567890", "PageView"), metaHit("1234567890", "PageView")]) }, qa);
    expect(twice.expectations[0]).toMatchObject({ status: "duplicate" });
    expect(twice.status).toBe("failed");
    const twoViews = [{ ...metaHit("1234567890", "PageView"), view: 0 }, { ...metaHit("1234567890", "PageView"), view: 1 }];
    expect(evaluateStep(step, { browser: browserObs(twoViews) }, qa).status).toBe("ok");
    const twoIds = evaluateStep({ path: "/", expect: ["ga4"] }, { browser: browserObs([metaHit("1", "PageView"), metaHit("2", "PageView"), ga4Hit("page_view")]) }, qa);
    expect(twoIds.expectations.map((e) => [e.expectation, e.status])).toEqual([
      ["ga4", "ok"],
      ["meta_pixel", "duplicate"],
    ]);
    // GA4's engagement heartbeat repeats on purpose.
    expect(evaluateStep({ path: "/", expect: ["ga4"] }, { browser: browserObs([ga4Hit("user_engagement"), ga4Hit("user_engagement")]) }, qa).status).toBe("ok");
  });

  it("matches custom tags in requests or the rendered page", () => {
    const step = { path: "/", expect: ["klaviyo"] };
    const inRequest = browserObs([], { requestUrls: ["https://static.klaviyo.com/onsite/js/klaviyo.js?company_id=X"] });
    expect(evaluateStep(step, { browser: inRequest }, qa).expectations[0]).toMatchObject({ status: "ok" });
    expect(evaluateStep(step, { browser: browserObs([]) }, qa).expectations[0]).toMatchObject({ status: "missing" });
  });

  it("lets a browser page error override static evidence", () => {
    const r = evaluateStep(
      { path: "/", expect: ["gtm"] },
      { static: staticObs(full), browser: browserObs([], { httpStatus: undefined, error: "timed out after 3000 ms before the page loaded", attempts: 2 }) },
      qa,
    );
    expect(r.status).toBe("error");
    expect(r.expectations[0]?.seen).toBe("timed out after 3000 ms before the page loaded (after 2 attempts)");
  });
});

function results(): StepResult[] {
  const qa = config();
  return [
    evaluateStep({ path: "/", expect: ["meta_pixel", "ga4"] }, { static: staticObs(detectTags(html(GA4(), META("999")), qa)) }, qa),
    evaluateStep(
      { path: "/checkout", expect: ["tiktok", "ga4:begin_checkout"] },
      { static: staticObs(detectTags(html(TIKTOK()), qa), { url: "https://shop.example.com/checkout" }) },
      qa,
    ),
    evaluateStep({ path: "/gone", expect: [] }, { static: { stage: "static", url: "https://shop.example.com/gone", httpStatus: 500, error: "HTTP 500" } }, qa),
  ];
}

describe("renderQaTable and qaSummary", () => {
  it("renders step × expectation with icons and what was seen", () => {
    const table = renderQaTable(results());
    expect(table.split("\n")).toEqual([
      "| Step | Expectation | Result | Seen |",
      "| --- | --- | --- | --- |",
      "| `/` (HTTP 200) | `meta_pixel` | ❌ wrong-id | wrong id: saw 999, expected 1234567890 |",
      "| `/` (HTTP 200) | `ga4` | ✅ ok | id G-ABC123 (gtag/js?id=G-ABC123, gtag('config', 'G-ABC123')) |",
      "| `/checkout` (HTTP 200) | `tiktok` | ✅ ok | id C4TIKTOK (TikTok loader, ttq.load('C4TIKTOK'), ttq.page()) |",
      "| `/checkout` (HTTP 200) | `ga4:begin_checkout` | ⚠️ needs-browser | events are only visible in the browser stage (tracking_qa.browser: true) |",
      "| `/gone` (HTTP 500) | page answers | ❌ error | HTTP 500 |",
    ]);
  });

  it("keeps page text from breaking the table or mentioning anyone", () => {
    const r: StepResult = {
      path: "/a|b",
      url: "u",
      status: "failed",
      expectations: [{ expectation: "klaviyo", status: "missing", seen: "no match for <b>@octocat</b> | x\nnext", stage: "static" }],
    };
    const line = renderQaTable([r]).split("\n")[2] ?? "";
    expect(line).toContain("`/a\\|b`");
    expect(line).toContain("&lt;b&gt;@\u200boctocat&lt;/b&gt; \\| x next");
    expect(line).not.toMatch(/@octocat/);
  });

  it("summarises failures, counting needs-browser as a warning", () => {
    const s = qaSummary(results());
    expect(s.passed).toBe(false);
    expect(s.checks).toBe(4);
    expect(s.needsBrowser).toBe(1);
    expect(s.failures.map((f) => [f.path, f.expectation, f.status])).toEqual([
      ["/", "meta_pixel", "wrong-id"],
      ["/gone", "page", "error"],
    ]);
    expect(qaSummary([results()[1] as StepResult]).passed).toBe(true);
  });
});

const shippedForm = readFileSync(new URL("../../templates/ISSUE_TEMPLATE/marketing-incident.yml", import.meta.url), "utf8");

describe("qaIncidentDraft", () => {
  const release = { tag: "v2.4.0", name: "Spring theme", url: "https://github.com/acme/shop/releases/tag/v2.4.0", publishedAt: "2024-04-05T09:30:00Z" };

  it("renders the shipped marketing-incident form as GitHub would, so it parses like a person's declaration", () => {
    const draft = qaIncidentDraft(results(), release, 2, shippedForm, { checkedAt: "2024-04-05T09:41:00Z" });
    expect(draft.marker).toBe("<!-- firebreak:qa-incident release=v2.4.0 -->");
    expect(draft.marker).toBe(qaIncidentMarker("v2.4.0"));
    expect(draft.body.startsWith(`${draft.marker}\n\n### What are you seeing?\n\n`)).toBe(true);
    expect(draft.title).toBe("Tracking QA: 2 tracking checks failed on 2 pages after release v2.4.0");

    const d = parseDeclaration(draft.body, shippedForm, shippedForm);
    expect(d.isForm).toBe(true);
    expect(d.missing).toEqual([]);
    expect(d.symptom).toMatch(/- `\/` — `meta_pixel` wrong-id: wrong id: saw 999, expected 1234567890/);
    expect(d.symptom).toMatch(/- `\/gone` — page error: HTTP 500/);
    expect(d.started).toBe("2024-04-05T09:30:00Z");
    expect(d.detected).toBe("2024-04-05T09:41:00Z");
    expect(d.scope).toEqual(["Meta", "Whole site"]);
    expect(d.scopeDetail).toBe("Pages: `/`, `/gone`");
    expect(d.whatChanged).toBe("Release [v2.4.0 (Spring theme)](https://github.com/acme/shop/releases/tag/v2.4.0) (published 2024-04-05T09:30:00Z).");
    expect(d.outcomes).toBe("not-sure");
    expect(d.layer).toBe("measurement");
    expect(d.severity).toBe(2);
    // Ticked thresholds make it an incident, not routine variance.
    expect(d.threshold).toHaveLength(3);
  });

  it("names a single failure in the title and ticks fewer boxes at SEV3", () => {
    const qa = config();
    const one = [evaluateStep({ path: "/checkout", expect: ["tiktok"] }, { static: staticObs(detectTags("<p></p>", qa)) }, qa)];
    const draft = qaIncidentDraft(one, { tag: "v1", url: "https://x/r/v1" }, 3, shippedForm);
    expect(draft.title).toBe("Tracking QA: TikTok Pixel missing on /checkout after release v1");
    const d = parseDeclaration(draft.body, shippedForm, shippedForm);
    expect(d.detected).toBeUndefined();
    expect(d.started).toBe("At or after release v1");
    expect(d.threshold).toEqual(["Waiting costs materially more", "It changes near-term decisions"]);
    expect(d.severity).toBe(3);
  });

  it("words a monitoring incident as found in production, and a duplicate as firing twice", () => {
    const qa = config();
    const twice = [evaluateStep({ path: "/", expect: ["meta_pixel"] }, { browser: browserObs([metaHit("1234567890", "PageView"), metaHit("1234567890", "PageView")]) }, qa)];
    const draft = qaIncidentDraft(twice, { tag: "monitoring", url: "https://x/runs/7" }, 2, shippedForm, { checkedAt: "2026-11-30T08:00:00Z", monitoring: true });
    expect(draft.title).toBe("Tracking QA monitoring: Meta Pixel fires twice on / in production");
    expect(draft.marker).toBe("<!-- firebreak:qa-monitor since=2026-11-30T08:00:00Z -->");
    const d = parseDeclaration(draft.body, shippedForm, shippedForm);
    expect(d.whatChanged).toBe("No release: found by scheduled monitoring ([the run](https://x/runs/7)).");
  });

  it("keeps the marker a single well-formed comment whatever the tag", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), (tag) => {
        const m = qaIncidentMarker(tag);
        const prefix = "<!-- firebreak:qa-incident release=";
        expect(m.startsWith(prefix) && m.endsWith(" -->")).toBe(true);
        expect(m.slice(prefix.length, -4)).toMatch(/^[^\s<>]+$/);
        expect(m.slice(prefix.length, -4)).not.toContain("--");
        expect(decodeURIComponent(m.slice(prefix.length, -4))).toBe(tag);
      }),
    );
    expect(qaIncidentMarker("v1 -->x")).toBe("<!-- firebreak:qa-incident release=v1%20-%2D%3Ex -->");
  });
});
