// A small shop on loopback with tags in known states, for tests, the bench and the demo.
// Tag loaders (gtm.js, gtag/js, fbevents.js, events.js) are served from this host, as a
// first-party tag gateway would; their beacons go to the real platform hostnames, which
// the browser stage must answer locally — that is what proves no test traffic leaves.

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { trackingQaSchema, type JourneyAction, type TrackingQaConfig } from "../core/tracking-qa/config.js";

export const FIXTURE_IDS = {
  meta_pixel: "1234567890",
  ga4: "G-FIXTURE1",
  gtm: "GTM-FIXTURE",
  tiktok: "C4FIXTURE",
} as const;

export const FIXTURE_WRONG_META_ID = "999";

/** Pages by path, and what they hold. */
export const FIXTURE_PAGES = {
  correct: "/",
  checkout: "/checkout",
  missingPixel: "/missing-pixel",
  wrongMeta: "/wrong-meta",
  gtmInjects: "/gtm-injects",
  lateConsent: "/late-consent",
  redirect: "/redirect",
  hang: "/hang",
  /** Every tag, plus an image that never finishes: the load event never fires. */
  stalledImage: "/stalled-image",
  serverError: "/error",
  notFound: "/no-such-page",
  /** Consent default, GTM and Meta, no GA4: only the order of default and hits can judge consent. */
  gtmConsent: "/gtm-consent",
  /** Consent default granted up front: beacons go out with storage granted before any consent. */
  consentGranted: "/consent-granted",
  /** Consent default denied, GA4 pings cookieless, the Meta pixel held by the consent manager. */
  consentHeld: "/consent-held",
  /** The Meta PageView sent twice in one page view. */
  duplicatePageView: "/duplicate-pageview",
  /** Two Meta pixel ids initialised on one page. */
  twoMetaIds: "/two-meta-ids",
  /** The cart: a product page whose button adds to the cart, then /checkout with a payment form. */
  product: "/product",
  /** `/bench/<n>`: copies of the correct page. */
  bench: "/bench/",
} as const;

const CONSENT_DEFAULT = `<script>
window.dataLayer = window.dataLayer || [];
function gtag(){dataLayer.push(arguments);}
gtag('consent', 'default', { ad_storage: 'denied', analytics_storage: 'denied', ad_user_data: 'denied', ad_personalization: 'denied' });
</script>`;

// The standard GTM snippet, with the loader host swapped for this one.
const gtmSnippet = (id: string, env = "") => `<script>(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':
new Date().getTime(),event:'gtm.js'});var f=d.getElementsByTagName(s)[0],
j=d.createElement(s),dl=l!='dataLayer'?'&l='+l:'';j.async=true;j.src=
'/gtm.js?id='+i+dl${env ? `+'&gtm_preview=${env}'` : ""};f.parentNode.insertBefore(j,f);
})(window,document,'script','dataLayer','${id}');</script>`;

const gtmNoscript = (id: string) =>
  `<noscript><iframe src="https://www.googletagmanager.com/ns.html?id=${id}" height="0" width="0" style="display:none;visibility:hidden"></iframe></noscript>`;

const ga4Snippet = (id: string, events: readonly string[] = []) => `<script async src="/gtag/js?id=${id}"></script>
<script>
window.dataLayer = window.dataLayer || [];
function gtag(){dataLayer.push(arguments);}
gtag('js', new Date());
gtag('config', '${id}');
${events.map((e) => `gtag('event', '${e}', { currency: 'EUR', value: 42 });`).join("\n")}
</script>`;

/** The standard Meta snippet; the text is what the fixture's gtm.js injects too. */
const metaCode = (id: string, events: readonly string[] = []) => `!function(f,b,e,v,n,t,s)
{if(f.fbq)return;n=f.fbq=function(){n.callMethod?
n.callMethod.apply(n,arguments):n.queue.push(arguments)};
if(!f._fbq)f._fbq=n;n.push=n;n.loaded=!0;n.version='2.0';
n.queue=[];t=b.createElement(e);t.async=!0;
t.src=v;s=b.getElementsByTagName(e)[0];
s.parentNode.insertBefore(t,s)}(window, document,'script',
'/en_US/fbevents.js');
fbq('init', '${id}');
fbq('track', 'PageView');
${events.map((e) => `fbq('track', '${e}');`).join("\n")}`;

const metaSnippet = (id: string, events: readonly string[] = []) => `<script>
${metaCode(id, events)}
</script>
<noscript><img height="1" width="1" style="display:none" src="https://www.facebook.com/tr?id=${id}&amp;ev=PageView&amp;noscript=1"/></noscript>`;

const tiktokSnippet = (id: string, events: readonly string[] = []) => `<script>
!function (w, d, t) {
  w.TiktokAnalyticsObject=t;var ttq=w[t]=w[t]||[];ttq.methods=["page","track","identify"];
  ttq.setAndDefer=function(t,e){t[e]=function(){t.push([e].concat(Array.prototype.slice.call(arguments,0)))}};
  for(var i=0;i<ttq.methods.length;i++)ttq.setAndDefer(ttq,ttq.methods[i]);
  ttq.load=function(e){var o=d.createElement("script");o.async=!0;o.src="/i18n/pixel/events.js?sdkid="+e+"&lib="+t;
  var a=d.getElementsByTagName("script")[0];a.parentNode.insertBefore(o,a)};
  ttq.load('${id}');
  ttq.page();
  ${events.map((e) => `ttq.track('${e}');`).join("\n  ")}
}(window, document, 'ttq');
</script>`;

function page(title: string, head: string, body = ""): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
${head}
</head><body>
<h1>${title}</h1>
${body}
<img src="/logo.gif" alt="">
</body></html>`;
}

const ids = FIXTURE_IDS;

function allTags(opts: { meta?: string | false; events?: { meta?: string[]; ga4?: string[]; tiktok?: string[] } } = {}): string {
  const meta = opts.meta === undefined ? ids.meta_pixel : opts.meta;
  return [
    CONSENT_DEFAULT,
    gtmSnippet(ids.gtm),
    ga4Snippet(ids.ga4, opts.events?.ga4),
    meta === false ? "" : metaSnippet(meta, opts.events?.meta),
    tiktokSnippet(ids.tiktok, opts.events?.tiktok),
  ].join("\n");
}

const CONSENT_GRANTED = CONSENT_DEFAULT.replace(/'denied'/g, "'granted'");

/** Event ids let the Conversions API deduplicate what the browser also sent. */
const eventId = (name: string) => `{ eventID: '${name}-' + Date.now() }`;

const PRODUCT_BODY = `<p>Cart: <span id="cart-count" data-count="0">0</span></p>
<button id="add-to-cart" type="button">Add to cart</button>
<a id="to-checkout" href="${"/checkout"}">Checkout</a>
<script>
document.getElementById('add-to-cart').addEventListener('click', function () {
  var count = Number(localStorage.getItem('cart') || '0') + 1;
  localStorage.setItem('cart', String(count));
  var badge = document.getElementById('cart-count');
  badge.textContent = String(count);
  badge.setAttribute('data-count', String(count));
  fbq('track', 'AddToCart', { value: 42, currency: 'EUR' }, ${eventId("atc")});
  gtag('event', 'add_to_cart', { currency: 'EUR', value: 42 });
  ttq.track('AddToCart');
});
</script>`;

const CHECKOUT_BODY = `<p>Items in cart: <span id="cart-count"></span></p>
<form id="pay-form" onsubmit="return false">
<input id="email" type="email" placeholder="Email">
<button id="pay" type="submit">Pay</button>
</form>
<script>
document.getElementById('cart-count').textContent = localStorage.getItem('cart') || '0';
document.getElementById('pay').addEventListener('click', function () {
  if (!document.getElementById('email').value) return;
  fbq('track', 'AddPaymentInfo', {}, ${eventId("api")});
  gtag('event', 'add_payment_info', { currency: 'EUR', value: 42 });
});
</script>`;

const PAGES: Record<string, () => string> = {
  [FIXTURE_PAGES.correct]: () => page("Home", allTags(), gtmNoscript(ids.gtm)),
  [FIXTURE_PAGES.checkout]: () =>
    page(
      "Checkout",
      allTags({ events: { meta: ["InitiateCheckout"], ga4: ["begin_checkout"], tiktok: ["InitiateCheckout"] } }),
      CHECKOUT_BODY,
    ),
  [FIXTURE_PAGES.product]: () => page("Product", allTags({ events: { meta: ["ViewContent"], ga4: ["view_item"] } }), PRODUCT_BODY),
  [FIXTURE_PAGES.gtmConsent]: () => page("GTM after the consent default", [CONSENT_DEFAULT, gtmSnippet(ids.gtm), metaSnippet(ids.meta_pixel)].join("\n")),
  [FIXTURE_PAGES.consentGranted]: () => page("Consent granted up front", [CONSENT_GRANTED, gtmSnippet(ids.gtm), ga4Snippet(ids.ga4)].join("\n")),
  [FIXTURE_PAGES.consentHeld]: () =>
    page(
      "Pixel held until consent",
      [CONSENT_DEFAULT, gtmSnippet(ids.gtm), ga4Snippet(ids.ga4), metaSnippet(ids.meta_pixel).replace("<script>", '<script type="text/plain" data-cookieconsent="marketing">')].join("\n"),
    ),
  [FIXTURE_PAGES.duplicatePageView]: () => page("PageView twice", allTags({ events: { meta: ["PageView"] } })),
  [FIXTURE_PAGES.twoMetaIds]: () => page("Two Meta pixels", [CONSENT_DEFAULT, metaSnippet(ids.meta_pixel).replace("fbq('init',", "fbq('init', '555000111');\nfbq('init',")].join("\n")),
  [FIXTURE_PAGES.stalledImage]: () => page("Stalled image", allTags(), `<img src="/stall.gif" alt="">`),
  [FIXTURE_PAGES.missingPixel]: () => page("Missing pixel", allTags({ meta: false })),
  [FIXTURE_PAGES.wrongMeta]: () => page("Wrong Meta id", allTags({ meta: FIXTURE_WRONG_META_ID })),
  [FIXTURE_PAGES.gtmInjects]: () =>
    page("Tags from GTM", [CONSENT_DEFAULT, gtmSnippet(ids.gtm, "inject-meta"), ga4Snippet(ids.ga4)].join("\n")),
  [FIXTURE_PAGES.lateConsent]: () =>
    page(
      "Consent too late",
      [gtmSnippet(ids.gtm), ga4Snippet(ids.ga4), metaSnippet(ids.meta_pixel), CONSENT_DEFAULT].join("\n"),
    ),
};

// Loader scripts: small stand-ins for the platforms' code that send the same beacons.
const GTAG_JS = `(function(){
  var dl = window.dataLayer = window.dataLayer || [];
  var loaderId = new URL(document.currentScript.src).searchParams.get('id');
  var consent = null, state = {}, tids = [], queue = [], scheduled = false;
  function handle(a){
    if (!a || typeof a.length !== 'number' || typeof a === 'string') return;
    // gcs=G1<ad_storage><analytics_storage>, 1 = granted, as gtag.js sends it.
    if (a[0] === 'consent') {
      var given = a[2] || {};
      Object.keys(given).forEach(function(k){ state[k] = given[k]; });
      consent = 'G1' + (state.ad_storage === 'granted' ? 1 : 0) + (state.analytics_storage === 'granted' ? 1 : 0);
    }
    // Each hit carries the consent state of the moment it was queued, as gtag.js does.
    if (a[0] === 'config' && /^G-/.test(a[1])) { tids.push(a[1]); queue.push({ tid: a[1], en: 'page_view', gcs: consent }); }
    if (a[0] === 'event') (tids.length ? tids : [loaderId]).forEach(function(t){ queue.push({ tid: t, en: a[1], gcs: consent }); });
  }
  function flush(){
    scheduled = false;
    var byTid = {};
    queue.splice(0).forEach(function(e){ (byTid[e.tid] = byTid[e.tid] || []).push(e); });
    Object.keys(byTid).forEach(function(tid){
      var url = 'https://region1.google-analytics.com/g/collect?v=2&tid=' + tid + '&dl=' + encodeURIComponent(location.href);
      var lines = byTid[tid].map(function(e, i){ return 'en=' + encodeURIComponent(e.en) + (e.gcs ? '&gcs=' + e.gcs : '') + '&_et=' + (i + 1); });
      if (lines.length === 1) navigator.sendBeacon(url + '&' + lines[0]);
      else navigator.sendBeacon(url, lines.join('\\n'));
    });
  }
  function schedule(){ if (!scheduled) { scheduled = true; setTimeout(flush, 0); } }
  dl.forEach(handle);
  var push = dl.push;
  dl.push = function(){ for (var i = 0; i < arguments.length; i++) handle(arguments[i]); schedule(); return push.apply(dl, arguments); };
  schedule();
})();`;

const gtmJs = (inject: boolean) => `(function(){
  window.dataLayer = window.dataLayer || [];
  window.dataLayer.push({ event: 'gtm.load' });
  ${
    inject
      ? `// A Custom HTML tag: the Meta pixel exists only once the container runs.
  var s = document.createElement('script');
  s.text = ${JSON.stringify(metaCode(ids.meta_pixel))};
  document.head.appendChild(s);`
      : ""
  }
})();`;

const FBEVENTS_JS = `(function(){
  var fbq = window.fbq, ids = [], sent = 0;
  function send(id, ev, eid){
    var eidParam = eid ? '&eid=' + encodeURIComponent(eid) : '';
    // ts and a counter keep two hits from sharing one URL (the image cache would drop the second).
    if (ev === 'PageView') { new Image().src = 'https://www.facebook.com/tr/?id=' + id + '&ev=' + ev + eidParam + '&dl=' + encodeURIComponent(location.href) + '&ts=' + Date.now() + '&n=' + (++sent) + '&rqm=GET'; return; }
    // Other events go as a form POST, as fbevents.js does for larger payloads.
    var form = new URLSearchParams({ id: id, ev: ev, dl: location.href });
    if (eid) form.set('eid', eid);
    navigator.sendBeacon('https://www.facebook.com/tr/', form);
  }
  function call(a){
    if (a[0] === 'init') ids.push(String(a[1]));
    // fbq('track', event, params, { eventID }) — the id that deduplicates with the Conversions API.
    else if (/^track/.test(a[0])) ids.forEach(function(id){ send(id, a[1], a[3] && a[3].eventID); });
  }
  var queued = (fbq && fbq.queue) || [];
  fbq.callMethod = function(){ call(arguments); };
  queued.splice(0).forEach(call);
})();`;

const TIKTOK_EVENTS_JS = `(function(){
  var code = new URL(document.currentScript.src).searchParams.get('sdkid');
  var ttq = window.ttq;
  function payload(ev){ return { event: ev, message_id: Math.random().toString(36).slice(2), context: { pixel: { code: code }, page: { url: location.href } }, properties: {} }; }
  var events = ttq.filter(function(c){ return c[0] === 'page' || c[0] === 'track'; }).map(function(c){ return payload(c[0] === 'page' ? 'Pageview' : c[1]); });
  if (events.length === 1) navigator.sendBeacon('https://analytics.tiktok.com/api/v2/pixel', JSON.stringify(events[0]));
  else if (events.length > 1) navigator.sendBeacon('https://analytics.tiktok.com/api/v2/pixel/batch', JSON.stringify({ batch: events }));
  ttq.page = function(){ navigator.sendBeacon('https://analytics.tiktok.com/api/v2/pixel', JSON.stringify(payload('Pageview'))); };
  ttq.track = function(ev){ navigator.sendBeacon('https://analytics.tiktok.com/api/v2/pixel', JSON.stringify(payload(ev))); };
})();`;

const GIF = Buffer.from("R0lGODlhAQABAIAAAAAAAP///ywAAAAAAQABAAACAUwAOw==", "base64");

export interface FixtureSite {
  /** Origin, e.g. http://127.0.0.1:41234 */
  url: string;
  /** Paths (with query) the site served, in order; shows loaders loaded normally. */
  served: string[];
  /** A validated tracking_qa config against this site with the fixture's ids. */
  config(steps: { path: string; expect?: string[]; actions?: JourneyAction[] }[], overrides?: Record<string, unknown>): TrackingQaConfig;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
  res.end(body);
}

function handle(req: IncomingMessage, res: ServerResponse, served: string[]): void {
  const u = new URL(req.url ?? "/", "http://fixture.invalid");
  served.push(u.pathname + u.search);
  const js = "text/javascript; charset=utf-8";
  const html = "text/html; charset=utf-8";
  const render = PAGES[u.pathname];
  if (render) return send(res, 200, html, render());
  if (u.pathname.startsWith(FIXTURE_PAGES.bench)) return send(res, 200, html, page(`Bench ${u.pathname}`, allTags()));
  switch (u.pathname) {
    case FIXTURE_PAGES.redirect:
      res.writeHead(302, { location: FIXTURE_PAGES.correct });
      return void res.end();
    case FIXTURE_PAGES.serverError:
      return send(res, 500, html, "<h1>Internal Server Error</h1>");
    case FIXTURE_PAGES.hang:
      // Headers and the start of a page, then nothing: neither stage may wait forever.
      res.writeHead(200, { "content-type": html });
      return void res.write("<!doctype html><html><head><title>Hangs</title>");
    case "/stall.gif":
      res.writeHead(200, { "content-type": "image/gif" });
      return void res.write(GIF.subarray(0, 6));
    case "/gtag/js":
      return send(res, 200, js, GTAG_JS);
    case "/gtm.js":
      return send(res, 200, js, gtmJs(u.searchParams.get("gtm_preview") === "inject-meta"));
    case "/en_US/fbevents.js":
      return send(res, 200, js, FBEVENTS_JS);
    case "/i18n/pixel/events.js":
      return send(res, 200, js, TIKTOK_EVENTS_JS);
    case "/logo.gif":
      return send(res, 200, "image/gif", GIF);
    default:
      return send(res, 404, html, "<h1>Not found</h1>");
  }
}

export async function startFixtureSite(): Promise<FixtureSite> {
  const served: string[] = [];
  const server = createServer((req, res) => handle(req, res, served));
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    served,
    config(steps, overrides = {}) {
      return trackingQaSchema.parse({ base_url: url, ids: { ...FIXTURE_IDS }, steps, ...overrides });
    },
    close() {
      // The hanging page holds its socket open: cut every connection, then stop listening.
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
