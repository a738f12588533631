// The figures of SPEC §16's report, from the records of incidents Firebreak wrote and the
// postmortems it opened: nothing but GitHub. Times are event times GitHub gave; medians and
// p90s are by nearest rank (the value at rank ⌈p·n⌉ of the sorted list), so every figure is one
// that happened.
import { costAmount, costCurrency } from "../card.js";
import type { Layer } from "../model/domain.js";
import { LAYERS, SEVERITIES } from "../model/domain.js";
import type { IncidentState } from "../model/incident.js";
import { confirmedLayer } from "../model/incident.js";
import { isIncidentStatus } from "../model/status.js";

export interface ReportIssue {
  number: number;
  title: string;
  url: string;
  state: IncidentState;
}

export interface ReportPostmortem {
  number: number;
  incident: number;
  open: boolean;
  /** `Due: YYYY-MM-DD` of its body. */
  due?: string;
}

export interface ReportInput {
  from: string;
  to: string;
  /** Issues whose record Firebreak wrote: incidents, and routine variance with or without a record of escalation. */
  issues: readonly ReportIssue[];
  postmortems: readonly ReportPostmortem[];
}

export const REPORT_TIMES = ["detect", "own", "contain", "resolve"] as const;
export type ReportTime = (typeof REPORT_TIMES)[number];

export interface IncidentRow {
  number: number;
  title: string;
  url: string;
  severity: number;
  status: IncidentState["status"];
  declaredAt: string;
  likelyLayer?: Layer;
  confirmedLayer?: Layer;
  /** Minutes from start to detection, and from declaration to owner, containment and resolution. */
  minutes: Partial<Record<ReportTime, number>>;
  repeatOf?: number;
  peakParallel: number;
  cost?: number;
  currency?: string;
  postmortem?: number;
}

export interface Spread {
  count: number;
  median?: number;
  p90?: number;
}

export interface ReportMetrics {
  incidents: number;
  byLayerSeverity: Record<Layer | "unknown", Record<"1" | "2" | "3", number>>;
  /** Minutes, over incidents that reached each milestone. */
  times: Record<ReportTime, Spread>;
  /** Minutes from start to detection, per layer (confirmed, else likely). */
  detectionGap: Partial<Record<Layer | "unknown", Spread>>;
  repeats: number[];
  triage: { judged: number; right: number; accuracy?: number };
  classification: { incidents: number; routineVariance: number; escalated: number[]; notIncident: number[] };
  peakParallel: { max: number; incident?: number };
  cost: { total: number; currency?: string; incidents: number };
  postmortemsOverdue: number[];
  fixesNotLinked: number[];
}

export interface Report {
  period: { from: string; to: string };
  incidents: IncidentRow[];
  metrics: ReportMetrics;
}

const MINUTE = 60_000;

/** The value at rank ⌈p·n⌉ of the sorted values. */
export function nearestRank(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1];
}

export function spread(values: readonly number[]): Spread {
  const median = nearestRank(values, 0.5);
  const p90 = nearestRank(values, 0.9);
  return { count: values.length, ...(median === undefined ? {} : { median }), ...(p90 === undefined ? {} : { p90 }) };
}

function minutesBetween(from: string | undefined, to: string | undefined): number | undefined {
  if (!from || !to) return undefined;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) && ms >= 0 ? Math.round(ms / MINUTE) : undefined;
}

const layerOf = (row: IncidentRow): Layer | "unknown" => row.confirmedLayer ?? row.likelyLayer ?? "unknown";

function escalated(state: IncidentState): boolean {
  return state.timeline.some((e) => e.text.startsWith("Escalated to an incident"));
}

function declaredNotIncident(state: IncidentState): boolean {
  return state.timeline.some((e) => e.text.startsWith("Not an incident:"));
}

export function incidentRow(issue: ReportIssue, to: string): IncidentRow {
  const s = issue.state;
  const minutes: IncidentRow["minutes"] = {};
  const times: Record<ReportTime, number | undefined> = {
    detect: minutesBetween(s.declaration.startedAt, s.declaration.detectedAt ?? s.declaredAt),
    own: minutesBetween(s.declaredAt, s.times.owner),
    contain: minutesBetween(s.declaredAt, s.times.contained),
    resolve: minutesBetween(s.declaredAt, s.times.resolved),
  };
  for (const t of REPORT_TIMES) if (times[t] !== undefined) minutes[t] = times[t];
  const cost = costAmount(s, to);
  const currency = s.declaration.cost ? costCurrency(s.declaration.cost.text) : undefined;
  const confirmed = confirmedLayer(s);
  return {
    number: issue.number,
    title: issue.title,
    url: issue.url,
    severity: s.severity,
    status: s.status,
    declaredAt: s.declaredAt,
    ...(s.layer.likely ? { likelyLayer: s.layer.likely } : {}),
    ...(confirmed ? { confirmedLayer: confirmed } : {}),
    minutes,
    ...(s.repeatOf ? { repeatOf: s.repeatOf.issue } : {}),
    peakParallel: s.maxParallel,
    ...(cost === undefined ? {} : { cost: Math.round(cost) }),
    ...(currency ? { currency } : {}),
    ...(s.postmortem ? { postmortem: s.postmortem.issue } : {}),
  };
}

function inPeriod(at: string, from: string, to: string): boolean {
  const t = Date.parse(at);
  return t >= Date.parse(from) && t <= Date.parse(to);
}

export function buildReport(input: ReportInput): Report {
  const { from, to } = input;
  const declared = input.issues.filter((i) => inPeriod(i.state.declaredAt, from, to));
  const incidents = declared.filter((i) => isIncidentStatus(i.state.status));
  const rows = incidents.map((i) => incidentRow(i, to)).sort((a, b) => a.number - b.number);
  const grid = Object.fromEntries([...LAYERS, "unknown"].map((l) => [l, { "1": 0, "2": 0, "3": 0 }])) as ReportMetrics["byLayerSeverity"];
  for (const r of rows) grid[layerOf(r)][String(r.severity) as "1" | "2" | "3"] += 1;
  const times = Object.fromEntries(REPORT_TIMES.map((t) => [t, spread(rows.flatMap((r) => (r.minutes[t] === undefined ? [] : [r.minutes[t]])))])) as ReportMetrics["times"];
  const detectionGap: ReportMetrics["detectionGap"] = {};
  for (const layer of [...LAYERS, "unknown"] as const) {
    const values = rows.filter((r) => layerOf(r) === layer).flatMap((r) => (r.minutes.detect === undefined ? [] : [r.minutes.detect]));
    if (values.length > 0) detectionGap[layer] = spread(values);
  }
  const judged = rows.filter((r) => r.likelyLayer && r.confirmedLayer);
  const right = judged.filter((r) => r.likelyLayer === r.confirmedLayer).length;
  const peak = rows.reduce<IncidentRow | undefined>((best, r) => (r.peakParallel > (best?.peakParallel ?? 0) ? r : best), undefined);
  const costed = rows.filter((r) => r.cost !== undefined);
  const currencies = new Set(costed.map((r) => r.currency));
  const postmortems = new Map(input.postmortems.map((p) => [p.number, p]));
  const today = to.slice(0, 10);
  const ownPostmortems = rows.flatMap((r) => (r.postmortem === undefined ? [] : [postmortems.get(r.postmortem)].filter((p) => p?.incident === r.number)));
  return {
    period: { from, to },
    incidents: rows,
    metrics: {
      incidents: rows.length,
      byLayerSeverity: grid,
      times,
      detectionGap,
      repeats: rows.filter((r) => r.repeatOf !== undefined).map((r) => r.number),
      triage: { judged: judged.length, right, ...(judged.length > 0 ? { accuracy: right / judged.length } : {}) },
      classification: {
        incidents: rows.length,
        routineVariance: declared.filter((i) => i.state.status === "routine-variance").length,
        escalated: rows.filter((r) => escalated(incidents.find((i) => i.number === r.number)!.state)).map((r) => r.number),
        notIncident: declared.filter((i) => !isIncidentStatus(i.state.status) && declaredNotIncident(i.state)).map((i) => i.number),
      },
      peakParallel: { max: peak?.peakParallel ?? 0, ...(peak ? { incident: peak.number } : {}) },
      cost: { total: costed.reduce((sum, r) => sum + (r.cost ?? 0), 0), ...(currencies.size === 1 && [...currencies][0] ? { currency: [...currencies][0] } : {}), incidents: costed.length },
      postmortemsOverdue: ownPostmortems.filter((p) => p!.open && p!.due !== undefined && p!.due < today).map((p) => p!.number),
      fixesNotLinked: incidents.filter((i) => i.state.postmortem?.complete && !i.state.postmortem.fix).map((i) => i.number),
    },
  };
}

export const SEVERITY_KEYS = SEVERITIES.map(String) as ("1" | "2" | "3")[];
