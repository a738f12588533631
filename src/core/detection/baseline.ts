// The robust seasonal baseline of one series (SPEC §14). A point's expectation is
//
//     level × (usual total of its weekday) × (its hour's usual share of the day)
//
// - the weekday's usual total: the trimmed mean of the same weekday's daily totals over the
//   previous weeks (one promotion week or one holiday drops out);
// - the hour's share: the ratio of sums of that local hour over the days of the same kind
//   (Monday–Friday, or the weekend) in the previous weeks. Pooling the days gives a small, zero-heavy
//   channel 20–30 days of counts per hour instead of 6 same-hour-of-week values, so its expectation
//   is not the noise of a handful of 0, 1 and 2 counts; daily data has one "hour", its share is 1;
// - the level: the median ratio of the last days' totals to their usual totals, which follows
//   a trend without being pulled by a few unusual days.
//
// The spread has two parts. Each point's own noise — Poisson for counted things, plus the extra
// noise the series shows (a running median of its standardised residuals widens the band to
// match) — is independent from point to point. On hourly data the error of the day's expectation
// (its level, and its usual total as a mean of a few weeks' counts) is shared by the hours of the
// day, so it does not average out over a window of hours. A daily point is a day: its spread is
// how its weekday's totals wander. Each expectation uses only earlier points: no look-ahead.
import type { Step } from "./time.js";

export interface Baseline {
  /** Expected value per point; NaN where the history is too short to say. */
  expected: Float64Array;
  /** Variance of the point's own noise around its expectation (independent between points). */
  variance: Float64Array;
  /** Standard deviation of the day-level error, shared by the points of one day (hourly data). */
  shared: Float64Array;
  /** A counted thing (orders, sessions…): at least Poisson-noisy, judged by a count test. */
  count: boolean;
}

/** Weeks of history the weekday totals and the hour shares look back over. */
export const SEASON_WEEKS = 6;
/** Level: median ratio of the last LEVEL_DAYS completed days (points for daily data). */
const LEVEL_DAYS: Record<Step, number> = { hour: 7, day: 9 };
const LEVEL_STEP_DOWN = 0.8;
const LEVEL_STEP_UP = 1.25;
/** MAD → standard deviation for normal noise. */
const MAD_SCALE = 1.4826;
/** Never claim more precision than 4% of the expectation per point. */
const RELATIVE_FLOOR = 0.04;
/** The day's level (the median of recent days) is known to about 5%. */
const LEVEL_ERROR = 0.05;

/** The median |z| of a standard normal: a well-described series keeps its calibration near this. */
const MEDIAN_ABS_NORMAL = 0.6745;
/** Each point moves the running median of |z| by this fraction: a memory of about two weeks. */
const CALIBRATION_STEP: Record<Step, number> = { hour: 0.01, day: 0.05 };

/** Money is not a count; everything else the KPI files carry is counted. */
const CURRENCY = new Set(["spend", "revenue", "platform_revenue"]);

/** Sorts the first n values in place and returns their median (n is a handful of days). */
function median(buffer: Float64Array, n: number): number {
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
 * The mean once the highest and lowest value are left out (from four values on): as resistant to
 * one promotion or holiday as a median, and far less jumpy on small counts.
 */
function trimmedMean(buffer: Float64Array, n: number): number {
  median(buffer, n); // sorts
  const cut = n >= 4 ? 1 : 0;
  let sum = 0;
  for (let i = cut; i < n - cut; i += 1) sum += buffer[i]!;
  return sum / (n - 2 * cut);
}

/** The last `capacity` values pushed, oldest dropped first. */
class Ring {
  readonly values: Float64Array;
  size = 0;
  private next = 0;
  constructor(readonly capacity: number) {
    this.values = new Float64Array(capacity);
  }
  /** Adds a value; returns the one it replaced (NaN while not full). */
  push(x: number): number {
    const old = this.size === this.capacity ? this.values[this.next]! : Number.NaN;
    this.values[this.next] = x;
    this.next = (this.next + 1) % this.capacity;
    this.size = Math.min(this.size + 1, this.capacity);
    return old;
  }
}

/** Hour shares of one kind of day: per-hour sums over its last days, and the sum of their totals. */
class Shares {
  readonly byHour: Float64Array;
  total = 0;
  days = 0;
  private readonly history: Float64Array[] = [];
  constructor(
    readonly hours: number,
    private readonly capacity: number,
  ) {
    this.byHour = new Float64Array(hours);
  }
  add(day: Float64Array, total: number): void {
    this.history.push(day);
    for (let h = 0; h < this.hours; h += 1) this.byHour[h] = this.byHour[h]! + day[h]!;
    this.total += total;
    if (this.history.length > this.capacity) {
      const old = this.history.shift()!;
      let oldTotal = 0;
      for (let h = 0; h < this.hours; h += 1) {
        this.byHour[h] = this.byHour[h]! - old[h]!;
        oldTotal += old[h]!;
      }
      this.total -= oldTotal;
    }
    this.days = this.history.length;
  }
}

/** Beyond this factor of its expectation a day is another regime (a paused channel resuming, a new campaign). */
const REGIME_FACTOR = 4;

/**
 * What a day's total teaches its weekday's usual total. A promotion or a broken day counts only as
 * far as the level may move in a day, beyond a count's own noise: two promotion Fridays in six weeks
 * would otherwise lift every Friday after them, while a handful of conversions is kept as counted.
 * A day of another regime — nothing usual, or a factor of 4 off — is kept as it is, or a channel
 * resuming after a pause would take months to become usual.
 */
function kept(total: number, usual: number, count: boolean): number {
  if (!(usual > 0) || total > usual * REGIME_FACTOR || total < usual / REGIME_FACTOR) return total;
  const noise = count ? 3 * Math.sqrt(usual) : 0;
  return Math.min(Math.max(total, usual * LEVEL_STEP_DOWN - noise), usual * LEVEL_STEP_UP + noise);
}

/**
 * `slots`: the local hour of week (hourly) or weekday (daily) of every point, in the configured
 * zone, so days, weekdays and hours are the team's own (DST-safe).
 */
export function computeBaseline(values: Float64Array, step: Step, metric: string, minHistoryDays: number, slots: Uint16Array): Baseline {
  const n = values.length;
  const expected = new Float64Array(n).fill(Number.NaN);
  const variance = new Float64Array(n).fill(Number.NaN);
  const shared = new Float64Array(n).fill(Number.NaN);
  const count = !CURRENCY.has(metric);
  const hours = step === "hour" ? 24 : 1;
  const hourly = step === "hour";
  const weekdayOf = (i: number) => (hourly ? (slots[i]! / 24) | 0 : slots[i]!);
  const calibrationUp = 1 + CALIBRATION_STEP[step];
  const calibrationDown = 1 - CALIBRATION_STEP[step];
  const minHistory = minHistoryDays * hours;
  let first = 0;
  while (first < n && Number.isNaN(values[first]!)) first += 1;

  // Daily totals per weekday; hour shares per kind of day (0: Monday–Friday, 1: weekend).
  const totals = Array.from({ length: 7 }, () => new Ring(SEASON_WEEKS));
  const shares = [new Shares(hours, SEASON_WEEKS * 5), new Shares(hours, SEASON_WEEKS * 2)];
  const buffer = new Float64Array(Math.max(SEASON_WEEKS, LEVEL_DAYS[step]));
  const ratios = new Ring(LEVEL_DAYS[step]);
  let level = 1;
  // Running median of the absolute standardised residuals: where a series is noisier than its
  // model says (lumpy money), its band widens to match. A median, so the promotion days and the
  // incidents in the history do not widen it.
  let calibration = MEDIAN_ABS_NORMAL;

  // The day being read: its points by hour, and whether every one of them arrived.
  let day = new Float64Array(hours);
  let dayPoints = 0;
  let dayComplete = true;
  let dayObserved = 0;
  let daySeasonal = 0;
  let weekday = first < n ? weekdayOf(first) : 0;
  // The usual total of the day being read (NaN while its weekday has too little history), and the
  // relative spread of the weekday's totals around it (robust: a promotion week does not count).
  let usualTotal = Number.NaN;
  // Hourly: the day's relative error, shared by its hours; daily: the day's own relative variance.
  let dayError = 0;
  const startDay = (wd: number) => {
    weekday = wd;
    const ring = totals[wd]!;
    usualTotal = Number.NaN;
    if (ring.size < 2) return;
    for (let k = 0; k < ring.size; k += 1) buffer[k] = ring.values[k]!;
    usualTotal = trimmedMean(buffer, ring.size);
    for (let k = 0; k < ring.size; k += 1) buffer[k] = Math.abs(ring.values[k]! - usualTotal);
    const weekSpread = (MAD_SCALE * median(buffer, ring.size)) / Math.max(usualTotal, Number.MIN_VALUE);
    const weeks = ring.size;
    dayError = hourly
      ? // The day's expectation is known to LEVEL_ERROR, and its usual total, a mean of a few weeks'
        // counts, to their Poisson error: errors all hours of the day share, so they do not average
        // out over a window of hours.
        Math.sqrt(LEVEL_ERROR * LEVEL_ERROR * (1 + 1 / weeks) + (count ? 1 / Math.max(weeks * usualTotal, 1) : 0))
      : // A daily point is a day: it wanders as its weekday's totals do, around a mean of a few weeks.
        weekSpread * weekSpread * (1 + 1 / weeks) + LEVEL_ERROR * LEVEL_ERROR;
  };

  const endDay = () => {
    let total = 0;
    for (let h = 0; h < hours; h += 1) total += day[h]!;
    // A day with a missing point (or the partial first day) teaches nothing about usual days.
    if (dayComplete && dayPoints >= hours - 1) {
      totals[weekday]!.push(kept(total, usualTotal * level, count));
      shares[weekday >= 5 ? 1 : 0]!.add(day, total);
    }
    if (daySeasonal > 0) {
      // A day far off the level (an incident, a promotion) moves it only step by step, so a few
      // broken days cannot become the new normal; a lasting shift is still adopted.
      ratios.push(Math.min(Math.max(dayObserved / daySeasonal, level * LEVEL_STEP_DOWN), level * LEVEL_STEP_UP));
      for (let k = 0; k < ratios.size; k += 1) buffer[k] = ratios.values[k]!;
      level = median(buffer, ratios.size);
    }
    day = new Float64Array(hours);
    dayPoints = 0;
    dayComplete = true;
    dayObserved = 0;
    daySeasonal = 0;
  };
  if (first < n) startDay(weekday);

  for (let i = first; i < n; i += 1) {
    const wd = weekdayOf(i);
    if (i > first && (step === "day" || wd !== weekday)) {
      endDay();
      startDay(wd);
    }
    const v = values[i]!;
    const h = hourly ? slots[i]! % 24 : 0;
    if (Number.isNaN(v)) dayComplete = false;
    else {
      day[h] = day[h]! + v;
      dayPoints += 1;
    }
    const kind = shares[wd >= 5 ? 1 : 0]!;
    if (Number.isNaN(usualTotal) || kind.total <= 0 || kind.days < 2) continue;
    const atHour = kind.byHour[h]!;
    const m = (usualTotal * atHour) / kind.total;
    const e = m * level;
    const own = (count ? e : 0) + (RELATIVE_FLOOR * e) ** 2;
    const raw = Math.sqrt(own) || Number.MIN_VALUE;
    if (i - first >= minHistory) {
      expected[i] = e;
      const widen = Math.max(1, calibration / MEDIAN_ABS_NORMAL);
      // The hour's share is estimated from the counts seen at that hour: few counts, a loose share.
      const own2 = own * widen * widen + (count ? (e * e) / Math.max(atHour, 1) : 0);
      variance[i] = hourly ? own2 : own2 + e * e * dayError;
      shared[i] = hourly ? dayError * e : 0;
    }
    if (!Number.isNaN(v)) {
      // Counts move in whole units: half a count of a residual is rounding, not noise.
      const residual = Math.max(Math.abs(v - e) - (count ? 0.5 : 0), 0) / raw;
      calibration *= residual > calibration ? calibrationUp : calibrationDown;
      dayObserved += v;
      daySeasonal += m;
    }
  }
  return { expected, variance, shared, count };
}
