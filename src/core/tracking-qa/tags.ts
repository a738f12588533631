// What counts as a tag in a page's served HTML (SPEC §8, §12, §17): snippets, loaders,
// noscript pixels and consent defaults, with the ids they carry. Code inside JS or HTML
// comments does not count, and a script a consent manager holds is present but does not fire.
// Pure: src/tracking-qa does the fetching.
import { DomUtils, parseDocument } from "htmlparser2";
import jsTokens from "js-tokens";
import { customMatcher, type HitTag, type TrackingQaConfig } from "./config.js";
import { shorten, unique } from "./evidence.js";

// Static detection

export interface TagDetection {
  /** The tag's snippet, loader or pixel is on the page. */
  found: boolean;
  /** Ids seen on the page (upper-cased), in order of first appearance. */
  ids: string[];
  /** The configured id is among `ids`; undefined when no id is configured. */
  hasConfiguredId: boolean | undefined;
  /**
   * The tag is on the page but its id cannot be seen there (a server-side GTM loader that
   * leaves the id out): only the browser stage can tell which container loads.
   */
  idHidden?: boolean;
  /** What was seen, for the table. */
  evidence: string;
}

export interface StaticDetection {
  tags: Record<string, TagDetection>;
}

/** How a `<script>` element runs (SPEC §17). */
type ScriptRole =
  /** Runs: classic, module, or Partytown (moved to a web worker). */
  | "code"
  /** `text/plain` held by a consent manager: present, runs once the visitor consents. */
  | "blocked"
  /** JSON, templates, other types: never runs. */
  | "data";

/** Attributes by which consent managers mark the scripts they hold back until consent. */
const CONSENT_HOLD_ATTRIBUTES: readonly [attribute: string, manager: string][] = [
  ["data-cookieconsent", "Cookiebot"],
  ["data-usercentrics", "Usercentrics"],
  ["data-cookieyes", "CookieYes"],
  ["data-iub-purposes", "iubenda"],
  ["data-borlabs-cookie-script-blocker-id", "Borlabs Cookie"],
  ["data-cookiecategory", "cookie consent"],
  ["data-category", "cookie consent"],
  ["data-service", "cookie consent"],
  ["data-consent", "cookie consent"],
];
const CONSENT_HOLD_CLASSES: readonly [prefix: string, manager: string][] = [
  ["optanon-category-", "OneTrust"],
  ["cmplz-", "Complianz"],
  ["_iub_cs_activate", "iubenda"],
];

type Attribs = Record<string, string>;

/** The consent manager holding a script back, e.g. "Cookiebot: marketing"; undefined if none. */
function consentHold(attribs: Attribs): string | undefined {
  for (const [attribute, manager] of CONSENT_HOLD_ATTRIBUTES) {
    const value = attribs[attribute];
    if (value !== undefined && value.toLowerCase() !== "ignore") return value === "" ? manager : `${manager}: ${shorten(value, 40)}`;
  }
  const classes = (attribs["class"] ?? "").split(/\s+/);
  for (const [prefix, manager] of CONSENT_HOLD_CLASSES) {
    const held = classes.find((c) => c.startsWith(prefix));
    if (held !== undefined) return `${manager}: ${shorten(held, 40)}`;
  }
  return undefined;
}

function scriptRole(attribs: Attribs): { role: ScriptRole; hold?: string; partytown?: true } {
  const type = (attribs["type"] ?? "").trim().toLowerCase();
  if (type === "" || type.includes("javascript") || type.includes("ecmascript") || type === "module") return { role: "code" };
  if (type === "text/partytown") return { role: "code", partytown: true };
  if (type === "text/plain" || type === "text/template") {
    const hold = consentHold(attribs);
    if (hold !== undefined) return { role: "blocked", hold };
  }
  return { role: "data" };
}

interface Source {
  /** Document position, so "before the first tag fires" can be decided. */
  at: number;
  kind: "script-src" | "script" | "noscript-img" | "iframe";
  text: string;
  /** Held by a consent manager: seen, never firing. */
  hold?: string;
  partytown?: true;
  attribs: Attribs;
}

/**
 * The code with every comment blanked out, same length (positions stay true). js-tokens
 * knows strings, templates and regex literals, so `"//cdn…"` or `/\/*x/` are not comments;
 * it never fails on broken code.
 */
export function withoutComments(code: string): string {
  let out = "";
  for (const token of jsTokens(code)) {
    out +=
      token.type === "MultiLineComment" || token.type === "SingleLineComment" || token.type === "HashbangComment"
        ? token.value.replace(/[^\n]/g, " ")
        : token.value;
  }
  return out;
}

type Doc = ReturnType<typeof parseDocument>;

/** Element walk. HTML comments are comment nodes, never elements: nothing inside them is seen. */
function sourcesOf(doc: Doc): Source[] {
  const sources: Source[] = [];
  for (const el of DomUtils.getElementsByTagName(() => true, doc, true)) {
    const at = el.startIndex ?? 0;
    const attribs = el.attribs;
    if (el.name === "script") {
      const { role, hold, partytown } = scriptRole(attribs);
      if (role === "data") continue;
      const extra = { ...(hold !== undefined ? { hold } : {}), ...(partytown ? { partytown } : {}), attribs };
      // Consent managers keep a held script's URL in data-src until consent.
      const src = attribs["src"] ?? (role === "blocked" ? attribs["data-src"] : undefined);
      if (src) sources.push({ at, kind: "script-src", text: src, ...extra });
      const code = DomUtils.textContent(el);
      if (code.trim() !== "") sources.push({ at, kind: "script", text: withoutComments(code), ...extra });
    } else if (el.name === "img" && insideNoscript(el)) {
      const src = attribs["src"];
      if (src) sources.push({ at, kind: "noscript-img", text: src, attribs });
    } else if (el.name === "iframe") {
      const src = attribs["src"];
      if (src) sources.push({ at, kind: "iframe", text: src, attribs });
    }
  }
  return sources;
}

function insideNoscript(el: ReturnType<typeof DomUtils.getElementsByTagName>[number]): boolean {
  for (let p = DomUtils.getParent(el); p !== null; p = DomUtils.getParent(p)) {
    if ("name" in p && p.name === "noscript") return true;
  }
  return false;
}

interface Sighting {
  at: number;
  id?: string;
  what: string;
  /** The tag sends data here (consent must come first). */
  fires: boolean;
  /** Held by a consent manager until consent. */
  hold?: string;
  /** The id is on the page but hidden from it (server-side GTM loader). */
  idHidden?: boolean;
}

/** The four keys Consent Mode v2 needs in the default (SPEC §17). */
export const CONSENT_V2_KEYS = ["ad_storage", "analytics_storage", "ad_user_data", "ad_personalization"] as const;

interface ConsentSighting {
  at: number;
  what: string;
  /** Keys the default sets; undefined when they are not in the page (a consent manager's script, settings built at run time). */
  keys?: string[];
}

const Q = `['"\`]`;
const re = {
  fbqInit: new RegExp(`\\bfbq\\s*\\(\\s*${Q}init${Q}\\s*,\\s*${Q}?(\\d+)`, "g"),
  fbqTrack: new RegExp(`\\bfbq\\s*\\(\\s*${Q}track(?:Custom|Single|SingleCustom)?${Q}`, "g"),
  fbevents: /connect\.facebook\.net\/[\w-]+\/fbevents\.js/g,
  gtagConfig: new RegExp(`\\bgtag\\s*\\(\\s*${Q}config${Q}\\s*,\\s*${Q}(G-[A-Z0-9]+)${Q}`, "gi"),
  gtagFires: new RegExp(`\\bgtag\\s*\\(\\s*${Q}(?:config|event)${Q}`, "g"),
  /** The GTM snippet's first push; standard and server-side custom loaders alike. */
  gtmStart: new RegExp(`${Q}gtm\\.start${Q}`),
  gtmId: new RegExp(`${Q}(GTM-[A-Z0-9]+)${Q}`, "gi"),
  ttqLoad: new RegExp(`\\bttq\\.load\\s*\\(\\s*${Q}([A-Z0-9]+)${Q}`, "gi"),
  ttqFires: /\bttq\.(?:page|track)\s*\(/g,
  ttqLoader: /analytics\.tiktok\.com\/i18n\/pixel\/(?:events|sdk)\.js/g,
  consentDefault: new RegExp(`\\bgtag\\s*\\(\\s*${Q}consent${Q}\\s*,\\s*${Q}default${Q}`, "g"),
  cookiebot: /consent\.cookiebot\.(?:com|eu)\/uc\.js/,
};

function* matches(pattern: RegExp, text: string): Generator<RegExpExecArray> {
  const global = new RegExp(pattern.source, pattern.flags.includes("g") ? pattern.flags : pattern.flags + "g");
  for (let m = global.exec(text); m !== null; m = global.exec(text)) yield m;
}

/**
 * Tag URLs whose id is a query parameter. The pattern takes the whole query and the id is read
 * from its parameter: a pattern that looked for `&id=` itself would rescan the rest of the page
 * from every `?` that lacks one (quadratic on hostile pages).
 */
const idUrls = {
  metaImg: { url: /facebook\.com\/tr\/?\?([^"'\s]*)/g, param: "id", id: /^\d+/ },
  gtagJs: { url: /\/gtag\/js\?([^"'\s]*)/gi, param: "id", id: /^[A-Z]{1,3}-[A-Z0-9]+/i },
  gtmJs: { url: /\/gtm\.js\?([^"'\s]*)/gi, param: "id", id: /^GTM-[A-Z0-9]+/i },
  gtmNoscript: { url: /\/ns\.html\?([^"'\s]*)/gi, param: "id", id: /^GTM-[A-Z0-9]+/i },
  ttqSdk: { url: /\/i18n\/pixel\/(?:events|sdk)\.js\?([^"'\s]*)/gi, param: "sdkid", id: /^[A-Z0-9]+/i },
};

function* idsIn(kind: (typeof idUrls)[keyof typeof idUrls], text: string): Generator<{ m: RegExpExecArray; id: string }> {
  for (const m of matches(kind.url, text)) {
    for (const pair of (m[1] ?? "").split("&")) {
      const eq = pair.indexOf("=");
      // `&amp;` is how the parameter separator reads in HTML source.
      const name = pair.slice(0, eq).replace(/^amp;/, "").toLowerCase();
      const id = eq < 0 || name !== kind.param ? undefined : kind.id.exec(pair.slice(eq + 1))?.[0];
      if (id) {
        yield { m, id };
        break;
      }
    }
  }
}

/**
 * The Consent Mode keys named in the call that starts at `from` (up to its first `)`);
 * undefined when the settings are built at run time (a variable or a `...spread`), which
 * only the browser stage can read.
 */
function consentKeys(code: string, from: number): string[] | undefined {
  const end = code.indexOf(")", from);
  const args = code.slice(from, end === -1 ? from + 2000 : end);
  if (!args.includes("{") || args.includes("...")) return undefined;
  return CONSENT_V2_KEYS.filter((key) => args.includes(key));
}

interface Sightings {
  tags: Record<HitTag | "firing", Sighting[]>;
  consent: ConsentSighting[];
  /** Google tags that are not GA4 (Ads AW-, Google tag GT-, Floodlight DC-), for the evidence. */
  otherGoogle: string[];
}

function sightingsOf(sources: readonly Source[]): Sightings {
  const tags: Sightings["tags"] = { meta_pixel: [], ga4: [], gtm: [], tiktok: [], firing: [] };
  const consent: ConsentSighting[] = [];
  const otherGoogle: string[] = [];
  for (const s of sources) {
    const { text, kind } = s;
    const held = s.hold === undefined ? "" : ` (blocked until consent: ${s.hold})`;
    const where = s.partytown ? " (Partytown)" : "";
    const add = (tag: keyof typeof tags, m: RegExpExecArray, what: string, fires: boolean, id?: string, idHidden?: boolean) => {
      tags[tag].push({
        at: s.at + m.index,
        what: `${what}${where}${held}`,
        // A held script fires only after consent, so it never fires before the default.
        fires: fires && s.hold === undefined,
        ...(id !== undefined ? { id: id.toUpperCase() } : {}),
        ...(s.hold !== undefined ? { hold: s.hold } : {}),
        ...(idHidden ? { idHidden } : {}),
      });
    };
    if (kind === "script" || kind === "script-src") {
      for (const m of matches(re.fbevents, text)) add("meta_pixel", m, "fbevents.js loader", false);
      for (const { m, id } of idsIn(idUrls.gtagJs, text)) {
        // gtag/js also loads Ads (AW-), Google tags (GT-) and Floodlight (DC-): only G- ids are GA4.
        if (/^G-/i.test(id)) add("ga4", m, `gtag/js?id=${id}`, false, id);
        else otherGoogle.push(id.toUpperCase());
      }
      for (const { m, id } of idsIn(idUrls.gtmJs, text)) add("gtm", m, `gtm.js?id=${id}`, true, id);
      for (const { m, id } of idsIn(idUrls.ttqSdk, text)) add("tiktok", m, `TikTok loader sdkid=${id}`, false, id);
      if (kind === "script-src" && re.cookiebot.test(text)) {
        // Cookiebot sets Consent Mode defaults itself unless told not to.
        const off = s.attribs["data-consentmode"] === "disabled" || s.attribs["data-consentmode-defaults"] === "disabled";
        if (!off) consent.push({ at: s.at, what: "Cookiebot (uc.js)" });
      }
    }
    if (kind === "script") {
      for (const m of matches(re.fbqInit, text)) add("meta_pixel", m, `fbq('init', '${m[1] ?? ""}')`, false, m[1]);
      for (const m of matches(re.fbqTrack, text)) add("meta_pixel", m, "fbq('track')", true);
      for (const m of matches(re.gtagConfig, text)) add("ga4", m, `gtag('config', '${m[1] ?? ""}')`, true, m[1]);
      // gtag('config'/'event') also fires Ads tags: it orders consent, it does not prove GA4.
      for (const m of matches(re.gtagFires, text)) add("firing", m, "gtag('config'/'event')", true);
      // A GTM snippet, standard or a server-side custom loader, pushes 'gtm.start' and passes
      // its container id as the last argument; some loaders leave the id out entirely.
      const snippet = re.gtmStart.exec(text);
      if (snippet) {
        const ids = [...matches(re.gtmId, text)];
        if (ids.length === 0) add("gtm", snippet, "GTM snippet (custom loader, no container id in the page)", true, undefined, true);
        for (const m of ids) add("gtm", m, `GTM snippet ${m[1] ?? ""}`, true, m[1]);
      }
      for (const m of matches(re.ttqLoader, text)) add("tiktok", m, "TikTok loader", false);
      for (const m of matches(re.ttqLoad, text)) add("tiktok", m, `ttq.load('${m[1] ?? ""}')`, false, m[1]);
      for (const m of matches(re.ttqFires, text)) add("tiktok", m, "ttq.page()", true);
      if (s.hold === undefined) {
        for (const m of matches(re.consentDefault, text)) {
          const keys = consentKeys(text, m.index + m[0].length);
          consent.push({ at: s.at + m.index, what: "gtag('consent', 'default')", ...(keys !== undefined ? { keys } : {}) });
        }
      }
    }
    if (kind === "noscript-img") {
      for (const { m, id } of idsIn(idUrls.metaImg, text)) add("meta_pixel", m, `noscript /tr?id=${id}`, false, id);
    }
    if (kind === "iframe") {
      for (const { m, id } of idsIn(idUrls.gtmNoscript, text)) add("gtm", m, `ns.html?id=${id}`, false, id);
    }
  }
  return { tags, consent, otherGoogle: unique(otherGoogle) };
}

function tagDetection(sightings: readonly Sighting[], expectedId: string | undefined, emptyWhat: string): TagDetection {
  const ids = unique(sightings.flatMap((s) => (s.id === undefined ? [] : [s.id])));
  const found = sightings.length > 0;
  const what = unique(sightings.map((s) => s.what)).slice(0, 4).join(", ");
  const idHidden = ids.length === 0 && sightings.some((s) => s.idHidden === true);
  return {
    found,
    ids,
    hasConfiguredId: expectedId === undefined ? undefined : ids.includes(expectedId),
    ...(idHidden ? { idHidden } : {}),
    evidence: found ? what : emptyWhat,
  };
}

/** The document as served minus HTML comments and JS comments, for custom matchers. */
function uncommentedHtml(doc: Doc): string {
  const comments = DomUtils.filter((node) => node.type === "comment", doc, true);
  for (const node of comments) DomUtils.removeElement(node);
  for (const script of DomUtils.getElementsByTagName("script", doc, true)) {
    const text = script.children[0];
    if (script.children.length === 1 && text !== undefined && "data" in text) text.data = withoutComments(text.data);
  }
  return DomUtils.getOuterHTML(doc, { encodeEntities: false, decodeEntities: false });
}

/**
 * Looks for each tag in a fetched HTML document: script sources, inline scripts, `<noscript>`
 * pixels and iframes. Custom tags are matched against the document without its comments.
 */
export function detectTags(html: string, config: Pick<TrackingQaConfig, "ids" | "custom">): StaticDetection {
  const doc = parseDocument(html, { withStartIndices: true });
  const s = sightingsOf(sourcesOf(doc));
  const notGa4 = s.otherGoogle.length > 0 ? ` (gtag/js loads ${s.otherGoogle.slice(0, 4).join(", ")}: not GA4)` : "";
  const tags: Record<string, TagDetection> = {
    meta_pixel: tagDetection(s.tags.meta_pixel, config.ids.meta_pixel, "no fbq('init') or fbevents.js"),
    ga4: tagDetection(s.tags.ga4, config.ids.ga4, `no gtag/js?id=G-… or gtag('config', 'G-…')${notGa4}`),
    gtm: tagDetection(s.tags.gtm, config.ids.gtm, "no GTM snippet or gtm.js"),
    tiktok: tagDetection(s.tags.tiktok, config.ids.tiktok, "no ttq.load() or TikTok loader"),
    consent: consentDetection(s),
  };
  const customs = Object.entries(config.custom);
  if (customs.length > 0) {
    const text = uncommentedHtml(doc);
    for (const [name, spec] of customs) {
      const hit = customMatcher(spec).test(text);
      tags[name] = {
        found: hit !== undefined,
        ids: [],
        hasConfiguredId: undefined,
        evidence: hit !== undefined ? `matched "${shorten(hit, 60)}"` : `no match for ${spec}`,
      };
    }
  }
  return { tags };
}

function consentDetection(s: Sightings): TagDetection {
  const firstDefault = s.consent[0];
  const firings = [...s.tags.meta_pixel, ...s.tags.ga4, ...s.tags.gtm, ...s.tags.tiktok, ...s.tags.firing]
    .filter((x) => x.fires)
    .sort((a, b) => a.at - b.at);
  const firstFiring = firings[0];
  const none = { ids: [], hasConfiguredId: undefined };
  if (firstDefault === undefined) {
    return { ...none, found: false, evidence: "no consent default (gtag('consent', 'default', …))" };
  }
  if (firstFiring !== undefined && firstFiring.at < firstDefault.at) {
    return { ...none, found: false, evidence: `${firstDefault.what} comes after ${firstFiring.what} fires` };
  }
  const lacking = firstDefault.keys === undefined ? [] : CONSENT_V2_KEYS.filter((key) => !firstDefault.keys?.includes(key));
  if (lacking.length > 0) {
    return { ...none, found: false, evidence: `${firstDefault.what} does not set ${lacking.join(", ")} (Consent Mode v2 needs all four)` };
  }
  const before = firstFiring === undefined ? "(no tag fires)" : `before ${firstFiring.what}`;
  return { ...none, found: true, evidence: `${firstDefault.what} ${before}` };
}
