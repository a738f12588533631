// What a signal is and how large and long a break must be to raise one (SPEC §14): the
// thresholds per sensitivity and grain, chosen on the tuning seeds of the evaluation set.
import type { Sensitivity } from "./config.js";
import type { Step } from "./time.js";

export type Layer = "economics" | "measurement" | "conversion" | "delivery" | "operations" | "unknown";

export interface Signal {
  at: string;
  since: string;
  channel: string;
  layer: Layer;
  metric: string;
  observed: number;
  expected: number;
  low: number;
  high: number;
  score: number;
  severity: 1 | 2 | 3;
  reason: string;
}

/** The metrics §14 names; any other numeric column is watched on its own (layer `unknown`). */
export const KNOWN_METRICS = new Set(["spend", "impressions", "clicks", "platform_conversions", "platform_revenue", "sessions", "checkout_starts", "orders", "revenue"]);

/**
 * How large and how long a break must be. `points`: consecutive final points (the window);
 * `z`: robust standard deviations of the window total; `drop`: the material relative change per layer.
 */
export interface Thresholds {
  points: number;
  /** Window lengths tried, shortest first. */
  windows: number[];
  z: number;
  /** The threshold of each window length: a longer window is one more look at the same data. */
  windowZ: number[];
  drop: Record<Layer, number>;
  /** A related series "holds" while it is down by less than this. */
  hold: number;
}

/**
 * Extra standard deviations per grain, and per doubling of the window. Counts are judged by a
 * Poisson test with half a count of continuity, so a threshold is what it says; an hourly grid is
 * judged 24 times as often as a daily one, on ~15 series and 4 windows each, so it needs a rarer
 * event to stay quiet for months. Chosen on the tuning seeds: of the settings that raised no false
 * alarm there, the one that caught the most breaks on the right layer. Hourly: 4.5 at every window
 * (4.25 and 4.375 raised false alarms; 4.25 rising 0.25 per doubling raised none but caught 46
 * breaks of 60 against 51). Daily: 3.0 rising 0.25 per doubling (2.75, or 3.0 flat, raised some).
 */
const GRAIN_Z: Record<Step, { z: number; perDoubling: number }> = { hour: { z: 1.5, perDoubling: 0 }, day: { z: 0, perDoubling: 0.25 } };

export function thresholds(sensitivity: Sensitivity, step: Step): Thresholds {
  const base = step === "hour" ? 3 : 2;
  const scale = { low: 1.25, normal: 1, high: 0.8 }[sensitivity];
  const points = base + { low: 1, normal: 0, high: -1 }[sensitivity];
  const z = { low: 4, normal: 3, high: 2.5 }[sensitivity] + GRAIN_Z[step].z;
  const doublings = step === "hour" ? [0, 1, 2, 3] : [0, 1, 2];
  return {
    points,
    windows: doublings.map((d) => 2 ** d * points),
    z,
    windowZ: doublings.map((d) => z + GRAIN_Z[step].perDoubling * d),
    drop: {
      delivery: 0.5 * scale,
      measurement: 0.4 * scale,
      conversion: 0.3 * scale,
      economics: 0.4 * scale,
      operations: 0.4 * scale,
      unknown: 0.5 * scale,
    },
    hold: 0.2,
  };
}
