// A series judged over a window of final points (SPEC §14): sums in O(1) from prefix sums, and a
// reading of how far the observed total is from the expected one, in standard deviations.
import type { Baseline } from "./baseline.js";
import type { KpiSeries } from "./parse.js";

/** Sums of a series over a window of final points: observed, expected and the variance. */
export interface Window {
  observed: number;
  expected: number;
  variance: number;
  /** Counted things are judged by a Poisson test; money by a normal one. */
  count: boolean;
}

export interface Watched {
  series: KpiSeries;
  baseline: Baseline;
  /** Prefix sums, so any window costs O(1): observed, expected, own variance, shared spread, and unjudgeable points. */
  sums: { observed: Float64Array; expected: Float64Array; variance: Float64Array; shared: Float64Array; gaps: Int32Array };
}

export function watch(series: KpiSeries, baseline: Baseline): Watched {
  const { values } = series;
  const { expected, variance, shared } = baseline;
  const n = values.length;
  const sums = { observed: new Float64Array(n + 1), expected: new Float64Array(n + 1), variance: new Float64Array(n + 1), shared: new Float64Array(n + 1), gaps: new Int32Array(n + 1) };
  const { observed: so, expected: se, variance: sv, shared: ss, gaps: sg } = sums;
  let o = 0;
  let x = 0;
  let vr = 0;
  let sh = 0;
  let g = 0;
  for (let i = 0; i < n; i += 1) {
    const v = values[i]!;
    const e = expected[i]!;
    if (Number.isNaN(v) || Number.isNaN(e)) g += 1;
    else {
      o += v;
      x += e;
      vr += variance[i]!;
      sh += shared[i]!;
    }
    so[i + 1] = o;
    se[i + 1] = x;
    sv[i + 1] = vr;
    ss[i + 1] = sh;
    sg[i + 1] = g;
  }
  return { series, baseline, sums };
}

/**
 * A window with a missing point or no expectation yet is not judged. Its variance is the points'
 * own noise summed plus the day-level error, which the points share and so does not average out.
 */
export function windowOf(w: Watched | undefined, from: number, to: number): Window | undefined {
  if (!w || from < 0) return undefined;
  const s = w.sums;
  if (s.gaps[to + 1]! - s.gaps[from]! > 0) return undefined;
  const shared = s.shared[to + 1]! - s.shared[from]!;
  return { observed: s.observed[to + 1]! - s.observed[from]!, expected: s.expected[to + 1]! - s.expected[from]!, variance: s.variance[to + 1]! - s.variance[from]! + shared * shared, count: w.baseline.count };
}

/** A numerator judged against its expectation, optionally adjusted by how a denominator moved. */
export class Reading {
  private score: number | undefined;
  constructor(
    readonly observed: number,
    readonly expected: number,
    readonly sigma: number,
    /** observed / expected (adjusted). */
    readonly ratio: number,
    /** Judged as a count (Poisson deviance) rather than as money (normal). */
    readonly count: boolean,
    private readonly variance: number,
  ) {}

  /** Standard deviations from the expectation (negative: below); worked out once, when first asked. */
  get z(): number {
    if (this.score === undefined) {
      const { observed, expected, sigma } = this;
      this.score = this.count && expected > 0 ? countScore(observed, expected, this.variance) : sigma > 0 ? (observed - expected) / sigma : 0;
    }
    return this.score;
  }
}

/**
 * How far a count is from its expectation, in standard deviations: the signed root of the Poisson
 * deviance (exact enough where a handful of orders fall to none, where the normal approximation
 * understates the evidence), scaled down by the share of the variance that is Poisson noise.
 */
function countScore(observed: number, expected: number, variance: number): number {
  const o = Math.max(observed, 0);
  // Half a count towards the expectation: counts are whole, and without it a handful of expected
  // orders falling to none reads about ten times rarer than it is (P(0 | 10) is 4.5e-5, not 4e-6).
  const corrected = o < expected ? Math.min(o + 0.5, expected) : Math.max(o - 0.5, expected);
  const poissonShare = Math.min(expected / variance, 1);
  return Math.sign(o - expected) * Math.sqrt(Math.max(deviance(corrected, expected), 0) * poissonShare);
}

function deviance(o: number, expected: number): number {
  return 2 * ((o > 0 ? o * Math.log(o / expected) : 0) - (o - expected));
}

/**
 * The band a reading is judged against at `z` standard deviations: symmetric for money; for a
 * count, the observed totals whose deviance stays under z² (asymmetric: a handful of expected
 * orders has a low edge near zero and a high edge well above), so a count's band says what its test says.
 */
export function bandOf(r: Reading, z: number): [low: number, high: number] {
  const e = r.expected;
  if (!r.count || e <= 0) return [Math.max(e - z * r.sigma, 0), e + z * r.sigma];
  const target = (z * z) / Math.min(e / (r.sigma * r.sigma), 1);
  const edge = (inside: number, outside: number) => {
    for (let k = 0; k < 60; k += 1) {
      const mid = (inside + outside) / 2;
      if (deviance(mid, e) < target) inside = mid;
      else outside = mid;
    }
    return inside;
  };
  let far = e + z * r.sigma + z * z;
  while (deviance(far, e) < target) far *= 2;
  // The test moves a count half a unit towards the expectation; the band's edges move out as much.
  return [deviance(0.5, e) < target ? 0 : Math.max(edge(e, 0) - 0.5, 0), edge(e, far) + 0.5];
}

export function reading(num: Window, den?: Window): Reading | undefined {
  const scale = den ? (den.expected > 0 ? den.observed / den.expected : Number.NaN) : 1;
  if (!Number.isFinite(scale) || num.expected <= 0) return undefined;
  const expected = num.expected * scale;
  // The Poisson part of a count's variance follows its expectation; the rest scales with it squared.
  const poisson = num.count ? num.expected : 0;
  const variance = Math.max((num.variance - poisson) * scale * scale + poisson * scale, Number.MIN_VALUE);
  return new Reading(num.observed, expected, Math.sqrt(variance), expected > 0 ? num.observed / expected : 1, num.count, variance);
}
