// A seeded generator of realistic KPI histories for evaluating detection (SPEC §14): a store with
// three product lines, two large ad channels and two small zero-heavy ones, hourly or daily, with
// daily and weekly seasonality, a trend, promotions, holidays, multiplicative noise and Poisson
// counts — and, when asked, one injected incident of a layer. Same seed, same file.
import type { Layer } from "../../core/detection/index.js";

export type Step = "hour" | "day";
export type Kind = Layer | "none";

export interface Scenario {
  seed: number;
  step: Step;
  kind: Kind;
}

export interface Injected {
  layer: Layer;
  channel: string;
  /** Grid index of the first broken point, and how many points the incident lasts. */
  start: number;
  points: number;
}

export interface Generated {
  csv: string;
  /** Grid points in the file. */
  length: number;
  incident?: Injected;
}

/** mulberry32: small, fast, good enough for test data. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(rnd: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
}

function poisson(rnd: () => number, lambda: number): number {
  if (lambda <= 0) return 0;
  if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * gaussian(rnd)));
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = rnd();
  while (p > limit) {
    k += 1;
    p *= rnd();
  }
  return k;
}

const AD_CHANNELS = [
  // name, spend per hour at peak, cost per click, click→conversion, share of store orders attributed
  { name: "meta", spend: 160, cpc: 0.9, cvr: 0.035, zeroHeavy: false },
  { name: "google", spend: 120, cpc: 1.2, cvr: 0.045, zeroHeavy: false },
  { name: "tiktok", spend: 6, cpc: 0.5, cvr: 0.012, zeroHeavy: true },
  { name: "email", spend: 0.8, cpc: 0.02, cvr: 0.02, zeroHeavy: true },
] as const;
const LINES = [
  { name: "line:shoes", share: 0.45 },
  { name: "line:bags", share: 0.35 },
  { name: "line:accessories", share: 0.2 },
] as const;
const UNKNOWN = "newsletter_signups";

/** Share of traffic by local hour: quiet nights, a lunch bump, an evening peak. */
function hourShape(hour: number): number {
  const night = 0.12;
  return night + Math.exp(-((hour - 12.5) ** 2) / 8) * 0.7 + Math.exp(-((hour - 20.5) ** 2) / 6);
}
const WEEKDAY = [0.95, 0.97, 1, 1, 1.02, 1.12, 1.08]; // Monday first

interface Effects {
  /** Store traffic and demand. */
  traffic: number;
  demand: number;
  spend: number;
}

/** The days promotions and holidays fall on, drawn once per history. */
function calendar(rnd: () => number, days: number): Effects[] {
  const effects: Effects[] = Array.from({ length: days }, () => ({ traffic: 1, demand: 1, spend: 1 }));
  for (let d = 10; d < days; d += 12 + Math.floor(rnd() * 20)) {
    // A promotion of 2–4 days: more traffic, better conversion, more spend.
    const lift = 1.3 + rnd() * 0.7;
    for (let k = 0; k < 2 + Math.floor(rnd() * 3) && d + k < days; k += 1) effects[d + k] = { traffic: lift, demand: 1 + (lift - 1) * 0.6, spend: 1.2 };
  }
  for (let d = 17; d < days; d += 25 + Math.floor(rnd() * 40)) {
    // A holiday: the whole store is quiet for a day, the ads keep running.
    effects[d] = { traffic: 0.5, demand: 0.85, spend: 0.9 };
  }
  return effects;
}

function pickChannel(rnd: () => number): "meta" | "google" {
  return rnd() < 0.5 ? "meta" : "google";
}

function incidentFor(kind: Layer, rnd: () => number, step: Step, length: number): Injected {
  const perDay = step === "hour" ? 24 : 1;
  // The last days of the file; the incident runs to the end or stops after a few days.
  const start = length - perDay * (step === "hour" ? 4 : 12) + Math.floor(rnd() * perDay * (step === "hour" ? 2 : 4));
  const points = step === "hour" ? 24 + Math.floor(rnd() * 48) : 5 + Math.floor(rnd() * 5);
  const channel = kind === "delivery" || kind === "measurement" || kind === "economics" ? pickChannel(rnd) : kind === "operations" ? LINES[Math.floor(rnd() * 2)]!.name : "all";
  return { layer: kind, channel, start, points: Math.min(points, length - start) };
}

export function generate(scenario: Scenario): Generated {
  const rnd = random(scenario.seed * 7919 + (scenario.step === "hour" ? 1 : 2));
  const hourly = scenario.step === "hour";
  const days = hourly ? 84 : 420;
  const length = hourly ? days * 24 : days;
  const perPoint = hourly ? 1 : 24;
  const effects = calendar(rnd, days);
  const trend = (rnd() - 0.4) * 0.6; // −24% … +36% over the history
  const noise = 0.06 + rnd() * 0.06;
  const incident = scenario.kind === "none" ? undefined : incidentFor(scenario.kind, rnd, scenario.step, length);
  const economicsBySpend = rnd() < 0.5;
  const depth = 0.15 + rnd() * 0.3; // what is left of the broken series
  // 2026-01-05 is a Monday.
  const origin = Date.UTC(2026, 0, 5);

  const header = ["timestamp", "channel", "spend", "impressions", "clicks", "platform_conversions", "platform_revenue", "sessions", "checkout_starts", "orders", "revenue", UNKNOWN];
  const rows: string[] = [header.join(",")];
  const lognormal = () => Math.exp(noise * gaussian(rnd) - (noise * noise) / 2);
  const cell = (x: number | undefined) => (x === undefined ? "" : Number.isInteger(x) ? String(x) : x.toFixed(2));

  for (let i = 0; i < length; i += 1) {
    const day = hourly ? Math.floor(i / 24) : i;
    const e = effects[day]!;
    const shape = hourly ? hourShape(i % 24) : 1;
    const season = WEEKDAY[day % 7]! * (1 + (trend * i) / length);
    const broken = incident !== undefined && i >= incident.start && i < incident.start + incident.points;
    const hit = (layer: Layer, channel: string) => broken && incident!.layer === layer && incident!.channel === channel;
    const stamp = hourly ? new Date(origin + i * 3_600_000).toISOString().replace(".000Z", "Z") : new Date(origin + day * 86_400_000).toISOString().slice(0, 10);

    // The store: sessions, checkouts, orders by line; conversion breaks cut orders after checkout.
    const sessionsRate = 420 * perPoint * shape * season * e.traffic * lognormal();
    const conversionCut = hit("conversion", "all") ? depth : 1;
    let ordersTotal = 0;
    let sessionsTotal = 0;
    let checkoutTotal = 0;
    let lostAdOrders = 0;
    const lineRows: string[] = [];
    for (const line of LINES) {
      const sessions = poisson(rnd, sessionsRate * line.share);
      const cut = conversionCut * (hit("operations", line.name) ? depth : 1);
      const checkouts = poisson(rnd, sessions * 0.065 * e.demand);
      const orders = poisson(rnd, sessions * 0.026 * e.demand * cut);
      sessionsTotal += sessions;
      checkoutTotal += checkouts;
      ordersTotal += orders;
      lineRows.push(`${stamp},${line.name},,,,,,${sessions},,${orders},,`);
    }
    // How much of the usual buying survives the store's own incidents (not this hour's noise).
    const storeCut = conversionCut * LINES.reduce((sum, line) => sum + line.share * (hit("operations", line.name) ? depth : 1), 0);

    const adRows: string[] = [];
    for (const ch of AD_CHANNELS) {
      const delivery = hit("delivery", ch.name) ? depth * 0.3 : 1;
      const bySpend = hit("economics", ch.name) && economicsBySpend ? 1 + (1 - depth) * 1.6 : 1;
      const byCpc = hit("economics", ch.name) && !economicsBySpend ? depth + 0.1 : 1;
      const pixel = hit("measurement", ch.name) ? depth * 0.8 : 1;
      const zeroHours = ch.zeroHeavy && hourly && shape < 0.3 ? 0 : 1;
      const spend = ch.spend * perPoint * shape * season * e.spend * delivery * bySpend * zeroHours * lognormal();
      const clicks = poisson(rnd, ((spend / bySpend) / ch.cpc) * byCpc);
      const impressions = poisson(rnd, clicks * 60);
      // What the platform counts: real purchases (which the store's state shapes) times the pixel.
      const conversions = poisson(rnd, clicks * ch.cvr * e.demand * storeCut * pixel);
      lostAdOrders += delivery < 1 || byCpc < 1 ? clicks * ch.cvr * (1 / Math.min(delivery * byCpc, 1) - 1) * 0.3 : 0;
      const revenue = conversions * 58 * lognormal();
      adRows.push(`${stamp},${ch.name},${cell(spend)},${impressions},${clicks},${conversions},${cell(revenue)},,,,,`);
    }
    // Orders the broken channels no longer brought (about a third of their conversions were incremental).
    const orders = Math.max(0, ordersTotal - poisson(rnd, Math.min(lostAdOrders, ordersTotal)));
    const signupCut = hit("unknown", "all") ? depth * 0.5 : 1;
    const signups = poisson(rnd, sessionsTotal * 0.004 * signupCut);
    rows.push(`${stamp},all,,,,,,${sessionsTotal},${checkoutTotal},${orders},${cell(orders * 61 * lognormal())},${signups}`, ...adRows, ...lineRows);
  }
  return { csv: rows.join("\n"), length, incident };
}
