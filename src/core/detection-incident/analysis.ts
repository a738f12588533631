// One KPI source's analysis for the scheduled pass, from its text to plain results: the breaks
// active at its newest point, those raised lately (which may have cleared since), and the band
// of every series a comment may chart. Plain data in and out, so the App can run it on a worker
// thread: parsing and judging months of hourly rows takes longer than one event may hold the
// App's event loop (SPEC §13).
import type { DetectionConfig, KpiInputError, ParseOptions, Signal } from "../detection/index.js";
import { band, detect, newestAt, parseKpi, replay } from "../detection/index.js";
import type { BandPoint } from "./chart.js";
import { CHART_POINTS } from "./chart.js";

/** A break raised this long before the newest point may have cleared since: its incident is checked. */
export const CLEARING_WINDOW_MS = 14 * 86_400_000;

export interface KpiAnalysis {
  newestAt?: string;
  active: Signal[];
  raised: Signal[];
  /** Bands by `bandKey`: each active signal's series up to its own time, each raised one's up to the newest point. */
  bands: Record<string, BandPoint[]>;
}

export type KpiAnalysisResult = { ok: true; analysis: KpiAnalysis } | { ok: false; error: KpiInputError };

export function bandKey(series: Pick<Signal, "channel" | "layer" | "metric">, at: string): string {
  return JSON.stringify([series.channel, series.layer, series.metric, at]);
}

export function analyseKpi(text: string, options: ParseOptions, detection: DetectionConfig): KpiAnalysisResult {
  const parsed = parseKpi(text, options);
  if (!parsed.ok) return parsed;
  const data = parsed.data;
  const newest = newestAt(data);
  if (newest === undefined) return { ok: true, analysis: { active: [], raised: [], bands: {} } };
  const from = Date.parse(newest) - CLEARING_WINDOW_MS;
  const active = detect(data, detection, { at: newest });
  const raised = replay(data, detection).filter((s) => Date.parse(s.at) >= from);
  const bands: Record<string, BandPoint[]> = {};
  const chart = (signal: Signal, at: string) => {
    const key = bandKey(signal, at);
    bands[key] ??= band(data, detection, signal, { at, points: CHART_POINTS });
  };
  for (const signal of active) chart(signal, signal.at);
  for (const signal of raised) chart(signal, newest);
  return { ok: true, analysis: { newestAt: newest, active, raised, bands } };
}
