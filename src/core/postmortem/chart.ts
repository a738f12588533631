// The incident's timeline as a Mermaid gantt chart for the postmortem, which GitHub renders.
// Its lexer treats `:` `;` `#` `%%` `"` and (in some versions) parentheses as syntax, and
// keywords at the start of a line as statements, so labels keep only safe characters and
// always start with our own word.
import type { IncidentState } from "../model/incident.js";
import { isoMs } from "../time.js";

const CHART_ENTRIES = 40;

/** Text safe inside a Mermaid gantt task name. */
export function mermaidLabel(text: string, max = 60): string {
  const safe = text
    .replace(/[^\p{L}\p{M}\p{N} .,'/+=*!?_-]+/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
  return safe.length > max ? `${safe.slice(0, max - 1).trimEnd()}…` : safe;
}

function chartTime(iso: string | undefined): string | undefined {
  const t = isoMs(iso);
  if (t === undefined) return undefined;
  const s = new Date(t).toISOString();
  // Mermaid's dateFormat below; the four-digit year keeps the lexer's date token valid.
  return /^\d{4}-/.test(s) ? `${s.slice(0, 10)} ${s.slice(11, 16)}` : undefined;
}

export function timelineChart(state: IncidentState, incident: number, closedAt: string): string {
  const tasks: string[] = [];
  const d = state.declaration;
  const detectedAt = d.detectedAt ?? state.declaredAt;
  const phases: [string, string | undefined, string | undefined, string][] = [
    ["Undetected", d.startedAt, detectedAt, "crit, "],
    ["Detected until declared", detectedAt, state.declaredAt, ""],
    ["Declared until resolved", state.declaredAt, state.times.resolved, ""],
    ["Resolved until closed", state.times.resolved, state.times.closed, "done, "],
  ];
  const phaseLines: string[] = [];
  phases.forEach(([label, from, to, tag], k) => {
    const a = chartTime(from);
    const b = chartTime(to);
    if (a && b && (isoMs(to) ?? 0) > (isoMs(from) ?? 0)) phaseLines.push(`    ${label} : ${tag}p${k + 1}, ${a}, ${b}`);
  });
  if (phaseLines.length > 0) tasks.push("    section Phases", ...phaseLines);
  const close = chartTime(closedAt);
  const interventionLines = state.interventions.slice(-CHART_ENTRIES).flatMap((i) => {
    const a = chartTime(i.at);
    const b = chartTime(i.doneAt) ?? close;
    if (!a || !b) return [];
    const end = (isoMs(i.doneAt) ?? isoMs(closedAt) ?? 0) > (isoMs(i.at) ?? 0) ? b : "1m";
    return [`    Change ${i.n} ${mermaidLabel(i.text)} : ${i.doneAt ? "done" : "active"}, i${i.n}, ${a}, ${end}`];
  });
  if (interventionLines.length > 0) tasks.push("    section Interventions", ...interventionLines);
  const first = Math.max(0, state.timeline.length - CHART_ENTRIES);
  const entryLines = state.timeline.slice(first).flatMap((e, k) => {
    const a = chartTime(e.at);
    const n = first + k + 1;
    return a ? [`    ${n} ${mermaidLabel(e.text) || "entry"} : milestone, t${n}, ${a}, 0m`] : [];
  });
  if (entryLines.length > 0) tasks.push("    section Timeline", ...entryLines);
  if (tasks.length === 0) return "";
  return [
    "```mermaid",
    "gantt",
    `    title Incident ${incident} in UTC`,
    "    dateFormat YYYY-MM-DD HH:mm",
    "    axisFormat %m-%d %H:%M",
    ...tasks,
    "```",
  ].join("\n");
}
