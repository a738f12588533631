// The robust seasonal baseline of one series (SPEC §14): for every grid point, the trimmed mean
// of the same hour of week (or weekday) over the previous weeks, scaled by the series' recent level,
// with the median absolute deviation of those weeks as the spread. Trimming makes one promotion
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
const LEVEL_STEP_DOWN = 0.8;
const LEVEL_STEP_UP = 1.25;
/** MAD → standard deviation for normal noise. */
const MAD_SCALE = 1.4826;
/** Never claim more precision than 4% of the expectation. */
const RELATIVE_FLOOR = 0.04;

/** E|z| of a standard normal: a well-described series keeps its calibration near this. */
const MEAN_ABS_NORMAL = 0.798;
/** Residuals are clipped so an incident in the history cannot widen the band much. */
const CALIBRATION_CLIP = 6;
/** About two weeks of points. */
const CALIBRATION_RATE: Record<Step, number> = { hour: 1 / 336, day: 1 / 14 };

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

/**
 * Location of the same slot over the weeks: the mean once the highest and lowest week are left
 * out (from four weeks on). As resistant to one promotion or holiday week as a median, and far
 * less jumpy on small counts, where a median of 0, 1 and 2 orders swings between them.
 */
function trimmedMean(buffer: Float64Array, n: number): number {
  median(buffer, n); // sorts
  const cut = n >= 4 ? 1 : 0;
  let sum = 0;
  for (let i = cut; i < n - cut; i += 1) sum += buffer[i]!;
  return sum / (n - 2 * cut);
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
  // Mean absolute standardised residual so far: where a series is noisier than its weeks' spread
  // says (lumpy money, zero-heavy channels), its band widens to match.
  let calibration = MEAN_ABS_NORMAL;
  let blockObserved = 0;
  let blockSeasonal = 0;

  for (let i = first; i < n; i += 1) {
    if (i > first && i % block === 0) {
      // A block just completed: its ratio joins the level's window.
      if (blockSeasonal > 0) {
        // A block far off the level (an incident, a promotion) moves it only step by step, so
        // a few broken days cannot become the new normal; a lasting shift is still adopted.
        ratios.push(Math.min(Math.max(blockObserved / blockSeasonal, level * LEVEL_STEP_DOWN), level * LEVEL_STEP_UP));
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
      const m = trimmedMean(week, count);
      for (let c = 0; c < count; c += 1) deviation[c] = Math.abs(week[c]! - m);
      const mad = median(deviation, count);
      seasonal[i] = m;
      const e = m * level;
      const raw = Math.max(MAD_SCALE * mad * level, RELATIVE_FLOOR * Math.abs(e), poisson ? Math.sqrt(Math.abs(e) + 1) : 0, Number.MIN_VALUE);
      const v = values[i]!;
      if (i - first >= minHistory) {
        expected[i] = e;
        // The expectation itself is an estimate from `count` weeks: its error widens the band.
        sigma[i] = raw * Math.max(1, calibration / MEAN_ABS_NORMAL) * Math.sqrt(1 + 1 / (count - (count >= 4 ? 2 : 0)));
      }
      if (!Number.isNaN(v)) calibration += CALIBRATION_RATE[step] * (Math.min(Math.abs(v - e) / raw, CALIBRATION_CLIP) - calibration);
      if (!Number.isNaN(v)) {
        blockObserved += v;
        blockSeasonal += m;
      }
    }
  }
  return { expected, sigma };
}
