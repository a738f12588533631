// The report as Markdown GitHub renders — tables and Mermaid charts (`pie`, `xychart-beta`) —
// for `firebreak report` and the dashboard. Titles are user text: made inert.
import { money } from "../card.js";
import { LAYERS } from "../model/domain.js";
import { formatElapsed } from "../time.js";
import type { Report, ReportMetrics, ReportTime, Spread } from "./metrics.js";
import { REPORT_TIMES, SEVERITY_KEYS } from "./metrics.js";

const TIME_NAMES: Record<ReportTime, string> = {
  detect: "start → detection",
  own: "declaration → owner",
  contain: "declaration → containment",
  resolve: "declaration → resolution",
};

const minutes = (m: number | undefined) => (m === undefined ? "—" : formatElapsed(m * 60_000));
const hours = (m: number | undefined) => Math.round(((m ?? 0) / 60) * 10) / 10;
const list = (numbers: readonly number[]) => (numbers.length === 0 ? "none" : numbers.map((n) => `#${n}`).join(", "));
const layers = [...LAYERS, "unknown"] as const;

function fence(chart: string[]): string {
  return ["```mermaid", ...chart, "```"].join("\n");
}

/** Incidents per layer: a pie of the layers that had any. */
export function layerPie(m: ReportMetrics): string | undefined {
  const slices = layers.map((l) => [l, SEVERITY_KEYS.reduce((n, s) => n + m.byLayerSeverity[l][s], 0)] as const).filter(([, n]) => n > 0);
  if (slices.length === 0) return undefined;
  return fence(["pie title Incidents by layer", ...slices.map(([l, n]) => `    "${l}" : ${n}`)]);
}

/** Median and p90 hours per measured time: bars and a line. */
export function timesChart(m: ReportMetrics): string | undefined {
  if (REPORT_TIMES.every((t) => m.times[t].count === 0)) return undefined;
  const p90 = REPORT_TIMES.map((t) => hours(m.times[t].p90));
  return fence([
    "xychart-beta",
    '    title "Hours to detect, own, contain, resolve (bars median, line p90)"',
    `    x-axis [${REPORT_TIMES.map((t) => `"${t}"`).join(", ")}]`,
    `    y-axis "hours" 0 --> ${Math.max(1, Math.ceil(Math.max(...p90)))}`,
    `    bar [${REPORT_TIMES.map((t) => hours(m.times[t].median)).join(", ")}]`,
    `    line [${p90.join(", ")}]`,
  ]);
}

/** Median hours from start to detection per layer: which layer hides incidents longest. */
export function detectionChart(m: ReportMetrics): string | undefined {
  const measured = layers.filter((l) => m.detectionGap[l] !== undefined);
  if (measured.length === 0) return undefined;
  const medians = measured.map((l) => hours(m.detectionGap[l]?.median));
  return fence([
    "xychart-beta",
    '    title "Median hours from start to detection, by layer"',
    `    x-axis [${measured.map((l) => `"${l}"`).join(", ")}]`,
    `    y-axis "hours" 0 --> ${Math.max(1, Math.ceil(Math.max(...medians)))}`,
    `    bar [${medians.join(", ")}]`,
  ]);
}

function spreadRow(name: string, s: Spread | undefined): string {
  return `| ${name} | ${s?.count ?? 0} | ${minutes(s?.median)} | ${minutes(s?.p90)} |`;
}

/** Every Mermaid chart of a report, for tests that parse them. */
export function reportCharts(report: Report): string[] {
  return [layerPie(report.metrics), timesChart(report.metrics), detectionChart(report.metrics)].filter((c): c is string => c !== undefined);
}

export function renderReportMarkdown(report: Report, heading = "##"): string {
  const m = report.metrics;
  const out: string[] = [];
  const accuracy = m.triage.accuracy === undefined ? "—" : `${Math.round(m.triage.accuracy * 100)}% (${m.triage.right} of ${m.triage.judged})`;
  const cost = m.cost.incidents === 0 ? "—" : `≈ ${m.cost.currency ? money(m.cost.total, m.cost.currency) : `${money(m.cost.total, undefined)} (mixed currencies)`} over ${m.cost.incidents} incident(s) with a cost rate`;
  out.push(`${heading} Firebreak report ${report.period.from.slice(0, 10)} → ${report.period.to.slice(0, 10)}`, "");
  out.push(
    `**${m.incidents} incident(s)** · ${m.classification.routineVariance} routine variance · triage accuracy ${accuracy} · peak parallel interventions ${m.peakParallel.max}${m.peakParallel.incident ? ` (#${m.peakParallel.incident})` : ""} · estimated cost ${cost}`,
    "",
  );
  out.push(`${heading}# Incidents by layer and severity`, "", "| layer | SEV1 | SEV2 | SEV3 | total |", "|---|---:|---:|---:|---:|");
  for (const l of layers) {
    const row = m.byLayerSeverity[l];
    const total = SEVERITY_KEYS.reduce((n, s) => n + row[s], 0);
    if (total > 0 || l !== "unknown") out.push(`| ${l} | ${row["1"]} | ${row["2"]} | ${row["3"]} | ${total} |`);
  }
  const pie = layerPie(m);
  if (pie) out.push("", pie);
  out.push("", `${heading}# Time to detect, own, contain and resolve`, "", "| time | incidents | median | p90 |", "|---|---:|---:|---:|");
  for (const t of REPORT_TIMES) out.push(spreadRow(TIME_NAMES[t], m.times[t]));
  const times = timesChart(m);
  if (times) out.push("", times);
  out.push("", `${heading}# Detection gap per layer`, "", "| layer | incidents | median | p90 |", "|---|---:|---:|---:|");
  for (const l of layers) if (m.detectionGap[l]) out.push(spreadRow(l, m.detectionGap[l]));
  const detection = detectionChart(m);
  if (detection) out.push("", detection);
  out.push("", `${heading}# Learning`, "");
  out.push(`- Repeats: ${list(m.repeats)}`);
  out.push(`- Triage: the likely layer was the confirmed one in ${accuracy}`);
  out.push(`- Under-classified (routine variance escalated to an incident): ${list(m.classification.escalated)}`);
  out.push(`- Over-classified (declared, then not an incident): ${list(m.classification.notIncident)}`);
  out.push(`- Postmortems overdue: ${list(m.postmortemsOverdue)}`);
  out.push(`- Process fix not yet linked (postmortem complete): ${list(m.fixesNotLinked)}`);
  return out.join("\n");
}
