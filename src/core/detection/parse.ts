// KPI input (SPEC §14): CSV or JSON Lines, wide (`timestamp,channel,<metric>…`) or long
// (`timestamp,channel,metric,value`), hourly or daily. Every row is checked and the first bad
// one is refused with its line and column. Parsing is linear and bounded: the grid and the
// number of series have caps, so a hostile file cannot make the engine allocate without limit.
import { parse as parseCsv } from "csv-parse/sync";
import { z } from "zod";
import { inline } from "../text/inert.js";
import type { Step } from "./time.js";
import { DAY_MS, HOUR_MS, seasonalSlots, wallToInstant } from "./time.js";

export interface KpiSeries {
  /** `all` (the whole store), an ad channel, or a store slice `line:<name>` / `market:<name>`. */
  channel: string;
  metric: string;
  /** One value per grid point; NaN where the point is missing. */
  values: Float64Array;
}

/** Parsed points on one regular grid, grouped by (channel, metric). */
export interface KpiSeriesSet {
  step: Step;
  /** Hourly: the instant (ms) of grid point 0. Daily: its day number (days since 1970-01-01). */
  start: number;
  length: number;
  /** The zone the slots were computed in. */
  timezone: string;
  /** Local hour of week (hourly) or weekday (daily) of each grid point, Monday first. */
  slots: Uint16Array;
  series: KpiSeries[];
}

export interface KpiInputError {
  line: number;
  column: number;
  message: string;
}

export type KpiParse = { ok: true; data: KpiSeriesSet } | { ok: false; error: KpiInputError };

export interface ParseOptions {
  format?: "csv" | "jsonl";
  /** IANA zone for slots and for timestamps written without an offset (default UTC). */
  timezone?: string;
}

/** About 6.8 years of hours; far more days than any KPI history. */
export const MAX_GRID_POINTS = 60_000;
export const MAX_SERIES = 250;
const MAX_NAME = 100;

class InputError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    message: string,
  ) {
    super(message);
  }
}

interface Stamp {
  step: Step;
  /** ms instant (hourly) or day number (daily). */
  value: number;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function parseStamp(text: string, zone: string): Stamp | string {
  const m = TIMESTAMP.exec(text.trim());
  if (!m) return `"${clip(text)}" is not an ISO 8601 timestamp or YYYY-MM-DD date`;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = Date.UTC(year, month - 1, day);
  const check = new Date(date);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return `"${clip(text)}" is not a calendar date`;
  if (m[4] === undefined) return { step: "day", value: date / DAY_MS };
  const [hour, minute, second] = [Number(m[4]), Number(m[5]), Number(m[6] ?? 0)];
  if (hour > 23 || minute > 59 || second > 59) return `"${clip(text)}" is not a time of day`;
  const wall = date + hour * HOUR_MS + minute * 60_000 + second * 1000;
  const zoneText = m[7];
  if (zoneText === undefined) {
    const instant = wallToInstant(wall, zone);
    return instant === undefined ? `${clip(text)} does not exist in ${zone} (the clocks skip it)` : { step: "hour", value: instant };
  }
  if (zoneText === "Z") return { step: "hour", value: wall };
  const digits = zoneText.replace(":", "");
  const offset = (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5))) * (digits.startsWith("-") ? -1 : 1);
  return { step: "hour", value: wall - offset * 60_000 };
}

/** Input echoed in an error (which the faces put in an issue): short and inert. */
function clip(text: string): string {
  return inline(text, 40);
}

/** Names reach signal reasons and issue titles: letters, digits and a few separators only. */
const NAME = /^[\p{L}\p{N}_. &/-]+$/u;

/** A number as a KPI export writes it; empty means missing. */
function parseValue(text: string): number | undefined | string {
  const trimmed = text.trim();
  if (trimmed === "" || trimmed.toLowerCase() === "null" || trimmed.toLowerCase() === "na") return undefined;
  // One character class, so the check is linear; Number() does the rest.
  const value = /^[-+0-9.eE]+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  return Number.isFinite(value) ? value : `"${clip(text)}" is not a number`;
}

function channelName(text: string): string | { error: string } {
  const name = text.trim().toLowerCase();
  if (name === "") return "all";
  if (name.length > MAX_NAME) return { error: `channel name longer than ${MAX_NAME} characters` };
  const colon = name.indexOf(":");
  if (colon !== -1) {
    const kind = name.slice(0, colon);
    if ((kind !== "line" && kind !== "market") || !NAME.test(name.slice(colon + 1))) return { error: `"${clip(text)}": a store slice is line:<name> or market:<name>` };
  } else if (!NAME.test(name)) {
    return { error: `"${clip(text)}": a channel name is letters, digits, spaces and _ . & / -` };
  }
  return name;
}

function metricName(text: string): string | { error: string } {
  const name = text.trim().toLowerCase();
  if (name === "") return { error: "empty metric name" };
  if (name.length > MAX_NAME) return { error: `metric name longer than ${MAX_NAME} characters` };
  if (!NAME.test(name)) return { error: `"${clip(text)}": a metric name is letters, digits, spaces and _ . & / -` };
  if (["timestamp", "date", "channel", "metric", "value"].includes(name)) return { error: `"${name}" cannot be a metric` };
  return name;
}

interface Pending {
  channel: string;
  metric: string;
  at: number[];
  values: number[];
  lines: number[];
  columns: number[];
}

/** Collects points in file order, then lays them on one grid. */
class Collector {
  private step: Step | undefined;
  /** Hourly grids are aligned to the first timestamp's minute within the hour. */
  private phase = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;
  private readonly byKey = new Map<string, Pending>();
  /** The last timestamp read: a wide file repeats it on every channel's row, and reading one costs zone lookups. */
  private last: { text: string; index: number } | undefined;

  constructor(private readonly zone: string) {}

  stamp(text: string, line: number, column: number): number {
    if (this.last?.text === text) return this.last.index;
    const index = this.newStamp(text, line, column);
    this.last = { text, index };
    return index;
  }

  private newStamp(text: string, line: number, column: number): number {
    const stamp = parseStamp(text, this.zone);
    if (typeof stamp === "string") throw new InputError(line, column, stamp);
    if (this.step === undefined) {
      this.step = stamp.step;
      this.phase = ((stamp.value % HOUR_MS) + HOUR_MS) % HOUR_MS;
    } else if (this.step !== stamp.step) {
      throw new InputError(line, column, `mixes dates and times: the file is ${this.step === "day" ? "daily (YYYY-MM-DD)" : "hourly (timestamps with a time)"}`);
    }
    const index = stamp.step === "day" ? stamp.value : Math.floor((stamp.value - this.phase) / HOUR_MS);
    const min = Math.min(this.min, index);
    const max = Math.max(this.max, index);
    if (max - min + 1 > MAX_GRID_POINTS) throw new InputError(line, column, `the data would span more than ${MAX_GRID_POINTS} ${stamp.step === "day" ? "days" : "hours"}`);
    this.min = min;
    this.max = max;
    return index;
  }

  add(channel: string, metric: string, index: number, value: number | undefined, line: number, column: number): void {
    const key = `${channel}\u0000${metric}`;
    let pending = this.byKey.get(key);
    if (!pending) {
      if (this.byKey.size >= MAX_SERIES) throw new InputError(line, column, `more than ${MAX_SERIES} (channel, metric) series`);
      pending = { channel, metric, at: [], values: [], lines: [], columns: [] };
      this.byKey.set(key, pending);
    }
    pending.at.push(index);
    pending.values.push(value ?? Number.NaN);
    pending.lines.push(line);
    pending.columns.push(column);
  }

  finish(): KpiSeriesSet {
    const step = this.step ?? "hour";
    if (this.step === undefined) return { step, start: 0, length: 0, timezone: this.zone, slots: new Uint16Array(0), series: [] };
    const length = this.max - this.min + 1;
    const start = step === "day" ? this.min : this.min * HOUR_MS + this.phase;
    const series: KpiSeries[] = [];
    for (const p of this.byKey.values()) {
      const values = new Float64Array(length).fill(Number.NaN);
      const seen = new Uint8Array(length);
      for (let k = 0; k < p.at.length; k += 1) {
        const i = p.at[k]! - this.min;
        if (seen[i] === 1) throw new InputError(p.lines[k]!, p.columns[k]!, `a second value for ${p.channel} ${p.metric} at the same ${step}`);
        seen[i] = 1;
        values[i] = p.values[k]!;
      }
      series.push({ channel: p.channel, metric: p.metric, values });
    }
    series.sort((a, b) => (a.channel === b.channel ? (a.metric < b.metric ? -1 : 1) : a.channel < b.channel ? -1 : 1));
    return { step, start, length, timezone: this.zone, slots: seasonalSlots(step, start, length, this.zone), series };
  }
}

function must<T>(result: T | { error: string }, line: number, column: number): T {
  if (typeof result === "object" && result !== null && "error" in result) throw new InputError(line, column, result.error);
  return result as T;
}

function value(text: string, line: number, column: number): number | undefined {
  const parsed = parseValue(text);
  if (typeof parsed === "string") throw new InputError(line, column, parsed);
  return parsed;
}

interface Layout {
  timestamp: number;
  channel: number | undefined;
  /** Long: the metric and value columns. Wide: the metric of each other column. */
  long: { metric: number; value: number } | undefined;
  metrics: { column: number; name: string }[];
}

function layout(header: readonly string[], line: number, columnOf: (index: number) => number): Layout {
  const names = header.map((h) => h.trim().toLowerCase().replace(/^\ufeff/, ""));
  const find = (name: string) => {
    const i = names.indexOf(name);
    return i === -1 ? undefined : i;
  };
  const timestamp = find("timestamp") ?? find("date");
  if (timestamp === undefined) throw new InputError(line, 1, "no timestamp column (a header naming timestamp or date)");
  const channel = find("channel");
  const metric = find("metric");
  const valueColumn = find("value");
  const used = new Set([timestamp, channel, metric, valueColumn]);
  const rest = names.flatMap((name, i) => (used.has(i) ? [] : [{ column: i, name }]));
  if (metric !== undefined && valueColumn !== undefined) {
    if (rest.length > 0) throw new InputError(line, columnOf(rest[0]!.column), `a long file has timestamp, channel, metric and value only; "${clip(rest[0]!.name)}" is extra`);
    return { timestamp, channel, long: { metric, value: valueColumn }, metrics: [] };
  }
  if (metric !== undefined || valueColumn !== undefined) throw new InputError(line, columnOf(metric ?? valueColumn!), "a long file needs both a metric and a value column");
  const seen = new Set<string>();
  const metrics = rest.map((r) => {
    const name = must(metricName(r.name), line, columnOf(r.column));
    if (seen.has(name)) throw new InputError(line, columnOf(r.column), `metric "${clip(name)}" appears twice in the header`);
    seen.add(name);
    return { column: r.column, name };
  });
  if (metrics.length === 0) throw new InputError(line, 1, "no metric columns (wide: timestamp,channel,<metric>…; long: timestamp,channel,metric,value)");
  return { timestamp, channel, long: undefined, metrics };
}

/** One row of either format: `cell(i)` is the text of column i, `columnOf(i)` where it starts. */
function readRow(rows: Collector, shape: Layout, line: number, cell: (i: number) => string, columnOf: (i: number) => number): void {
  const index = rows.stamp(cell(shape.timestamp), line, columnOf(shape.timestamp));
  const channel = shape.channel === undefined ? "all" : must(channelName(cell(shape.channel)), line, columnOf(shape.channel));
  if (shape.long) {
    const metric = must(metricName(cell(shape.long.metric)), line, columnOf(shape.long.metric));
    rows.add(channel, metric, index, value(cell(shape.long.value), line, columnOf(shape.long.value)), line, columnOf(shape.long.value));
    return;
  }
  for (const m of shape.metrics) rows.add(channel, m.name, index, value(cell(m.column), line, columnOf(m.column)), line, columnOf(m.column));
}

function parseCsvText(text: string, zone: string): KpiSeriesSet {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parseCsv(text, { info: true, bom: true, skip_empty_lines: true, relax_column_count: false }) as unknown as typeof records;
  } catch (error) {
    const e = error as { lines?: unknown; column?: unknown; code?: unknown };
    const line = typeof e.lines === "number" ? e.lines : 1;
    // A row longer than the header is wrong at its first extra field.
    const expectedFields = e.code === "CSV_RECORD_INCONSISTENT_FIELDS_LENGTH" ? /expect (\d+)/.exec(error instanceof Error ? error.message : "") : null;
    const column = expectedFields ? Number(expectedFields[1]) + 1 : typeof e.column === "number" ? e.column + 1 : 1;
    const reason = e.code === "CSV_RECORD_INCONSISTENT_FIELDS_LENGTH" ? "a different number of fields than the header" : e.code === "CSV_QUOTE_NOT_CLOSED" ? "a quote that is never closed" : "malformed CSV";
    throw new InputError(line, column, reason);
  }
  const rows = new Collector(zone);
  if (records.length === 0) return rows.finish();
  const field = (i: number) => i + 1;
  const shape = layout(records[0]!.record, records[0]!.info.lines, field);
  for (let r = 1; r < records.length; r += 1) {
    const { record, info } = records[r]!;
    readRow(rows, shape, info.lines, (i) => record[i] ?? "", field);
  }
  return rows.finish();
}

const jsonRow = z.record(z.string(), z.union([z.number(), z.string(), z.null()]));

function parseJsonLines(text: string, zone: string): KpiSeriesSet {
  const rows = new Collector(zone);
  let lineNumber = 0;
  for (const raw of text.split("\n")) {
    lineNumber += 1;
    const line = raw.replace(/\r$/, "").replace(/^\ufeff/, "");
    if (line.trim() === "") continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      const message = error instanceof Error ? error.message : "";
      const position = /position (\d+)/.exec(message);
      const column = position ? Number(position[1]) + 1 : message.includes("end of JSON") ? line.length + 1 : 1;
      throw new InputError(lineNumber, column, "not valid JSON");
    }
    const row = jsonRow.safeParse(parsed);
    if (!row.success) throw new InputError(lineNumber, 1, "each line is one JSON object of numbers, strings or nulls");
    // Each object names its own columns: a line may carry some metrics and omit others.
    const entries = Object.entries(row.data);
    const columnOf = (i: number) => keyColumn(line, entries[i]![0]);
    const shape = layout(
      entries.map(([key]) => key),
      lineNumber,
      columnOf,
    );
    readRow(rows, shape, lineNumber, (i) => (entries[i]![1] === null ? "" : String(entries[i]![1])), columnOf);
  }
  return rows.finish();
}

function keyColumn(line: string, key: string): number {
  const at = line.indexOf(JSON.stringify(key));
  return at === -1 ? 1 : at + 1;
}

/** Parses a KPI file; never throws on bad input. */
export function parseKpi(text: string, opts: ParseOptions = {}): KpiParse {
  const zone = opts.timezone ?? "UTC";
  const format = opts.format ?? (text.trimStart().startsWith("{") ? "jsonl" : "csv");
  try {
    return { ok: true, data: format === "jsonl" ? parseJsonLines(text, zone) : parseCsvText(text, zone) };
  } catch (error) {
    if (error instanceof InputError) return { ok: false, error: { line: error.line, column: error.column, message: error.message } };
    throw error;
  }
}
