// Reading the series as layers (SPEC §14) and the life of a signal. Every grid point is judged
// once, in time order, from points that were final at that moment: `replay` is one linear pass,
// and `detect` at a time is the same pass stopped there, so both always agree.
import { computeBaseline } from "./baseline.js";
import type { DetectionConfig } from "./config.js";
import type { KpiSeriesSet } from "./parse.js";
import type { Step } from "./time.js";
import { DAY_MS, HOUR_MS, gridLabel, seasonalSlots, slotName } from "./time.js";
import type { Layer, Signal, Thresholds } from "./thresholds.js";
import { KNOWN_METRICS, thresholds } from "./thresholds.js";
import type { Reading, Watched, Window } from "./window.js";
import { bandOf, reading, watch, windowOf } from "./window.js";
import { change, channelWords, METRIC_WORDS, pct, round, STORE } from "./words.js";

function down(r: Reading | undefined, drop: number, z: number): boolean {
  return r !== undefined && r.ratio <= 1 - drop && r.z <= -z;
}

function holds(w: Window | undefined, t: Thresholds): boolean {
  const r = w && reading(w);
  return r !== undefined && r.ratio >= 1 - t.hold;
}

/** A condition that holds over the window ending at the judged point. */
interface Finding {
  channel: string;
  layer: Layer;
  metric: string;
  reading: Reading;
  /** How the window compares, in words, for the reason. */
  context: string;
  /** Reported values when the metric is a ratio (CPA, ROAS): [observed, expected, low, high]. */
  shown?: [number, number, number, number];
  /** What the channel spent over the window, for a cost or return per unit of spend. */
  spent?: number;
  /** The threshold of the window that broke: its band is drawn at it. */
  z: number;
  /** The primary series and its adjusting denominator, for `since` and clearing. */
  primary: Watched;
  denominator?: Watched;
  /** The window of final points that broke. */
  from: number;
  to: number;
}

interface Prepared {
  data: KpiSeriesSet;
  config: DetectionConfig;
  t: Thresholds;
  /** The thresholds at each window length (its own z). */
  byWindow: Thresholds[];
  slots: Uint16Array;
  lagPoints: number;
  get(channel: string, metric: string): Watched | undefined;
  /** A channel's series by metric: the rules read several of one channel's series per window. */
  of(channel: string): Readonly<Record<string, Watched | undefined>>;
  adChannels: string[];
  slices: string[];
  unknown: Watched[];
  watched: Watched[];
}

const prepared = new WeakMap<KpiSeriesSet, Map<string, Prepared>>();

function prepare(data: KpiSeriesSet, config: DetectionConfig): Prepared {
  const key = JSON.stringify([config.timezone, config.lag_hours, config.min_history_days, config.sensitivity, config.severity, config.channels]);
  let byConfig = prepared.get(data);
  const cached = byConfig?.get(key);
  if (cached) return cached;
  const slots = config.timezone === data.timezone ? data.slots : seasonalSlots(data.step, data.start, data.length, config.timezone);
  // A series with no value at all (a wide file's column on another channel's rows) is never judged.
  const watched = data.series.filter((series) => series.values.some((v) => !Number.isNaN(v))).map((series) => watch(series, computeBaseline(series.values, data.step, series.metric, config.min_history_days, slots)));
  // One record per channel: the rules look series up thousands of times per replay, without building
  // keys. No prototype: a column named `constructor` or `__proto__` is just a column.
  const record = () => Object.create(null) as Record<string, Watched | undefined>;
  const index = new Map<string, Record<string, Watched | undefined>>();
  const none = record();
  for (const w of watched) {
    let metrics = index.get(w.series.channel);
    if (!metrics) index.set(w.series.channel, (metrics = record()));
    metrics[w.series.metric] = w;
  }
  const channels = [...new Set(data.series.map((s) => s.channel))];
  const t = thresholds(config.sensitivity, data.step);
  const p: Prepared = {
    data,
    config,
    t,
    byWindow: t.windowZ.map((z) => ({ ...t, z })),
    slots,
    lagPoints: data.step === "hour" ? config.lag_hours : Math.ceil(config.lag_hours / 24),
    get: (channel, metric) => index.get(channel)?.[metric],
    of: (channel) => index.get(channel) ?? none,
    adChannels: channels.filter((c) => c !== STORE && !c.includes(":")),
    slices: channels.filter((c) => c.includes(":")),
    unknown: watched.filter((w) => !KNOWN_METRICS.has(w.series.metric)),
    watched,
  };
  if (!byConfig) {
    byConfig = new Map();
    prepared.set(data, byConfig);
  }
  byConfig.set(key, p);
  return p;
}

/** The store total of a metric (`all`), or the sum of the other slices of a slice's kind. */
function restOfStore(p: Prepared, slice: string, metric: string, from: number, to: number): Window | undefined {
  const store = windowOf(p.get(STORE, metric), from, to);
  const own = windowOf(p.get(slice, metric), from, to);
  if (store && own) return { ...store, observed: store.observed - own.observed, expected: store.expected - own.expected };
  const kind = slice.slice(0, slice.indexOf(":") + 1);
  let sum: Window | undefined;
  for (const other of p.slices) {
    if (other === slice || !other.startsWith(kind)) continue;
    const w = windowOf(p.get(other, metric), from, to);
    if (!w) continue;
    sum = sum ? { ...sum, observed: sum.observed + w.observed, expected: sum.expected + w.expected, variance: sum.variance + w.variance } : w;
  }
  return sum;
}

/** Every layer condition true over the window [from, to]; one break is read as one layer. */
function findings(p: Prepared, from: number, to: number, t: Thresholds): Omit<Finding, "from" | "to" | "z">[] {
  const out: Omit<Finding, "from" | "to" | "z">[] = [];

  // Operations: one slice's orders fall while its sessions and the rest of the store hold.
  for (const slice of p.slices) {
    const series = p.of(slice);
    const orders = series.orders;
    const ordersWindow = windowOf(orders, from, to);
    const r = ordersWindow && reading(ordersWindow);
    if (!orders || !down(r, t.drop.operations, t.z)) continue;
    const sessions = windowOf(series.sessions, from, to);
    const rest = restOfStore(p, slice, "orders", from, to);
    if ((sessions && !holds(sessions, t)) || !holds(rest, t)) continue;
    out.push({ channel: slice, layer: "operations", metric: "orders", reading: r!, primary: orders, context: `while its sessions (${change(sessions && reading(sessions))}) and the rest of the store's orders (${change(rest && reading(rest))}) hold` });
  }

  // Conversion: store-wide orders per session fall while sessions and checkout starts hold.
  const store = p.of(STORE);
  const storeOrders = store.orders;
  const storeSessions = store.sessions;
  const sessionsWindow = windowOf(storeSessions, from, to);
  const ordersWindow = windowOf(storeOrders, from, to);
  const perSession = ordersWindow && sessionsWindow ? reading(ordersWindow, sessionsWindow) : undefined;
  const conversionBroke = down(perSession, t.drop.conversion, t.z);
  const checkouts = windowOf(store.checkout_starts, from, to);
  if (conversionBroke && holds(sessionsWindow, t) && (!checkouts || holds(checkouts, t)) && out.length === 0) {
    out.push({
      channel: STORE,
      layer: "conversion",
      metric: "orders",
      reading: perSession!,
      primary: storeOrders!,
      denominator: storeSessions,
      context: `per session while sessions (${change(reading(sessionsWindow!))})${checkouts ? ` and checkout starts (${change(reading(checkouts))})` : ""} hold`,
    });
  }
  const storeHolds = holds(ordersWindow, t);
  // Economics needs the store converting as usual: a cost breaking out, not buying breaking down.
  const conversionHolds = perSession === undefined || perSession.ratio >= 1 - t.hold;

  for (const channel of p.adChannels) {
    const series = p.of(channel);
    // Delivery: spend collapses.
    const spend = series.spend;
    const spendWindow = windowOf(spend, from, to);
    const spendReading = spendWindow && reading(spendWindow);
    if (spend && down(spendReading, t.drop.delivery, t.z)) {
      const alongside = (["impressions", "clicks"] as const).flatMap((m) => {
        const mw = windowOf(series[m], from, to);
        const r = mw && reading(mw);
        return r ? [`${m} ${change(r)}`] : [];
      });
      out.push({ channel, layer: "delivery", metric: "spend", reading: spendReading!, primary: spend, context: alongside.length > 0 ? `(${alongside.join(", ")})` : "" });
      continue;
    }
    // Measurement: platform conversions fall while the traffic and the store's orders hold.
    const conversions = series.platform_conversions;
    const conversionsWindow = windowOf(conversions, from, to);
    const conversionsReading = conversionsWindow && reading(conversionsWindow);
    const clicks = windowOf(series.clicks, from, to);
    const trafficHolds = storeHolds && (!clicks || holds(clicks, t));
    if (conversions && down(conversionsReading, t.drop.measurement, t.z) && trafficHolds) {
      out.push({ channel, layer: "measurement", metric: "platform_conversions", reading: conversionsReading!, primary: conversions, context: `while store orders (${change(ordersWindow && reading(ordersWindow))})${clicks ? ` and clicks (${change(reading(clicks))})` : ""} hold` });
      continue;
    }
    // Economics: a cost per conversion (return on spend) or per click breaks out while the store
    // converts as usual. A cost per conversion breaks out when conversions do not follow the spend. Conversions falling
    // while the clicks hold are going missing — measurement (SPEC §14: never also economics through
    // a platform CPA), or the store's own break — even before that is certain, so spend running above
    // usual must not read them as a cost per conversion first. Below measurement's drop that raises
    // nothing; the cost side is still read by the cost per click.
    if (!spendWindow || !conversionHolds) continue;
    const goingMissing = (!clicks || holds(clicks, t)) && conversionsReading !== undefined && conversionsReading.ratio < 1 - t.hold;
    const economics = economicsFinding(p, t, channel, series, spendWindow, from, to, goingMissing);
    if (economics) out.push(economics);
  }

  for (const u of p.unknown) {
    const uw = windowOf(u, from, to);
    const r = uw && reading(uw);
    if (!r) continue;
    // Only drops: a column that stops is what breaks; promotions lift most numbers routinely. And
    // only while its channel's visits hold: sign-ups falling with the traffic (a holiday) are the
    // traffic, which no layer reads as a break.
    if (!down(r, t.drop.unknown, t.z)) continue;
    const sessions = windowOf(p.of(u.series.channel).sessions, from, to);
    if (sessions && !holds(sessions, t)) continue;
    out.push({ channel: u.series.channel, layer: "unknown", metric: u.series.metric, reading: r, primary: u, context: sessions ? `while its sessions (${change(reading(sessions))}) hold` : "" });
  }
  return out;
}

/**
 * The readings of a channel's economics, bottom line first: cost per conversion when conversions are
 * reported (return on ad spend otherwise), then cost per click — a click price that breaks out is the
 * cost per conversion breaking out before the conversions are there to show it, and clicks are
 * counted by the hundred where conversions come by the handful.
 */
const ECONOMICS = { conversions: [["cpa", "platform_conversions"], ["cpc", "clicks"]], revenue: [["roas", "platform_revenue"], ["cpc", "clicks"]] } as const;
const COSTS = new Set(["cpa", "cpc"]);
/** Each economics metric's numerator, read per unit of spend. */
const PER_SPEND: ReadonlyMap<string, string> = new Map([...ECONOMICS.conversions, ...ECONOMICS.revenue]);

function economicsFinding(p: Prepared, t: Thresholds, channel: string, of: Readonly<Record<string, Watched | undefined>>, spendWindow: Window, from: number, to: number, conversionsMissing: boolean): Omit<Finding, "from" | "to" | "z"> | undefined {
  for (const [metric, numerator] of of.platform_conversions ? ECONOMICS.conversions : ECONOMICS.revenue) {
    if (metric === "cpa" && conversionsMissing) continue;
    const series = of[numerator];
    const num = windowOf(series, from, to);
    // Conversions (clicks, revenue) per unit of spend falling is the cost per one rising (ROAS falling).
    const r = num && reading(num, spendWindow);
    if (!series || !r || !down(r, t.drop.economics, t.z)) continue;
    const shown = perSpend(metric, r, spendWindow.observed, t.z);
    const context = `(spend ${change(reading(spendWindow))}, ${METRIC_WORDS[numerator]} ${change(reading(num))}) while the store's orders per session hold`;
    return { channel, layer: "economics", metric, reading: r, shown, spent: spendWindow.observed, primary: series, denominator: of.spend, context };
  }
  return undefined;
}

/**
 * A reading of conversions (clicks, revenue) per unit of spend as the marketer reads it: cost per
 * one (CPA, CPC) or return on spend (ROAS) — observed, expected and the band — from the spend.
 */
function perSpend(metric: string, r: Reading, spent: number, z: number): [observed: number, expected: number, low: number, high: number] {
  const [low, high] = bandOf(r, z);
  if (!COSTS.has(metric)) return [r.observed / Math.max(spent, 1e-9), r.expected / Math.max(spent, 1e-9), low / Math.max(spent, 1e-9), high / Math.max(spent, 1e-9)];
  const per = (value: number) => spent / Math.max(value, 1e-9);
  // None at all has no cost per one: it is shown as the cost of half of one, as the count test reads
  // none (half a count of continuity), and the band's top is the cost at one at most, since fewer
  // than one is not a count — so the cost shown is always above its band.
  return [per(Math.max(r.observed, 0.5)), per(r.expected), per(high), per(Math.max(low, 1))];
}

/** "Tuesday 10:00–13:00", "Tuesday 22:00–Wednesday 04:00", "Tuesday–Wednesday" or "the 8 days to Friday". */
function windowWords(p: Prepared, from: number, to: number): string {
  const step = p.data.step;
  const first = slotName(step, p.slots[from]!);
  if (step === "day") {
    if (from === to) return first;
    return to - from + 1 >= 7 ? `the ${to - from + 1} days to ${slotName("day", p.slots[to]!)}` : `${first}–${slotName("day", p.slots[to]!)}`;
  }
  const end = (p.slots[to]! + 1) % PERIOD_POINTS.hour;
  const sameDay = Math.floor(p.slots[from]! / 24) === Math.floor(p.slots[to]! / 24) && end % 24 !== 0;
  return sameDay ? `${first}–${String(end % 24).padStart(2, "0")}:00` : `${first}–${slotName("hour", end)}`;
}

function toSignal(p: Prepared, f: Finding, at: number, since: number): Signal {
  const { from, to } = f;
  const r = f.reading;
  const [observed, expected, lo, hi] = f.shown ?? [r.observed, r.expected, ...bandOf(r, f.z)];
  // By layer, not by name alone: a KPI column of its own called `cpc` is just a column.
  const cost = f.layer === "economics" && COSTS.has(f.metric);
  const direction = cost ? (observed >= expected ? "above" : "below") : r.ratio < 1 ? "below" : "above";
  const size = cost ? pct(observed / Math.max(expected, 1e-9)) : pct(r.ratio);
  const what = f.layer === "unknown" ? f.metric : (METRIC_WORDS[f.metric] ?? f.metric);
  const context = f.context ? ` ${f.context}` : "";
  const reason =
    cost && r.observed === 0
      ? `${channelWords(p.config.channels, f.channel)} ${round(f.spent ?? 0)} of spend brought no ${f.metric === "cpa" ? "conversion" : "click"} for ${windowWords(p, from, to)}, where one usually costs ${round(expected)}${context}.`
      : `${channelWords(p.config.channels, f.channel)} ${what} ${size} ${direction} the usual for ${windowWords(p, from, to)}${context}.`;
  return {
    at: gridLabel(p.data.step, p.data.start, at),
    since: gridLabel(p.data.step, p.data.start, since),
    channel: f.channel,
    layer: f.layer,
    metric: f.metric,
    observed: round(observed),
    expected: round(expected),
    low: round(lo),
    high: round(hi),
    score: round(Math.abs(r.z)),
    severity: p.config.severity,
    reason,
  };
}

/** Whether one final point of the finding's series sits inside its band (the same side as the break). */
function inside(p: Prepared, f: Finding, i: number): boolean {
  const num = windowOf(f.primary, i, i);
  const den = f.denominator ? windowOf(f.denominator, i, i) : undefined;
  const r = num && (f.denominator ? den && reading(num, den) : reading(num));
  if (!r) return false;
  const below = r.ratio < 1;
  return below ? r.z > -p.t.z || r.ratio > 1 - p.t.drop[f.layer] : r.z < p.t.z || r.ratio < 1 + p.t.drop[f.layer];
}

/** The first point of the break: the window's first point outside the band, then back while earlier ones are too (at most a week). */
function breakStart(p: Prepared, f: Finding): number {
  const { from, to } = f;
  let since = from;
  while (since < to && inside(p, f, since)) since += 1;
  const limit = Math.max(0, from - PERIOD_POINTS[p.data.step]);
  while (since - 1 >= limit && !inside(p, f, since - 1)) since -= 1;
  return since;
}
const PERIOD_POINTS: Record<Step, number> = { hour: 168, day: 7 };

/**
 * The breaks at one judged point, one per channel (per metric for watched columns): windows of
 * `points`, 2×, 4× (and 8× hourly) final points ending there, the shortest that breaks first —
 * a large series breaks within a few points, a small one once its longer window is conclusive.
 */
function judge(p: Prepared, judged: number): Finding[] {
  const byChannel = new Map<string, Finding>();
  for (const [n, size] of p.t.windows.entries()) {
    const from = judged - size + 1;
    if (from < 0) break;
    const t = p.byWindow[n]!;
    for (const f of findings(p, from, judged, t)) {
      const key = f.layer === "unknown" ? `${f.channel}\u0000${f.metric}` : f.channel;
      if (!byChannel.has(key)) byChannel.set(key, { ...f, from, to: judged, z: t.z });
    }
  }
  const out = [...byChannel.values()];
  // A slice's break is the more specific reading of a store-wide fall in orders.
  return out.some((f) => f.layer === "operations") ? out.filter((f) => f.layer !== "conversion") : out;
}

interface Active {
  finding: Finding;
  signal: Signal;
  insideRun: number;
}

/** Feeds every point in time order up to grid index `last` (inclusive); calls `raised` for each new signal. */
function run(p: Prepared, last: number, raised: (s: Signal) => void): Map<string, Active> {
  const active = new Map<string, Active>();
  for (let now = 0; now <= last; now += 1) {
    const judged = now - p.lagPoints;
    if (judged - p.t.points + 1 < 0) continue;
    // A signal clears once its series is back inside its band for as many final points as raised it.
    for (const [key, a] of active) {
      a.insideRun = inside(p, a.finding, judged) ? a.insideRun + 1 : 0;
      if (a.insideRun >= a.finding.to - a.finding.from + 1) active.delete(key);
    }
    for (const f of judge(p, judged)) {
      const key = `${f.channel}\u0000${f.layer}\u0000${f.metric}`;
      const current = active.get(key);
      // One break, one layer: while a channel's break is active it is not re-read as another layer.
      if (!current && f.layer !== "unknown" && [...active.values()].some((a) => a.finding.channel === f.channel && a.finding.layer !== "unknown")) continue;
      const signal = toSignal(p, f, now, current ? 0 : breakStart(p, f));
      if (current) {
        // Still broken: keep when it started and how long it took, refresh the numbers.
        current.signal = { ...signal, since: current.signal.since };
        current.finding = { ...f, from: current.finding.from, to: current.finding.to };
        current.insideRun = 0;
        continue;
      }
      active.set(key, { finding: f, signal, insideRun: 0 });
      raised(signal);
    }
  }
  return active;
}

export function newestAt(data: KpiSeriesSet): string | undefined {
  return data.length === 0 ? undefined : gridLabel(data.step, data.start, data.length - 1);
}

/** The grid index of an ISO time (the last point at or before it); undefined before the data. */
function indexAt(data: KpiSeriesSet, at: string | undefined): number | undefined {
  if (data.length === 0) return undefined;
  if (at === undefined) return data.length - 1;
  const ms = Date.parse(at.length === 10 ? `${at}T00:00:00Z` : at);
  if (Number.isNaN(ms)) return undefined;
  const i = data.step === "day" ? Math.floor(ms / DAY_MS) - data.start : Math.floor((ms - data.start) / HOUR_MS);
  return i < 0 ? undefined : Math.min(i, data.length - 1);
}

/** Signals active at `at` (default: the newest timestamp in the data), with their newest numbers. */
export function detect(data: KpiSeriesSet, config: DetectionConfig, opts: { at?: string } = {}): Signal[] {
  const last = indexAt(data, opts.at);
  if (last === undefined) return [];
  const p = prepare(data, config);
  return [...run(p, last, () => undefined).values()].map((a) => a.signal);
}

/** Signals as first raised when every point is fed in time order, with no look-ahead. */
export function replay(data: KpiSeriesSet, config: DetectionConfig): Signal[] {
  const out: Signal[] = [];
  if (data.length === 0) return out;
  run(prepare(data, config), data.length - 1, (s) => out.push(s));
  return out;
}

/**
 * The series against its band for the evidence chart: the last `points` final points up to `at`,
 * each judged as a window of one point — for an economics signal, its cost or return on spend per
 * point from the numerator and the spend. A point is outside its band exactly when its own reading
 * is beyond the threshold.
 */
export function band(data: KpiSeriesSet, config: DetectionConfig, key: { channel: string; metric: string; layer?: Layer }, opts: { at?: string; points: number }): { at: string; observed: number; expected: number; low: number; high: number }[] {
  const last = indexAt(data, opts.at);
  if (last === undefined) return [];
  const p = prepare(data, config);
  const metric = key.metric.toLowerCase();
  const series = p.of(key.channel.toLowerCase());
  const numerator = key.layer === "economics" ? PER_SPEND.get(metric) : undefined;
  const w = series[numerator ?? metric];
  if (!w || (numerator && !series.spend)) return [];
  const out: { at: string; observed: number; expected: number; low: number; high: number }[] = [];
  const final = last - p.lagPoints;
  for (let i = Math.max(0, final - Math.max(0, Math.floor(opts.points)) + 1); i <= final; i += 1) {
    const num = windowOf(w, i, i);
    const spend = numerator ? windowOf(series.spend, i, i) : undefined;
    const r = num && (numerator ? spend && reading(num, spend) : reading(num));
    if (!r) continue;
    const [observed, expected, low, high] = numerator ? perSpend(metric, r, spend!.observed, p.t.z) : [r.observed, r.expected, ...bandOf(r, p.t.z)];
    out.push({ at: gridLabel(data.step, data.start, i), observed: round(observed), expected: round(expected), low: round(low), high: round(high) });
  }
  return out;
}
