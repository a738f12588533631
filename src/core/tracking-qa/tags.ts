// What counts as a tag in a page's served HTML (SPEC §8, §12): snippets, loaders, noscript
// pixels and consent defaults, with the ids they carry. Pure: src/qa does the fetching.
import { DomUtils, parseDocument } from "htmlparser2";
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
  /** What was seen, for the table. */
  evidence: string;
}

export interface StaticDetection {
  tags: Record<string, TagDetection>;
}

interface Source {
  /** Document position, so "before the first tag fires" can be decided. */
  at: number;
  kind: "script-src" | "script" | "noscript-img" | "iframe";
  text: string;
}

function sourcesOf(html: string): Source[] {
  const doc = parseDocument(html, { withStartIndices: true });
  const sources: Source[] = [];
  for (const el of DomUtils.getElementsByTagName(() => true, doc, true)) {
    const at = el.startIndex ?? 0;
    if (el.name === "script") {
      const src = el.attribs["src"];
      if (src) sources.push({ at, kind: "script-src", text: src });
      const type = (el.attribs["type"] ?? "").toLowerCase();
      // JSON-LD and templates are data, not code that fires tags.
      const isCode = type === "" || type.includes("javascript") || type === "module" || type === "text/plain";
      const code = DomUtils.textContent(el);
      if (isCode && code.trim() !== "") sources.push({ at, kind: "script", text: code });
    } else if (el.name === "img" && insideNoscript(el)) {
      const src = el.attribs["src"];
      if (src) sources.push({ at, kind: "noscript-img", text: src });
    } else if (el.name === "iframe") {
      const src = el.attribs["src"];
      if (src) sources.push({ at, kind: "iframe", text: src });
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
}

const Q = `['"\`]`;
const re = {
  fbqInit: new RegExp(`\\bfbq\\s*\\(\\s*${Q}init${Q}\\s*,\\s*${Q}?(\\d+)`, "g"),
  fbqTrack: new RegExp(`\\bfbq\\s*\\(\\s*${Q}track(?:Custom|Single|SingleCustom)?${Q}`, "g"),
  fbevents: /connect\.facebook\.net\/[\w-]+\/fbevents\.js/g,
  metaImg: /facebook\.com\/tr\/?\?(?:[^"'\s]*&)?id=(\d+)/g,
  gtagJs: /\/gtag\/js\?(?:[^"'\s]*&)?id=([A-Z]{1,3}-[A-Z0-9]+)/gi,
  gtagConfig: new RegExp(`\\bgtag\\s*\\(\\s*${Q}config${Q}\\s*,\\s*${Q}(G-[A-Z0-9]+)${Q}`, "gi"),
  gtagFires: new RegExp(`\\bgtag\\s*\\(\\s*${Q}(?:config|event)${Q}`, "g"),
  gtmJsUrl: /\/gtm\.js\?(?:[^"'\s]*&)?id=(GTM-[A-Z0-9]+)/gi,
  gtmSnippet: /\/gtm\.js\?id=/,
  gtmId: new RegExp(`${Q}(GTM-[A-Z0-9]+)${Q}`, "gi"),
  gtmNoscript: /\/ns\.html\?(?:[^"'\s]*&)?id=(GTM-[A-Z0-9]+)/gi,
  ttqLoad: new RegExp(`\\bttq\\.load\\s*\\(\\s*${Q}([A-Z0-9]+)${Q}`, "gi"),
  ttqFires: /\bttq\.(?:page|track)\s*\(/g,
  ttqLoader: /analytics\.tiktok\.com\/i18n\/pixel\/events\.js/g,
  ttqSdkid: /\/i18n\/pixel\/events\.js\?(?:[^"'\s]*&)?sdkid=([A-Z0-9]+)/gi,
  consentDefault: new RegExp(`\\bgtag\\s*\\(\\s*${Q}consent${Q}\\s*,\\s*${Q}default${Q}`, "g"),
  cookiebot: /consent\.cookiebot\.(?:com|eu)\/uc\.js/,
};

function* matches(pattern: RegExp, text: string): Generator<RegExpExecArray> {
  const global = new RegExp(pattern.source, pattern.flags.includes("g") ? pattern.flags : pattern.flags + "g");
  for (let m = global.exec(text); m !== null; m = global.exec(text)) yield m;
}

type Sightings = Record<HitTag | "consent" | "firing", Sighting[]>;

function sightingsOf(sources: readonly Source[]): Sightings {
  const out: Sightings = { meta_pixel: [], ga4: [], gtm: [], tiktok: [], consent: [], firing: [] };
  for (const s of sources) {
    const { text, kind } = s;
    const add = (tag: keyof typeof out, m: RegExpExecArray, what: string, fires: boolean, id?: string) => {
      out[tag].push({ at: s.at + m.index, what, fires, ...(id !== undefined ? { id: id.toUpperCase() } : {}) });
    };
    if (kind === "script" || kind === "script-src") {
      for (const m of matches(re.fbevents, text)) add("meta_pixel", m, "fbevents.js loader", false);
      for (const m of matches(re.gtagJs, text)) {
        const id = m[1] ?? "";
        // gtag/js also loads Ads (AW-) and Google tags (GT-); only G- ids are GA4 properties.
        add("ga4", m, `gtag/js?id=${id}`, false, /^G-/i.test(id) ? id : undefined);
      }
      for (const m of matches(re.gtmJsUrl, text)) add("gtm", m, `gtm.js?id=${m[1] ?? ""}`, true, m[1]);
      for (const m of matches(re.ttqSdkid, text)) add("tiktok", m, `events.js?sdkid=${m[1] ?? ""}`, false, m[1]);
      if (kind === "script-src") {
        if (re.cookiebot.test(text)) out.consent.push({ at: s.at, what: "Cookiebot (uc.js)", fires: false });
      }
    }
    if (kind === "script") {
      for (const m of matches(re.fbqInit, text)) add("meta_pixel", m, `fbq('init', '${m[1] ?? ""}')`, false, m[1]);
      for (const m of matches(re.fbqTrack, text)) add("meta_pixel", m, "fbq('track')", true);
      for (const m of matches(re.gtagConfig, text)) add("ga4", m, `gtag('config', '${m[1] ?? ""}')`, true, m[1]);
      // gtag('config'/'event') also fires Ads tags: it orders consent, it does not prove GA4.
      for (const m of matches(re.gtagFires, text)) add("firing", m, "gtag('config'/'event')", true);
      // The standard GTM snippet builds the URL from its last argument: ids are quoted strings nearby.
      const snippet = re.gtmSnippet.exec(text);
      if (snippet) {
        add("gtm", snippet, "GTM snippet", true);
        for (const m of matches(re.gtmId, text)) add("gtm", m, `GTM snippet ${m[1] ?? ""}`, true, m[1]);
      }
      for (const m of matches(re.ttqLoader, text)) add("tiktok", m, "TikTok events.js loader", false);
      for (const m of matches(re.ttqLoad, text)) add("tiktok", m, `ttq.load('${m[1] ?? ""}')`, false, m[1]);
      for (const m of matches(re.ttqFires, text)) add("tiktok", m, "ttq.page()", true);
      for (const m of matches(re.consentDefault, text)) out.consent.push({ at: s.at + m.index, what: "gtag('consent', 'default')", fires: false });
    }
    if (kind === "noscript-img") {
      for (const m of matches(re.metaImg, text)) add("meta_pixel", m, `noscript /tr?id=${m[1] ?? ""}`, false, m[1]);
    }
    if (kind === "iframe") {
      for (const m of matches(re.gtmNoscript, text)) add("gtm", m, `ns.html?id=${m[1] ?? ""}`, false, m[1]);
    }
  }
  return out;
}

function tagDetection(sightings: readonly Sighting[], expectedId: string | undefined, emptyWhat: string): TagDetection {
  const ids = unique(sightings.flatMap((s) => (s.id === undefined ? [] : [s.id])));
  const found = sightings.length > 0;
  const what = unique(sightings.map((s) => s.what)).slice(0, 4).join(", ");
  return {
    found,
    ids,
    hasConfiguredId: expectedId === undefined ? undefined : ids.includes(expectedId),
    evidence: found ? what : emptyWhat,
  };
}

/**
 * Looks for each tag in a fetched HTML document: script sources, inline scripts, `<noscript>`
 * pixels and iframes. Custom tags are matched against the whole document.
 */
export function detectTags(html: string, config: Pick<TrackingQaConfig, "ids" | "custom">): StaticDetection {
  const sightings = sightingsOf(sourcesOf(html));
  const tags: Record<string, TagDetection> = {
    meta_pixel: tagDetection(sightings.meta_pixel, config.ids.meta_pixel, "no fbq('init') or fbevents.js"),
    ga4: tagDetection(sightings.ga4, config.ids.ga4, "no gtag/js or gtag('config', 'G-…')"),
    gtm: tagDetection(sightings.gtm, config.ids.gtm, "no gtm.js snippet"),
    tiktok: tagDetection(sightings.tiktok, config.ids.tiktok, "no ttq.load() or TikTok events.js"),
    consent: consentDetection(sightings),
  };
  for (const [name, spec] of Object.entries(config.custom)) {
    const hit = customMatcher(spec).test(html);
    tags[name] = {
      found: hit !== undefined,
      ids: [],
      hasConfiguredId: undefined,
      evidence: hit !== undefined ? `matched "${shorten(hit, 60)}"` : `no match for ${spec}`,
    };
  }
  return { tags };
}

function consentDetection(s: Sightings): TagDetection {
  const firstDefault = s.consent[0];
  const firings = [...s.meta_pixel, ...s.ga4, ...s.gtm, ...s.tiktok, ...s.firing].filter((x) => x.fires).sort((a, b) => a.at - b.at);
  const firstFiring = firings[0];
  const none = { ids: [], hasConfiguredId: undefined };
  if (firstDefault === undefined) {
    return { ...none, found: false, evidence: "no consent default (gtag('consent', 'default', …))" };
  }
  if (firstFiring !== undefined && firstFiring.at < firstDefault.at) {
    return { ...none, found: false, evidence: `${firstDefault.what} comes after ${firstFiring.what} fires` };
  }
  const before = firstFiring === undefined ? "(no tag fires)" : `before ${firstFiring.what}`;
  return { ...none, found: true, evidence: `${firstDefault.what} ${before}` };
}
