// Release-triggered tracking QA (SPEC §8, §12): the config key, what counts as a tag on a
// page (static HTML) or on the wire (browser hits), the verdict per step × expectation, and
// the table / incident draft built from it. Pure: the stages in src/qa do the fetching.

import { DomUtils, parseDocument } from "htmlparser2";
import { z } from "zod";
import { CHANNELS, SEVERITIES, type Severity } from "./model/domain.js";
import { renderFormBody } from "./declaration/template.js";
import { qaIncidentMarker } from "./model/markers.js";
import type { FormAnswers } from "./declaration/template.js";

// ---------------------------------------------------------------------------------------
// Tags and expectations

export const BUILTIN_TAGS = ["meta_pixel", "ga4", "gtm", "tiktok", "consent"] as const;
export type BuiltinTag = (typeof BUILTIN_TAGS)[number];

/** Tags that show up as network requests in the browser stage. */
export const HIT_TAGS = ["meta_pixel", "ga4", "gtm", "tiktok"] as const;
export type HitTag = (typeof HIT_TAGS)[number];

/** Tags whose events are network hits, so `tag:event` can be checked. */
export const EVENT_TAGS = ["meta_pixel", "ga4", "tiktok"] as const;
export type EventTag = (typeof EVENT_TAGS)[number];

export const TAG_LABELS: Record<BuiltinTag, string> = {
  meta_pixel: "Meta Pixel",
  ga4: "GA4",
  gtm: "Google Tag Manager",
  tiktok: "TikTok Pixel",
  consent: "Consent-mode default",
};

export interface Expectation {
  /** As written in the config, e.g. `meta_pixel:InitiateCheckout`. */
  raw: string;
  tag: string;
  event?: string;
  custom: boolean;
}

function isBuiltinTag(name: string): name is BuiltinTag {
  return (BUILTIN_TAGS as readonly string[]).includes(name);
}
function isHitTag(name: string): name is HitTag {
  return (HIT_TAGS as readonly string[]).includes(name);
}
function isEventTag(name: string): name is EventTag {
  return (EVENT_TAGS as readonly string[]).includes(name);
}

export type ExpectationParse = { ok: true; expectation: Expectation } | { ok: false; message: string };

/** `tag` or `tag:event`; tag is built in or a name under `custom`. */
export function parseExpectation(raw: string, customNames: readonly string[]): ExpectationParse {
  const text = raw.trim();
  const colon = text.indexOf(":");
  const tag = (colon === -1 ? text : text.slice(0, colon)).trim();
  const event = colon === -1 ? undefined : text.slice(colon + 1).trim();
  const known = [...BUILTIN_TAGS, ...customNames].join(", ");
  if (tag === "") return { ok: false, message: `"${raw}" names no tag; use one of: ${known}` };
  const custom = !isBuiltinTag(tag);
  if (custom && !customNames.includes(tag)) {
    return { ok: false, message: `unknown tag "${tag}" in "${raw}"; use one of: ${known} (or add it under tracking_qa.custom)` };
  }
  if (event === undefined) return { ok: true, expectation: { raw: text, tag, custom } };
  if (event === "" || /\s/.test(event)) {
    return { ok: false, message: `"${raw}" needs an event name after the colon, e.g. ${tag}:Purchase` };
  }
  if (!isEventTag(tag)) {
    return {
      ok: false,
      message: `"${raw}": ${tag} has no network events of its own; events can be expected for ${EVENT_TAGS.join(", ")}`,
    };
  }
  return { ok: true, expectation: { raw: text, tag, event, custom } };
}

// ---------------------------------------------------------------------------------------
// Config: the `tracking_qa` key

/** Ids arrive from YAML as numbers when unquoted; big ones lose digits, so say so. */
function tagId(pattern: RegExp, shape: string) {
  return z
    .preprocess(
      (value, ctx) => {
        if (typeof value !== "number") return value;
        if (Number.isSafeInteger(value)) return String(value);
        ctx.addIssue({ code: "custom", message: "this id is too long for a YAML number: quote it" });
        return value;
      },
      z.string().trim().regex(pattern, { error: `expected ${shape}` }),
    )
    .transform((id) => id.toUpperCase());
}

const REGEX_LITERAL = /^\/(.+)\/([a-z]*)$/s;

/** A custom matcher: plain text (case-sensitive substring) or `/regex/flags`. */
export function customMatcher(spec: string): { test(text: string): string | undefined } {
  const literal = REGEX_LITERAL.exec(spec);
  if (literal) {
    // g and y make RegExp stateful between calls; a presence check needs neither.
    const flags = (literal[2] ?? "").replace(/[gy]/g, "");
    const re = new RegExp(literal[1] ?? "", flags);
    return { test: (text) => re.exec(text)?.[0] };
  }
  return { test: (text) => (text.includes(spec) ? spec : undefined) };
}

const customSpec = z
  .string()
  .min(1)
  .refine(
    (spec) => {
      try {
        customMatcher(spec);
        return true;
      } catch {
        return false;
      }
    },
    { error: "not a valid /regex/flags" },
  );

const stepSchema = z.object({
  path: z.string().trim().min(1, { error: "a step needs a path, e.g. /checkout" }),
  expect: z.array(z.string()).default([]),
});

export const trackingQaSchema = z
  .object({
    base_url: z
      .url({ protocol: /^https?$/, error: "base_url must be an http(s) URL" })
      .optional()
      .describe("Site the steps' paths are resolved against; tracking QA is off without it."),
    ids: z
      .object({
        meta_pixel: tagId(/^\d+$/, "a Meta Pixel id (digits)").optional(),
        ga4: tagId(/^G-[A-Z0-9]+$/i, "a GA4 measurement id like G-ABC123").optional(),
        gtm: tagId(/^GTM-[A-Z0-9]+$/i, "a GTM container id like GTM-XYZ9").optional(),
        tiktok: tagId(/^[A-Z0-9]+$/i, "a TikTok pixel code like C4TIKTOK").optional(),
      })
      .default({})
      .describe("The ids each tag must carry: meta_pixel, ga4 (G-…), gtm (GTM-…), tiktok."),
    custom: z
      .record(
        z.string().regex(/^[a-z][a-z0-9_-]*$/i, { error: "custom tag names are letters, digits, _ and -" }),
        customSpec,
      )
      .default({})
      .describe("Extra tags by name: text to find in the page, or /regex/flags."),
    steps: z
      .array(stepSchema)
      .default([])
      .describe("Pages to check: path and expect (tag, or tag:event for the browser stage)."),
    browser: z.boolean().default(false).describe("Also load each step in headless Chromium and record the tags' network hits."),
    timeout_ms: z.number().int().min(500).max(120_000).default(10_000).describe("Per page and stage."),
    concurrency: z.number().int().min(1).max(8).default(4).describe("Pages fetched at once (the browser stage caps at 4)."),
    severity: z
      .literal(SEVERITIES, { error: "severity must be 1, 2 or 3" })
      .default(2)
      .describe("Severity of the incident a failed run opens."),
    // A deployment can report success before the CDN serves the new pages.
    delay_seconds: z
      .number()
      .int()
      .min(0)
      // The run waits inside the workflow job (10-minute timeout in the shipped workflow).
      .max(480)
      .default(0)
      .describe("Wait after a successful deployment_status before checking (at most 8 minutes)."),
  })
  .superRefine((qa, ctx) => {
    const customNames = Object.keys(qa.custom);
    for (const name of customNames) {
      if (isBuiltinTag(name)) {
        ctx.addIssue({ code: "custom", path: ["custom", name], message: `"${name}" is a built-in tag; pick another name` });
      }
    }
    qa.steps.forEach((step, i) => {
      step.expect.forEach((raw, j) => {
        const parsed = parseExpectation(raw, customNames);
        if (!parsed.ok) ctx.addIssue({ code: "custom", path: ["steps", i, "expect", j], message: parsed.message });
      });
      if (qa.base_url !== undefined && !URL.canParse(step.path, qa.base_url)) {
        ctx.addIssue({ code: "custom", path: ["steps", i, "path"], message: `cannot resolve "${step.path}" against base_url` });
      }
    });
  });

export type TrackingQaConfig = z.output<typeof trackingQaSchema>;
export type TrackingQaStep = TrackingQaConfig["steps"][number];

/** The step's expectations, skipping ones the schema would have refused. */
export function stepExpectations(step: TrackingQaStep, config: TrackingQaConfig): Expectation[] {
  const customNames = Object.keys(config.custom);
  const out: Expectation[] = [];
  for (const raw of step.expect) {
    const parsed = parseExpectation(raw, customNames);
    if (parsed.ok) out.push(parsed.expectation);
  }
  return out;
}

export function configuredId(tag: string, config: TrackingQaConfig): string | undefined {
  return isHitTag(tag) ? config.ids[tag] : undefined;
}

// ---------------------------------------------------------------------------------------
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

function unique(values: Iterable<string>): string[] {
  return [...new Set(values)];
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

// ---------------------------------------------------------------------------------------
// Browser hits

export interface TagHit {
  tag: HitTag;
  /** Beacons carry data to the platform; loaders fetch the tag's code. */
  kind: "beacon" | "loader";
  id?: string;
  event?: string;
  /** GA4 consent state sent with the hit (`gcs` / `gcd`), when present. */
  consent?: string;
  url: string;
}

function hostIs(host: string, domain: string): boolean {
  return host === domain || host.endsWith(`.${domain}`);
}

function formFields(body: string): URLSearchParams {
  // fbevents.js posts either urlencoded or multipart form data.
  if (/^--/.test(body) || /Content-Disposition:\s*form-data/i.test(body)) {
    const fields = new URLSearchParams();
    for (const m of body.matchAll(/name="([^"]+)"\r?\n(?:[^\r\n]+\r?\n)*\r?\n([^\r\n]*)/gi)) {
      fields.append(m[1] ?? "", m[2] ?? "");
    }
    return fields;
  }
  return new URLSearchParams(body.trim());
}

function withId<T extends object>(hit: T, id: string | null | undefined): T & { id?: string } {
  return id ? { ...hit, id: id.toUpperCase() } : hit;
}
function withEvent<T extends object>(hit: T, event: string | null | undefined): T & { event?: string } {
  return event ? { ...hit, event } : hit;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

function tiktokEvents(body: string | undefined, query: URLSearchParams, url: string): TagHit[] {
  let parsed: unknown;
  try {
    parsed = body ? JSON.parse(body) : undefined;
  } catch {
    parsed = undefined;
  }
  const list: unknown[] = Array.isArray(parsed)
    ? parsed
    : isRecord(parsed) && Array.isArray(parsed["batch"])
      ? parsed["batch"]
      : parsed === undefined
        ? []
        : [parsed];
  const hits: TagHit[] = [];
  for (const item of list) {
    if (!isRecord(item)) continue;
    const context = isRecord(item["context"]) ? item["context"] : {};
    const pixel = isRecord(context["pixel"]) ? context["pixel"] : {};
    const id = str(item["pixel_code"]) ?? str(pixel["code"]) ?? str(item["sdkid"]) ?? query.get("sdkid");
    hits.push(withEvent(withId({ tag: "tiktok" as const, kind: "beacon" as const, url }, id), str(item["event"])));
  }
  if (hits.length === 0) {
    hits.push(withEvent(withId({ tag: "tiktok" as const, kind: "beacon" as const, url }, query.get("pixel_code") ?? query.get("sdkid")), query.get("event")));
  }
  return hits;
}

function ga4Events(u: URL, body: string | undefined, url: string): TagHit[] {
  // A batched POST carries one event per line; each line's params override the URL's.
  const lines = (body ?? "").split(/\r?\n/).filter((line) => line.trim() !== "");
  const events = lines.length > 0 ? lines.map((line) => new URLSearchParams(line)) : [new URLSearchParams()];
  return events.map((line) => {
    const get = (k: string) => line.get(k) ?? u.searchParams.get(k);
    const gcs = get("gcs");
    const gcd = get("gcd");
    const consent = gcs ? `gcs=${gcs}` : gcd ? `gcd=${gcd}` : undefined;
    const hit = withEvent(withId({ tag: "ga4" as const, kind: "beacon" as const, url }, get("tid")), get("en"));
    return consent ? { ...hit, consent } : hit;
  });
}

function isGa4Collect(u: URL): boolean {
  if (!u.pathname.endsWith("/g/collect")) return false;
  // Server-side containers serve /g/collect from first-party hosts: trust the GA4 params there.
  return (
    hostIs(u.hostname, "google-analytics.com") ||
    hostIs(u.hostname, "analytics.google.com") ||
    (u.searchParams.get("v") === "2" && /^G-/i.test(u.searchParams.get("tid") ?? ""))
  );
}

/**
 * What a request means for the tags under test. A POST body may hold several events
 * (GA4 batches, TikTok batches), so a request yields zero or more hits.
 */
export function classifyHit(url: string, postBody?: string): TagHit[] {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return [];
  }
  const host = u.hostname.toLowerCase();
  const path = u.pathname;

  if (hostIs(host, "facebook.com") && (path === "/tr" || path === "/tr/")) {
    const fields = postBody ? formFields(postBody) : new URLSearchParams();
    const get = (k: string) => fields.get(k) ?? u.searchParams.get(k);
    return [withEvent(withId({ tag: "meta_pixel" as const, kind: "beacon" as const, url }, get("id")), get("ev"))];
  }
  if (hostIs(host, "connect.facebook.net")) {
    const config = /^\/signals\/config\/(\d+)/.exec(path);
    if (config) return [withId({ tag: "meta_pixel" as const, kind: "loader" as const, url }, config[1])];
    if (path.endsWith("/fbevents.js")) return [{ tag: "meta_pixel", kind: "loader", url }];
    return [];
  }
  if (isGa4Collect(u)) return ga4Events(u, postBody, url);
  if (path.endsWith("/gtm.js") && u.searchParams.has("id")) {
    return [withId({ tag: "gtm" as const, kind: "loader" as const, url }, u.searchParams.get("id"))];
  }
  if (path.endsWith("/gtag/js") && u.searchParams.has("id")) {
    const id = u.searchParams.get("id") ?? "";
    return [withId({ tag: "ga4" as const, kind: "loader" as const, url }, /^G-/i.test(id) ? id : undefined)];
  }
  if (hostIs(host, "tiktok.com") && path.startsWith("/api/v2/pixel")) {
    return tiktokEvents(postBody, u.searchParams, url);
  }
  if (path.endsWith("/i18n/pixel/events.js")) {
    return [withId({ tag: "tiktok" as const, kind: "loader" as const, url }, u.searchParams.get("sdkid"))];
  }
  return [];
}

/**
 * Requests that carry measurement data to an ad or analytics platform. The browser stage
 * answers these locally so that test traffic never reaches the platforms; everything else
 * (tag loaders like gtm.js, gtag/js, fbevents.js, events.js) loads normally.
 */
export function isBeacon(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  const host = u.hostname.toLowerCase();
  const path = u.pathname;
  if (hostIs(host, "facebook.com")) {
    return path === "/tr" || path === "/tr/" || path.startsWith("/privacy_sandbox/");
  }
  if (hostIs(host, "google-analytics.com") || hostIs(host, "analytics.google.com")) return path.endsWith("/collect");
  if (isGa4Collect(u)) return true;
  if (hostIs(host, "doubleclick.net")) return path.startsWith("/pagead/") || path.startsWith("/activity") || path.endsWith("/collect");
  if (host === "www.google.com" || hostIs(host, "google.com")) {
    return path.startsWith("/pagead/") || path.startsWith("/ccm/") || path.startsWith("/rmkt/") || path.startsWith("/ads/");
  }
  if (hostIs(host, "tiktok.com")) return path.startsWith("/api/");
  return false;
}

// ---------------------------------------------------------------------------------------
// Observations and evaluation

export interface StaticObservation {
  stage: "static";
  /** The URL fetched (after redirects when known). */
  url: string;
  httpStatus?: number;
  /** Why the page could not be checked (network error, timeout, HTTP status). */
  error?: string;
  detection?: StaticDetection;
}

export interface BrowserObservation {
  stage: "browser";
  url: string;
  httpStatus?: number;
  error?: string;
  /** Every tag request the page made, beacons and loaders. */
  hits: TagHit[];
  /** URLs requested, for custom tags that are injected at run time. */
  requestUrls: string[];
  /** Beacon requests answered locally instead of reaching the platform. */
  beaconsAnswered: string[];
  /** Requests that failed (a tag loader that could not load explains a missing hit). */
  failedRequests: { url: string; error: string }[];
  /** The DOM when the page stopped, for consent and custom checks. */
  renderedHtml?: string;
  /** How many times the page was loaded (a failed page is retried once). */
  attempts: number;
}

export type PageObservation = StaticObservation | BrowserObservation;

export const EXPECTATION_STATUSES = ["ok", "missing", "wrong-id", "needs-browser", "error"] as const;
export type ExpectationStatus = (typeof EXPECTATION_STATUSES)[number];

export interface ExpectationResult {
  expectation: string;
  status: ExpectationStatus;
  /** What was seen, in words, e.g. "wrong id: saw 999, expected 123". */
  seen: string;
  stage: "static" | "browser";
}

export type StepStatus = "ok" | "failed" | "error";

export interface StepResult {
  path: string;
  url: string;
  status: StepStatus;
  httpStatus?: number;
  error?: string;
  expectations: ExpectationResult[];
}

/** 2xx and 3xx answer a step; anything else is a page error. */
export function pageError(httpStatus: number | undefined): string | undefined {
  if (httpStatus === undefined || (httpStatus >= 200 && httpStatus < 400)) return undefined;
  return `HTTP ${httpStatus}`;
}

function idWords(ids: readonly string[]): string {
  return ids.length === 1 ? `id ${ids[0] ?? ""}` : `ids ${ids.join(", ")}`;
}

function staticRow(e: Expectation, obs: StaticObservation, config: TrackingQaConfig): ExpectationResult {
  const row = (status: ExpectationStatus, seen: string): ExpectationResult => ({ expectation: e.raw, status, seen, stage: "static" });
  const failure = obs.error ?? pageError(obs.httpStatus);
  if (failure !== undefined || obs.detection === undefined) return row("error", failure ?? "page not checked");
  const d = obs.detection.tags[e.tag];
  if (e.event !== undefined) {
    const present = d?.found ? `tag present (${d.ids.length > 0 ? idWords(d.ids) : d.evidence}); ` : "";
    return row("needs-browser", `${present}events are only visible in the browser stage (tracking_qa.browser: true)`);
  }
  if (d === undefined || !d.found) return row("missing", d?.evidence ?? "not found");
  const expected = configuredId(e.tag, config);
  if (expected === undefined || d.hasConfiguredId === true) {
    return row("ok", d.ids.length > 0 ? `${idWords(d.ids)} (${d.evidence})` : d.evidence);
  }
  if (d.ids.length === 0) return row("missing", `${d.evidence}, but no id (expected ${expected})`);
  return row("wrong-id", `wrong id: saw ${d.ids.join(", ")}, expected ${expected}`);
}

function hitWords(hits: readonly TagHit[]): string {
  const events = unique(hits.flatMap((h) => (h.event ? [h.event] : [])));
  const ids = unique(hits.flatMap((h) => (h.id ? [h.id] : [])));
  const parts = [ids.length > 0 ? idWords(ids) : "", events.length > 0 ? `events ${events.slice(0, 6).join(", ")}` : ""];
  return parts.filter((p) => p !== "").join("; ");
}

const HIT_NAMES: Record<HitTag, string> = {
  meta_pixel: "/tr hit",
  ga4: "/g/collect hit",
  gtm: "gtm.js request",
  tiktok: "TikTok pixel call",
};

/** The browser's verdict, or undefined when the browser saw nothing that decides it. */
function browserRow(e: Expectation, obs: BrowserObservation, config: TrackingQaConfig): ExpectationResult | undefined {
  const row = (status: ExpectationStatus, seen: string): ExpectationResult => ({ expectation: e.raw, status, seen, stage: "browser" });
  const failure = obs.error ?? pageError(obs.httpStatus);
  if (failure !== undefined) return row("error", obs.attempts > 1 ? `${failure} (after ${obs.attempts} attempts)` : failure);
  const rendered = obs.renderedHtml === undefined ? undefined : detectTags(obs.renderedHtml, config);

  if (e.tag === "consent") {
    const ga4 = obs.hits.filter((h) => h.tag === "ga4" && h.kind === "beacon");
    if (ga4.length > 0) {
      const without = ga4.filter((h) => h.consent === undefined);
      if (without.length === 0) return row("ok", `GA4 hits carry consent state (${unique(ga4.map((h) => h.consent ?? "")).join(", ")})`);
      return row("missing", `GA4 hit without consent state (no gcs/gcd): ${hitWords(without) || without[0]?.url || ""}`);
    }
    const d = rendered?.tags["consent"];
    return d === undefined ? undefined : row(d.found ? "ok" : "missing", `${d.evidence} (rendered page)`);
  }

  if (e.custom) {
    const spec = config.custom[e.tag];
    if (spec === undefined) return undefined;
    const matcher = customMatcher(spec);
    const inRequest = obs.requestUrls.map((u) => matcher.test(u)).find((m) => m !== undefined);
    const inDom = obs.renderedHtml === undefined ? undefined : matcher.test(obs.renderedHtml);
    const hit = inRequest ?? inDom;
    if (hit !== undefined) return row("ok", `matched "${shorten(hit, 60)}"${inRequest !== undefined ? " in a request" : " in the rendered page"}`);
    return obs.renderedHtml === undefined ? undefined : row("missing", `no match for ${spec} in requests or the rendered page`);
  }

  if (!isHitTag(e.tag)) return undefined;
  const tag = e.tag;
  const expected = configuredId(tag, config);
  const kind = tag === "gtm" ? "loader" : "beacon";
  const all = obs.hits.filter((h) => h.tag === tag && h.kind === kind);
  const relevant = e.event === undefined ? all : all.filter((h) => h.event === e.event);
  const matching = expected === undefined ? relevant : relevant.filter((h) => h.id === expected);
  if (matching.length > 0) return row("ok", hitWords(matching) || HIT_NAMES[tag]);
  if (relevant.length > 0) {
    const ids = unique(relevant.flatMap((h) => (h.id ? [h.id] : [])));
    return row("wrong-id", `wrong id: saw ${ids.join(", ") || "no id"}, expected ${expected ?? ""}`);
  }
  // Nothing decisive: say what would explain it.
  const what = e.event === undefined ? `no ${HIT_NAMES[tag]}` : `no ${e.event} ${HIT_NAMES[tag]}`;
  const clues: string[] = [];
  if (e.event !== undefined && all.length > 0) clues.push(`saw ${hitWords(all)}`);
  const loaders = obs.hits.filter((h) => h.tag === tag && h.kind === "loader");
  const failedLoader = obs.failedRequests.find((f) => classifyHit(f.url).some((h) => h.tag === tag));
  if (failedLoader) clues.push(`loader failed: ${shorten(failedLoader.url, 80)} (${failedLoader.error})`);
  else if (loaders.length > 0 && kind === "beacon") clues.push(`loader requested (${shorten(loaders[0]?.url ?? "", 80)})`);
  const d = rendered?.tags[tag];
  if (d?.found && clues.length === 0) clues.push(`snippet in page: ${d.evidence}`);
  return row("missing", clues.length > 0 ? `${what}; ${clues.join("; ")}` : what);
}

/**
 * Whether the browser has seen every hit the step waits for, so the page can stop early.
 * Only network hits count here; consent and custom tags are judged from the rendered page.
 */
export function hitsSatisfy(step: TrackingQaStep, hits: readonly TagHit[], config: TrackingQaConfig): boolean {
  const obs: BrowserObservation = { stage: "browser", url: "", hits: [...hits], requestUrls: [], beaconsAnswered: [], failedRequests: [], attempts: 1 };
  return stepExpectations(step, config)
    .filter((e) => isHitTag(e.tag))
    .every((e) => browserRow(e, obs, config)?.status === "ok");
}

/** True when a step has expectations judged from the rendered page, so the browser waits for it to load. */
export function needsRenderedPage(step: TrackingQaStep, config: TrackingQaConfig): boolean {
  const exps = stepExpectations(step, config);
  return exps.length === 0 || exps.some((e) => !isHitTag(e.tag));
}

export interface StepObservations {
  static?: StaticObservation;
  browser?: BrowserObservation;
}

const RUNTIME_NOTE = "injected at run time (not in the served HTML)";

/**
 * One row per expectation. The browser's verdict overrides the static one for the same
 * expectation; static "missing" turned "ok" in the browser is noted as injected at run time.
 */
export function evaluateStep(step: TrackingQaStep, observations: StepObservations, config: TrackingQaConfig): StepResult {
  const page = observations.browser ?? observations.static;
  const url = page?.url ?? step.path;
  const error = page === undefined ? "page not checked" : (page.error ?? pageError(page.httpStatus));
  const rows = stepExpectations(step, config).map((e): ExpectationResult => {
    const s = observations.static === undefined ? undefined : staticRow(e, observations.static, config);
    const b = observations.browser === undefined ? undefined : browserRow(e, observations.browser, config);
    if (b === undefined) return s ?? { expectation: e.raw, status: "error", seen: error ?? "page not checked", stage: "static" };
    if (s !== undefined && b.status === "ok" && (s.status === "missing" || s.status === "wrong-id")) {
      return { ...b, seen: `${b.seen} — ${RUNTIME_NOTE}` };
    }
    return b;
  });
  const failed = rows.some((r) => r.status !== "ok" && r.status !== "needs-browser");
  const result: StepResult = {
    path: step.path,
    url,
    status: error !== undefined ? "error" : failed ? "failed" : "ok",
    expectations: rows,
  };
  if (page?.httpStatus !== undefined) result.httpStatus = page.httpStatus;
  if (error !== undefined) result.error = error;
  return result;
}

// ---------------------------------------------------------------------------------------
// Reporting

/** Text from pages and configs must not mention anyone or break out of a table cell. */
function cell(text: string): string {
  return text
    .replace(/[\r\n]+/g, " ")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\|/g, "\\|")
    .replace(/@/g, "@\u200b")
    .replace(/`/g, "'");
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const ICONS: Record<ExpectationStatus, string> = {
  ok: "✅",
  missing: "❌",
  "wrong-id": "❌",
  error: "❌",
  "needs-browser": "⚠️",
};

/** GitHub Markdown: one row per step × expectation, with what was seen. */
export function renderQaTable(results: readonly StepResult[]): string {
  const lines = ["| Step | Expectation | Result | Seen |", "| --- | --- | --- | --- |"];
  for (const r of results) {
    const step = `\`${cell(r.path)}\`${r.httpStatus !== undefined ? ` (HTTP ${r.httpStatus})` : ""}`;
    if (r.expectations.length === 0) {
      const ok = r.error === undefined;
      lines.push(`| ${step} | page answers | ${ok ? "✅ ok" : "❌ error"} | ${cell(r.error ?? "2xx/3xx")} |`);
      continue;
    }
    for (const e of r.expectations) {
      lines.push(`| ${step} | \`${cell(e.expectation)}\` | ${ICONS[e.status]} ${e.status} | ${cell(shorten(e.seen, 300))} |`);
    }
  }
  return lines.join("\n");
}

export interface QaFailure {
  path: string;
  url: string;
  /** The expectation, or "page" when the page itself failed and had no expectations. */
  expectation: string;
  status: Exclude<ExpectationStatus, "ok" | "needs-browser">;
  seen: string;
}

export interface QaSummary {
  passed: boolean;
  failures: QaFailure[];
  /** Checks that only the browser stage can answer; reported, not failed. */
  needsBrowser: number;
  checks: number;
}

export function qaSummary(results: readonly StepResult[]): QaSummary {
  const failures: QaFailure[] = [];
  let needsBrowser = 0;
  let checks = 0;
  for (const r of results) {
    if (r.expectations.length === 0 && r.error !== undefined) {
      failures.push({ path: r.path, url: r.url, expectation: "page", status: "error", seen: r.error });
    }
    for (const e of r.expectations) {
      checks += 1;
      if (e.status === "needs-browser") needsBrowser += 1;
      else if (e.status !== "ok") failures.push({ path: r.path, url: r.url, expectation: e.expectation, status: e.status, seen: e.seen });
    }
  }
  return { passed: failures.length === 0, failures, needsBrowser, checks };
}

const CHANNEL_OF: Record<BuiltinTag, (typeof CHANNELS)[number]> = {
  meta_pixel: "Meta",
  ga4: "Google",
  gtm: "Google",
  consent: "Google",
  tiktok: "TikTok",
};

function channelsOf(failures: readonly QaFailure[]): string[] {
  const hit = new Set<string>();
  for (const f of failures) {
    const tag = f.expectation.split(":")[0] ?? "";
    hit.add(f.expectation === "page" ? "Whole site" : isBuiltinTag(tag) ? CHANNEL_OF[tag] : "Other");
  }
  return CHANNELS.filter((c) => hit.has(c));
}

function tagWords(expectation: string): string {
  const [tag = "", event] = expectation.split(":");
  const name = isBuiltinTag(tag) ? TAG_LABELS[tag] : tag;
  return event === undefined ? name : `${name} ${event}`;
}

export interface QaRelease {
  tag: string;
  name?: string;
  url: string;
  /** When the release (or deployment) was published, from the event. */
  publishedAt?: string;
}

export interface QaIncidentDraft {
  title: string;
  body: string;
  marker: string;
}

const MAX_LISTED = 40;

/**
 * A measurement incident for a failed QA run, as the issue form (`formTemplate`, the shipped
 * one) would render it, so the incident parser reads it like any declaration.
 */
export function qaIncidentDraft(
  results: readonly StepResult[],
  release: QaRelease,
  severity: Severity,
  formTemplate: string,
  opts: { checkedAt?: string } = {},
): QaIncidentDraft {
  const { failures } = qaSummary(results);
  const marker = qaIncidentMarker(release.tag);
  const releaseName = release.name && release.name !== release.tag ? `${release.tag} (${release.name})` : release.tag;
  const pages = unique(failures.map((f) => f.path));
  const first = failures[0];
  const headline =
    failures.length === 1 && first
      ? `${tagWords(first.expectation)} ${first.status === "wrong-id" ? "has the wrong id" : first.status === "error" ? "could not be checked" : "missing"} on ${first.path}`
      : `${failures.length} tracking checks failed on ${pages.length} page${pages.length === 1 ? "" : "s"}`;
  const title = shorten(`Tracking QA: ${headline} after release ${release.tag}`.replace(/[\r\n]+/g, " "), 240);

  const listed = failures.slice(0, MAX_LISTED).map((f) => {
    const what = f.expectation === "page" ? "page" : `\`${cell(f.expectation)}\``;
    return `- \`${cell(f.path)}\` — ${what} ${f.status}: ${cell(shorten(f.seen, 200))}`;
  });
  if (failures.length > MAX_LISTED) listed.push(`- … and ${failures.length - MAX_LISTED} more`);
  const symptom = [
    `Tracking QA after release ${cell(releaseName)} found ${failures.length === 1 ? "a problem" : `${failures.length} problems`}: measurement may be under-counting from this release on.`,
    "",
    ...listed,
  ].join("\n");

  const channels = channelsOf(failures);
  const severe = severity <= 2;
  const ticks = [
    true, // every hour of broken tracking is data that cannot be backfilled
    severe || channels.some((c) => c !== "Other"), // ad platforms optimise on these signals
    severity === 1 || channels.length > 1,
  ];
  const threshold = [
    ticks[0] ? "Waiting costs materially more" : undefined,
    ticks[1] ? "It changes near-term decisions" : undefined,
    ticks[2] ? "It needs a coordinated response" : undefined,
  ].filter((t): t is string => t !== undefined);

  const published = release.publishedAt ? ` (published ${cell(release.publishedAt)})` : "";
  const answers: FormAnswers = {
    symptom,
    started: release.publishedAt ?? `At or after release ${cell(release.tag)}`,
    ...(opts.checkedAt ? { detected: opts.checkedAt } : {}),
    scope: channels,
    ...(pages.length > 0 ? { "scope-detail": `Pages: ${pages.slice(0, MAX_LISTED).map((p) => `\`${cell(p)}\``).join(", ")}` } : {}),
    // Caught before the numbers move: reporting is what is at risk.
    outcomes: "Not sure",
    "what-changed": `Release [${cell(releaseName)}](${release.url.replace(/[\s()<>]/g, encodeURIComponent)})${published}.`,
    layer: "Measurement",
    severity: `SEV${severity}`,
    threshold,
  };
  return { title, body: `${marker}\n\n${renderFormBody(answers, formTemplate)}\n`, marker };
}
