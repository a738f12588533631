// The verdict per step × expectation (SPEC §8): what the static and browser stages saw,
// held against what the config expects.
import {
  configuredId,
  customMatcher,
  EVENT_TAGS,
  isHitTag,
  stepExpectations,
  type EventTag,
  type Expectation,
  type HitTag,
  type TrackingQaConfig,
  type TrackingQaStep,
} from "./config.js";
import { shorten, unique } from "./evidence.js";
import { classifyHit, type TagHit } from "./hits.js";
import { CONSENT_V2_KEYS, detectTags, type StaticDetection } from "./tags.js";

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

/** A `gtag('consent', …)` command as it reached the page's dataLayer (browser stage). */
export interface ConsentCommand {
  command: "default" | "update";
  /** Wall-clock ms, comparable with the hits' `at`. */
  at: number;
  /** The settings it sets, e.g. `{ ad_storage: "denied" }` (string values only). */
  settings: Record<string, string>;
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
  /** Consent commands the page pushed, in order; undefined when they could not be read. */
  consent?: ConsentCommand[];
}

export type PageObservation = StaticObservation | BrowserObservation;

export const EXPECTATION_STATUSES = ["ok", "missing", "wrong-id", "duplicate", "needs-browser", "error"] as const;
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

/** What a page says is quoted capped (SPEC §13): at most 6 values of at most 40 characters each. */
function quoted(values: readonly string[]): string {
  const shown = values.slice(0, 6).map((v) => (v.length <= 40 ? v : `${v.slice(0, 39)}…`));
  return shown.join(", ");
}

function idWords(ids: readonly string[]): string {
  return ids.length === 1 ? `id ${quoted(ids)}` : `ids ${quoted(ids)}`;
}

function staticRow(e: Expectation, obs: StaticObservation, config: TrackingQaConfig): ExpectationResult {
  const row = (status: ExpectationStatus, seen: string): ExpectationResult => ({ expectation: e.raw, status, seen, stage: "static" });
  const failure = obs.error ?? pageError(obs.httpStatus);
  if (failure !== undefined || obs.detection === undefined) return row("error", failure ?? "page not checked");
  if (e.tag === "consent_denied") return row("needs-browser", "what is sent before consent is only visible in the browser stage (tracking_qa.browser: true)");
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
  if (d.idHidden === true) return row("needs-browser", `${d.evidence}; which container it loads shows in the browser stage (tracking_qa.browser: true)`);
  if (d.ids.length === 0) return row("missing", `${d.evidence}, but no id (expected ${expected})`);
  return row("wrong-id", `wrong id: saw ${quoted(d.ids)}, expected ${expected}`);
}

function hitWords(hits: readonly TagHit[]): string {
  const events = unique(hits.flatMap((h) => (h.event ? [h.event] : [])));
  const ids = unique(hits.flatMap((h) => (h.id ? [h.id] : [])));
  const parts = [ids.length > 0 ? idWords(ids) : "", events.length > 0 ? `events ${quoted(events)}` : ""];
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
    const verdict = consentVerdict(obs);
    return verdict === undefined ? undefined : row(verdict.ok ? "ok" : "missing", verdict.seen);
  }
  if (e.tag === "consent_denied") {
    const granted = beaconsWithStorage(obs.hits);
    if (granted.length === 0) return row("ok", "no marketing beacon with storage granted before consent");
    return row("missing", `sent before consent with storage granted: ${granted.slice(0, 4).join("; ")}`);
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
  if (matching.length > 0) {
    // Deduplication with the Conversions API needs the same event id on both sides.
    const noEventId = tag === "meta_pixel" && config.meta_event_id ? matching.filter((h) => h.eventId === undefined && !isNoscriptPixel(h)) : [];
    if (noEventId.length > 0) {
      return row("missing", `Meta events without an event id (eid): ${quoted(unique(noEventId.map((h) => h.event ?? "?")))} (tracking_qa.meta_event_id)`);
    }
    return row("ok", hitWords(matching) || HIT_NAMES[tag]);
  }
  if (relevant.length > 0) {
    const ids = unique(relevant.flatMap((h) => (h.id ? [h.id] : [])));
    return row("wrong-id", `wrong id: saw ${ids.length > 0 ? quoted(ids) : "no id"}, expected ${expected ?? ""}`);
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

function isNoscriptPixel(hit: TagHit): boolean {
  return /[?&]noscript=1(?:&|$)/.test(hit.url);
}

const MARKETING_BEACON_TAGS: readonly HitTag[] = EVENT_TAGS;

function firstBeacon(hits: readonly TagHit[]): TagHit | undefined {
  let first: TagHit | undefined;
  for (const h of hits) {
    if (h.kind !== "beacon" || !MARKETING_BEACON_TAGS.includes(h.tag) || h.at === undefined) continue;
    if (first?.at === undefined || h.at < first.at) first = h;
  }
  return first;
}

function beaconWords(hit: TagHit): string {
  return `${HIT_NAMES[hit.tag]}${hit.event ? ` ${hit.event}` : ""}${hit.id ? ` (${hit.id})` : ""}`;
}

/**
 * Consent order in the browser (SPEC §17): the first consent default the page pushed against
 * the first tag *hit* — not the DOM order, where GTM inserts its loader above every script.
 * Without a default in the dataLayer, GA4 hits that carry a consent state (a consent manager's
 * GTM template) still show that consent mode is on.
 */
function consentVerdict(obs: BrowserObservation): { ok: boolean; seen: string } | undefined {
  const first = firstBeacon(obs.hits);
  const firstDefault = obs.consent?.find((c) => c.command === "default");
  if (firstDefault !== undefined) {
    if (first?.at !== undefined && first.at < firstDefault.at) {
      return { ok: false, seen: `${beaconWords(first)} was sent ${Math.round(firstDefault.at - first.at)} ms before gtag('consent', 'default')` };
    }
    // gtag.js works through the dataLayer in order: a config before the default sends without consent.
    const unconsented = obs.hits.find((h) => h.tag === "ga4" && h.kind === "beacon" && h.view === first?.view && h.consent === undefined);
    if (unconsented !== undefined) return { ok: false, seen: `${beaconWords(unconsented)} was sent without consent state (no gcs/gcd): its config ran before the default` };
    const lacking = CONSENT_V2_KEYS.filter((key) => firstDefault.settings[key] === undefined);
    if (lacking.length > 0) return { ok: false, seen: `the consent default does not set ${lacking.join(", ")} (Consent Mode v2 needs all four)` };
    const before = first === undefined ? "no tag hit followed" : `before the first tag hit (${beaconWords(first)})`;
    return { ok: true, seen: `consent default (${CONSENT_V2_KEYS.map((k) => `${k}=${firstDefault.settings[k] ?? ""}`).join(", ")}) ${before}` };
  }
  const ga4 = obs.hits.filter((h) => h.tag === "ga4" && h.kind === "beacon");
  if (ga4.length > 0) {
    const without = ga4.filter((h) => h.consent === undefined);
    if (without.length === 0) return { ok: true, seen: `GA4 hits carry consent state (${unique(ga4.map((h) => h.consent ?? "")).join(", ")})` };
    return { ok: false, seen: `GA4 hit without consent state (no gcs/gcd): ${hitWords(without) || without[0]?.url || ""}` };
  }
  if (obs.consent === undefined) return undefined;
  return { ok: false, seen: "no consent default reached the dataLayer (gtag('consent', 'default', …))" };
}

/** gcd letters for a granted state: granted by default (t), by update (n), or both (r, v). */
const GCD_GRANTED = new Set(["n", "r", "t", "v"]);

/** Whether a GA4 hit's consent state grants ad or analytics storage. */
function ga4StorageGranted(consent: string | undefined): boolean {
  if (consent === undefined) return false;
  // gcs=G1<ad_storage><analytics_storage>, 1 = granted.
  const gcs = /^gcs=G1([01])([01])/.exec(consent);
  if (gcs) return gcs[1] === "1" || gcs[2] === "1";
  // gcd=1<n><ad_storage><n><analytics_storage>…: the letters after the first two characters.
  const gcd = /^gcd=\d\d(\w)\d(\w)/.exec(consent);
  return gcd !== null && (GCD_GRANTED.has(gcd[1] ?? "") || GCD_GRANTED.has(gcd[2] ?? ""));
}

/**
 * Marketing beacons sent with storage granted. Firebreak never consents, so every beacon of a
 * run is "before consent": GA4 may send cookieless pings (storage denied); Meta and TikTok
 * have no consent state on the wire, so any of their beacons sets and reads their cookies.
 */
function beaconsWithStorage(hits: readonly TagHit[]): string[] {
  const out: string[] = [];
  for (const h of hits) {
    if (h.kind !== "beacon") continue;
    if (h.tag === "ga4" && !ga4StorageGranted(h.consent)) continue;
    if (h.tag === "gtm") continue;
    out.push(h.tag === "ga4" ? `${beaconWords(h)} with ${h.consent ?? "no consent state"}` : beaconWords(h));
  }
  return unique(out);
}

/**
 * Duplicates per page view (SPEC §17): the same event of one id sent twice, or two ids of one
 * vendor. GA4's `user_engagement` is a heartbeat, sent again on purpose.
 */
export function duplicatesOf(hits: readonly TagHit[]): Map<EventTag, string[]> {
  const found = new Map<EventTag, string[]>();
  const note = (tag: EventTag, text: string) => found.set(tag, unique([...(found.get(tag) ?? []), text]));
  const views = new Map<number, TagHit[]>();
  for (const h of hits) {
    if (h.kind !== "beacon" || isNoscriptPixel(h)) continue;
    views.set(h.view ?? 0, [...(views.get(h.view ?? 0) ?? []), h]);
  }
  for (const [view, viewHits] of views) {
    const where = views.size > 1 ? ` on page view ${view + 1}` : "";
    for (const tag of EVENT_TAGS) {
      const mine = viewHits.filter((h) => h.tag === tag);
      const ids = unique(mine.flatMap((h) => (h.id ? [h.id] : [])));
      if (ids.length > 1) note(tag, `two ids ${quoted(ids)}${where}`);
      const counts = new Map<string, number>();
      for (const h of mine) {
        if (h.event === undefined || h.event === "user_engagement") continue;
        const key = `${h.event} (${h.id ?? "no id"})`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      for (const [key, n] of counts) if (n > 1) note(tag, `${key} sent ${n} times${where}`);
    }
  }
  return found;
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

/** Duplicates fail the tag's first row, or a row of their own when the step expects nothing of that tag. */
function markDuplicates(rows: ExpectationResult[], duplicates: Map<EventTag, string[]>): void {
  for (const [tag, what] of duplicates) {
    const seen = `duplicate: ${what.slice(0, 4).join("; ")}`;
    const i = rows.findIndex((r) => r.expectation.split(":")[0] === tag);
    const existing = rows[i];
    if (existing === undefined) rows.push({ expectation: tag, status: "duplicate", seen, stage: "browser" });
    else if (existing.status === "ok") rows[i] = { ...existing, status: "duplicate", seen: `${seen} (${existing.seen})` };
  }
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
  if (observations.browser !== undefined && observations.browser.error === undefined) markDuplicates(rows, duplicatesOf(observations.browser.hits));
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
