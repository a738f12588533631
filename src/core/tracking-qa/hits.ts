// What counts as a tag on the wire (SPEC §8): the browser stage's requests classified as a
// platform's beacon or loader, with the id and event they carry.
import type { HitTag } from "./config.js";

// Browser hits

export interface TagHit {
  tag: HitTag;
  /** Beacons carry data to the platform; loaders fetch the tag's code. */
  kind: "beacon" | "loader";
  id?: string;
  event?: string;
  /** GA4 consent state sent with the hit (`gcs` / `gcd`), when present. */
  consent?: string;
  /** Meta's event id (`eid`), which deduplicates a browser event with the Conversions API. */
  eventId?: string;
  /** Wall-clock ms when the browser sent it (browser stage). */
  at?: number;
  /** Which page view of the step sent it: each navigation starts a new one (browser stage). */
  view?: number;
  url: string;
}

function hostIs(host: string, domain: string): boolean {
  return host === domain || host.endsWith(`.${domain}`);
}

function formFields(body: string): URLSearchParams {
  // fbevents.js posts either urlencoded or multipart form data.
  if (/^--/.test(body) || /Content-Disposition:\s*form-data/i.test(body)) {
    // Line by line: a part's header names the field, its value is the line after the blank one.
    const fields = new URLSearchParams();
    const lines = body.split(/\r?\n/);
    let name: string | undefined;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (name === undefined) name = /name="([^"]+)"$/i.exec(line)?.[1];
      else if (line === "" && i + 1 < lines.length) {
        fields.append(name, lines[i + 1] ?? "");
        name = undefined;
        i++;
      }
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
    const hit = withEvent(withId({ tag: "meta_pixel" as const, kind: "beacon" as const, url }, get("id")), get("ev"));
    const eventId = get("eid");
    return [eventId ? { ...hit, eventId } : hit];
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
