// The robust seasonal baseline of one series (SPEC §14): for every grid point, the median of
// the same hour of week (or weekday) over the previous weeks, scaled by the series' recent level,
// with the median absolute deviation of those weeks as the spread. Medians make one promotion
// week or one holiday in the history irrelevant; the level (a median of recent daily ratios)
// follows trends without being pulled by a few unusual days. Each point's expectation uses
// only earlier points, so judging a point never looks ahead.
import type { Step } from "./time.js";
import { PERIOD } from "./time.js";

export interface Baseline {
  /** Expected value per point; NaN where the history is too short to say. */
  expected: Float64Array;
  /** Robust standard deviation of the point around its expectation. */
  sigma: Float64Array;
}

/** Weeks of history the seasonal median looks back over. */
export const SEASON_WEEKS = 6;
/** Level: median ratio of the last LEVEL_BLOCKS blocks (days for hourly data, points for daily). */
const LEVEL_BLOCKS: Record<Step, number> = { hour: 7, day: 9 };
const BLOCK: Record<Step, number> = { hour: 24, day: 1 };
/** MAD → standard deviation for normal noise. */
const MAD_SCALE = 1.4826;
/** Never claim more precision than 4% of the expectation. */
const RELATIVE_FLOOR = 0.04;

/** Counted things (orders, sessions…) are at least Poisson-noisy; money is not a count. */
const CURRENCY = new Set(["spend", "revenue", "platform_revenue"]);

function median(buffer: Float64Array, n: number): number {
  // Insertion sort: n is at most a handful of weeks or days.
  for (let i = 1; i < n; i += 1) {
    const x = buffer[i]!;
    let j = i - 1;
    while (j >= 0 && buffer[j]! > x) {
      buffer[j + 1] = buffer[j]!;
      j -= 1;
    }
    buffer[j + 1] = x;
  }
  return n % 2 === 1 ? buffer[(n - 1) >> 1]! : (buffer[n / 2 - 1]! + buffer[n / 2]!) / 2;
}

export function computeBaseline(values: Float64Array, step: Step, metric: string, minHistoryDays: number): Baseline {
  const n = values.length;
  const expected = new Float64Array(n).fill(Number.NaN);
  const sigma = new Float64Array(n).fill(Number.NaN);
  const period = PERIOD[step];
  const block = BLOCK[step];
  const levelBlocks = LEVEL_BLOCKS[step];
  const minHistory = minHistoryDays * (step === "hour" ? 24 : 1);
  const poisson = !CURRENCY.has(metric);
  let first = 0;
  while (first < n && Number.isNaN(values[first]!)) first += 1;

  const week = new Float64Array(SEASON_WEEKS);
  const deviation = new Float64Array(SEASON_WEEKS);
  const seasonal = new Float64Array(n).fill(Number.NaN);
  // Ratios of completed blocks (observed / seasonal median), newest last.
  const ratios: number[] = [];
  const ratioBuffer = new Float64Array(levelBlocks);
  let level = 1;
  let blockObserved = 0;
  let blockSeasonal = 0;

  for (let i = first; i < n; i += 1) {
    if (i > first && i % block === 0) {
      // A block just completed: its ratio joins the level's window.
      if (blockSeasonal > 0) {
        ratios.push(blockObserved / blockSeasonal);
        if (ratios.length > levelBlocks) ratios.shift();
        for (let r = 0; r < ratios.length; r += 1) ratioBuffer[r] = ratios[r]!;
        level = median(ratioBuffer, ratios.length);
      }
      blockObserved = 0;
      blockSeasonal = 0;
    }
    let count = 0;
    for (let w = 1; w <= SEASON_WEEKS; w += 1) {
      const v = values[i - w * period];
      if (v !== undefined && !Number.isNaN(v)) week[count++] = v;
    }
    if (count >= 2) {
      const m = median(week, count);
      for (let c = 0; c < count; c += 1) deviation[c] = Math.abs(week[c]! - m);
      const mad = median(deviation, count);
      seasonal[i] = m;
      if (i - first >= minHistory) {
        const e = m * level;
        expected[i] = e;
        const spread = MAD_SCALE * mad * level;
        sigma[i] = Math.max(spread, RELATIVE_FLOOR * Math.abs(e), poisson ? Math.sqrt(Math.abs(e) + 1) : 0);
      }
      const v = values[i]!;
      if (!Number.isNaN(v)) {
        blockObserved += v;
        blockSeasonal += m;
      }
    }
  }
  return { expected, sigma };
}
