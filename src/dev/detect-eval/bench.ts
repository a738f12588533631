// `npm run bench:detect`: the detection engine on generated KPI histories (generate.ts). Per
// kind of incident and per granularity: detection rate, correct-layer rate, median and worst
// delay (points after the first broken point is final), false alarms per 30 days on stretches
// with no incident, and replay throughput. Tuning seeds and held-out seeds are reported apart;
// the held-out seeds were fixed before any threshold was tuned and are never used to tune.
import { performance } from "node:perf_hooks";
import type { Layer, Signal } from "../../core/detection/index.js";
import type { KpiSeriesSet } from "../../core/detection/index.js";
import { band, detect, detectionSchema, parseKpi, replay } from "../../core/detection/index.js";
import type { Kind, Step } from "./generate.js";
import { generate } from "./generate.js";

export const TUNING_SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
export const HELD_OUT_SEEDS = [7301, 7302, 7303, 7304, 7305, 7306, 7307, 7308, 7309, 7310];
const KINDS: Kind[] = ["delivery", "measurement", "conversion", "economics", "operations", "unknown", "none"];
const STEPS: Step[] = ["hour", "day"];

const config = detectionSchema.parse({});

interface Row {
  set: string;
  step: Step;
  kind: Kind;
  runs: number;
  detected: number;
  rightLayer: number;
  delays: number[];
  /** Incidents whose broken series could be told from noise within 3 points at all (see `withinReach`). */
  reachable: number;
  falseAlarms: number;
  judgedDays: number;
  points: number;
  replayMs: number;
}

function indexOf(step: Step, first: string, at: string): number {
  const unit = step === "hour" ? 3_600_000 : 86_400_000;
  return Math.round((Date.parse(at) - Date.parse(first)) / unit);
}

/** The newest hours (or day) under-reported as platforms do before their numbers settle. */
function provisional(csv: string, step: Step): string {
  const lines = csv.split("\n");
  const stamps = [...new Set(lines.slice(1).map((l) => l.slice(0, l.indexOf(","))))];
  const newest = stamps.slice(step === "hour" ? -3 : -1);
  return lines
    .map((line, n) => {
      if (n === 0 || !newest.includes(line.slice(0, line.indexOf(",")))) return line;
      return line
        .split(",")
        .map((cell, c) => (c >= 5 && cell !== "" ? String(Math.floor(Number(cell) * 0.5)) : cell))
        .join(",");
    })
    .join("\n");
}

function evaluate(set: string, seeds: readonly number[], step: Step, kind: Kind): Row {
  const row: Row = { set, step, kind, runs: 0, detected: 0, rightLayer: 0, delays: [], reachable: 0, falseAlarms: 0, judgedDays: 0, points: 0, replayMs: 0 };
  const lagPoints = step === "hour" ? config.lag_hours : Math.ceil(config.lag_hours / 24);
  const perDay = step === "hour" ? 24 : 1;
  for (const seed of seeds) {
    const g = generate({ seed, step, kind });
    const parsed = parseKpi(g.csv);
    if (!parsed.ok) throw new Error(`seed ${seed}: generated data does not parse: ${JSON.stringify(parsed.error)}`);
    const data = parsed.data;
    row.points += data.series.reduce((n, s) => n + s.values.reduce((m, v) => m + (Number.isNaN(v) ? 0 : 1), 0), 0);
    // CPU time, not wall time: the machine may be shared, and the engine is single-threaded.
    const started = process.cpuUsage();
    const signals = replay(data, config);
    const used = process.cpuUsage(started);
    row.replayMs += (used.user + used.system) / 1000;
    const first = data.step === "day" ? new Date(data.start * 86_400_000).toISOString().slice(0, 10) : new Date(data.start).toISOString();
    const at = (s: Signal) => indexOf(step, first, s.at);
    row.runs += 1;
    const incident = g.incident;
    const quietUntil = incident ? incident.start : g.length;
    // Every signal raised before an incident (or in a history without one) is a false alarm.
    row.falseAlarms += signals.filter((s) => at(s) < quietUntil).length;
    row.judgedDays += Math.max(0, quietUntil / perDay - config.min_history_days);
    if (!incident) {
      const lagged = parseKpi(provisional(g.csv, step));
      if (lagged.ok) row.falseAlarms += detect(lagged.data, config).length;
      continue;
    }
    if (withinReach(data, incident, lagPoints)) row.reachable += 1;
    const during = signals.filter((s) => at(s) >= incident.start && at(s) <= incident.start + incident.points + lagPoints);
    if (during.length === 0) continue;
    row.detected += 1;
    const matches = (s: Signal, layer: Layer) => s.layer === layer && (s.channel === incident.channel || layer === "conversion" || layer === "unknown");
    if (matches(during[0]!, incident.layer)) row.rightLayer += 1;
    const right = during.find((s) => matches(s, incident.layer));
    if (right) row.delays.push(at(right) - (incident.start + lagPoints));
  }
  return row;
}

/** The counted series each kind of incident breaks (delivery and economics break money and clicks, never out of reach). */
const BROKEN: Partial<Record<Layer, (channel: string) => { channel: string; metric: string }>> = {
  measurement: (channel) => ({ channel, metric: "platform_conversions" }),
  conversion: () => ({ channel: "all", metric: "orders" }),
  operations: (channel) => ({ channel, metric: "orders" }),
  unknown: () => ({ channel: "all", metric: "newsletter_signups" }),
};
const MONEY = new Set(["spend", "revenue", "platform_revenue"]);

/**
 * Whether any detector could raise the incident within 3 final points without false alarms. Even a
 * fall to none has probability e^-E when E counts were expected; a history offers about N = (points
 * in 30 days / 3) × (counted series) such tests a month, so a fall is only ever telling when
 * e^-E < 1/N, that is E > ln N. Below it, no threshold that stays quiet for a month raises it that fast.
 */
export function withinReach(data: KpiSeriesSet, incident: { layer: Layer; channel: string; start: number }, lagPoints: number): boolean {
  const broken = BROKEN[incident.layer]?.(incident.channel);
  if (!broken) return true;
  const counted = data.series.filter((s) => !MONEY.has(s.metric)).length;
  const monthPoints = data.step === "hour" ? 30 * 24 : 30;
  const needed = Math.log((monthPoints / 3) * counted);
  const first = data.step === "hour" ? new Date(data.start + (incident.start + 2 + lagPoints) * 3_600_000).toISOString() : new Date((data.start + incident.start + 2 + lagPoints) * 86_400_000).toISOString().slice(0, 10);
  const expected = band(data, config, broken, { at: first, points: 3 }).reduce((sum, p) => sum + p.expected, 0);
  return expected > needed;
}

function median(xs: number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function format(rows: Row[]): string {
  const head = ["set", "step", "kind", "runs", "within reach in 3", "detected", "right layer", "median delay", "worst delay", "false alarms/30d", "replay points/s"];
  const body = rows.map((r) => {
    const incident = r.kind !== "none";
    return [
      r.set,
      r.step,
      r.kind,
      String(r.runs),
      incident ? `${r.reachable}/${r.runs}` : "–",
      incident ? `${r.detected}/${r.runs}` : "–",
      incident ? `${r.rightLayer}/${r.runs}` : "–",
      incident ? String(median(r.delays) ?? "–") : "–",
      incident ? String(r.delays.length > 0 ? Math.max(...r.delays) : "–") : "–",
      r.judgedDays > 0 ? ((r.falseAlarms / r.judgedDays) * 30).toFixed(2) : "–",
      Math.round(r.points / (r.replayMs / 1000)).toLocaleString("en-US"),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}

export function benchDetect(sets: { name: string; seeds: readonly number[] }[] = [
  { name: "tuning", seeds: TUNING_SEEDS },
  { name: "held-out", seeds: HELD_OUT_SEEDS },
]): { rows: Row[]; table: string } {
  const rows: Row[] = [];
  for (const set of sets) for (const step of STEPS) for (const kind of KINDS) rows.push(evaluate(set.name, set.seeds, step, kind));
  return { rows, table: format(rows) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const only = process.argv[2];
  const started = performance.now();
  const { rows, table } = benchDetect(only === "tuning" ? [{ name: "tuning", seeds: TUNING_SEEDS }] : only === "held-out" ? [{ name: "held-out", seeds: HELD_OUT_SEEDS }] : undefined);
  console.log(`Detection on generated KPI histories (hourly: 84 days, daily: 420 days; config defaults, sensitivity normal, lag_hours ${config.lag_hours})\n`);
  console.log(table);
  console.log("\nwithin reach in 3: incidents whose broken counted series was expected to count more than ln N in its first 3 final points, N being the 3-point tests a month of this data offers; below that, even a fall to none is as likely as one false alarm a month, so no detector quiet for a month can raise it within 3 points.");
  const points = rows.reduce((n, r) => n + r.points, 0);
  const ms = rows.reduce((n, r) => n + r.replayMs, 0);
  console.log(`\nreplay overall (parsed data, baselines included, CPU time): ${points.toLocaleString("en-US")} points in ${ms.toFixed(0)} ms = ${Math.round(points / (ms / 1000)).toLocaleString("en-US")} points/s · bench ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
