// The facts a postmortem draft is prefilled with, one block per template placeholder, taken
// from the incident record; user text in them is inert.
import { estimatedCost } from "../card.js";
import type { FirebreakConfig } from "../config.js";
import type { IncidentState, Intervention, TimelineEntry } from "../model/incident.js";
import { confirmedLayer } from "../model/incident.js";
import { inline, person } from "../text/inert.js";
import { elapsedBetween, isoMs, utcText } from "../time.js";
import { ANSWER_PLACEHOLDER, repeatQuestion } from "./gate.js";

export interface ParallelPeak {
  /** Most interventions running at one moment. */
  count: number;
  /** When that peak began. */
  at?: string;
  /** The interventions running then, by number. */
  interventions: number[];
}

/**
 * The most interventions that ran at once. Each runs from `at` to `doneAt`; one still active
 * runs until `until` (the close). One that ends as another starts did not overlap it.
 */
export function peakParallelInterventions(interventions: readonly Intervention[], until: string): ParallelPeak {
  const end = isoMs(until) ?? Number.POSITIVE_INFINITY;
  const spans = interventions.flatMap((i) => {
    const s = isoMs(i.at);
    if (s === undefined) return [];
    const e = Math.max(s, isoMs(i.doneAt) ?? end);
    return [{ n: i.n, at: i.at, s, e }];
  });
  let peak: ParallelPeak = { count: 0, interventions: [] };
  for (const start of [...spans].sort((a, b) => a.s - b.s || a.n - b.n)) {
    const running = spans.filter((o) => o.s <= start.s && (start.s < o.e || o.s === start.s));
    if (running.length > peak.count) {
      peak = { count: running.length, at: start.at, interventions: running.map((r) => r.n).sort((a, b) => a - b) };
    }
  }
  return peak;
}

const SOURCE_TEXT: Record<NonNullable<IncidentState["layer"]["source"]>, string> = {
  form: "from the form",
  suggested: "suggested by Firebreak",
  command: "set with /layer",
  label: "set by label",
};

const OUTCOMES_TEXT: Record<NonNullable<IncidentState["declaration"]["outcomes"]>, string> = {
  business: "business outcomes changed (orders, revenue)",
  "reporting-only": "only platform reporting changed",
  "not-sure": "not sure at declaration",
};

export function summaryBlock(state: IncidentState, config: FirebreakConfig): string {
  const d = state.declaration;
  const lines: string[] = [];
  lines.push(`- **Symptom:** ${d.symptom ? inline(d.symptom, 600) : "—"}`);
  const scope = d.scope.map((s) => inline(s, 60)).join(", ") || "—";
  lines.push(`- **Scope:** ${scope}${d.scopeDetail ? ` — ${inline(d.scopeDetail, 300)}` : ""}`);
  if (d.outcomes) lines.push(`- **Business outcomes:** ${OUTCOMES_TEXT[d.outcomes]}`);
  lines.push(`- **Severity:** SEV${state.severity} (${inline(config.severities[state.severity].name, 40)})`);
  const started = d.startedAt ? utcText(d.startedAt) : d.started ? `“${inline(d.started, 80)}” (as written on the form)` : "—";
  const closed = state.times.closed ? utcText(state.times.closed) : "still open when this postmortem was opened";
  lines.push(`- **Started:** ${started} · **declared:** ${utcText(state.declaredAt)} · **closed:** ${closed}`);
  const r = state.resolution;
  if (r) {
    lines.push(`- **Cause:** ${inline(r.cause, 600)}`);
    lines.push(`- **Evidence:** ${inline(r.evidence, 600)}`);
    lines.push(`- **Fix:** ${r.fix ? inline(r.fix, 600) : "—"}`);
  } else {
    lines.push("- **Cause:** not recorded (`/resolve` was not run)");
  }
  const contained = state.containment.map((c) => inline(c.text, 200));
  if (d.containment) contained.unshift(inline(d.containment, 200));
  if (contained.length > 0) lines.push(`- **Containment:** ${contained.join("; ")}`);
  if (d.whatChanged || state.releases.length > 0) {
    const releases = state.releases.map((rel) => `release ${inline(rel.name ?? rel.tag, 80)} (${utcText(rel.at)})`);
    const parts = [...(d.whatChanged ? [inline(d.whatChanged, 300)] : []), ...releases];
    lines.push(`- **What changed just before:** ${parts.join("; ")}`);
  }
  return lines.join("\n");
}

export function rolesBlock(state: IncidentState): string {
  const r = state.roles;
  const responders = r.responders.map((x) => `${person(x.login)}${x.layer ? ` (${x.layer})` : ""}`).join(", ") || "—";
  return [
    `- **Detector:** ${person(r.detector)}`,
    `- **Owner:** ${person(r.owner)}${r.ownerNote ? ` — ${inline(r.ownerNote, 200)}` : ""}`,
    `- **Responders:** ${responders}`,
    `- **Comms:** ${person(r.comms)}`,
  ].join("\n");
}

export function layersBlock(state: IncidentState): string {
  const l = state.layer;
  const confirmed = confirmedLayer(state);
  const how = [l.confidence ? `${l.confidence} confidence` : undefined, l.source ? SOURCE_TEXT[l.source] : undefined]
    .filter(Boolean)
    .join(", ");
  const lines = [
    `- **Likely (triage):** ${l.likely ? `**${l.likely}**${how ? ` (${how})` : ""}` : "not set"}`,
    `- **Confirmed:** ${confirmed ? `**${confirmed}**` : "not recorded"}`,
  ];
  if (l.likely && confirmed) {
    lines.push(
      l.likely === confirmed
        ? "- Triage guessed right."
        : `- Triage guessed wrong: likely **${l.likely}**, confirmed **${confirmed}**.`,
    );
  }
  return lines.join("\n");
}

export function detectionBlock(state: IncidentState): string {
  const d = state.declaration;
  const detectedAt = d.detectedAt ?? state.declaredAt;
  const detectedHow = d.detectedAt ? "detection" : "detection (taken as the declaration)";
  const lag = elapsedBetween(d.startedAt, detectedAt);
  const first = lag
    ? `**${lag}** from start (${utcText(d.startedAt)}) to ${detectedHow} (${utcText(detectedAt)}).`
    : d.started
      ? `Unknown: the start time “${inline(d.started, 80)}” could not be read as a time.`
      : "Unknown: the form gave no start time.";
  const from = state.declaredAt;
  const milestones = [
    `detection → declaration ${elapsedBetween(detectedAt, from) ?? "—"}`,
    `declaration → owner ${elapsedBetween(from, state.times.owner) ?? "—"}`,
    `→ containment ${elapsedBetween(from, state.times.contained) ?? "—"}`,
    `→ resolution ${elapsedBetween(from, state.times.resolved) ?? "—"}`,
    `→ close ${elapsedBetween(from, state.times.closed) ?? "—"}`,
  ];
  return `${first}\n\n${milestones.join(" · ")}`;
}

export function interventionsBlock(state: IncidentState, config: FirebreakConfig, closedAt: string, limit: number): string {
  const all = state.interventions;
  if (all.length === 0) return "No interventions were logged (`/change`).";
  const peak = peakParallelInterventions(all, closedAt);
  const allowed = config.max_parallel_interventions;
  const over = peak.count > allowed ? ` — above the ${allowed} allowed in parallel: stacked changes blur which one worked` : "";
  const when = peak.count > 1 && peak.at ? ` (${peak.interventions.map((n) => `#${n}`).join(", ")}, from ${utcText(peak.at)})` : "";
  const lines = [`Most running at once: **${peak.count}**${when}${over}.`, ""];
  const shown = all.slice(-limit);
  if (all.length > shown.length) lines.push(`- … ${all.length - shown.length} earlier interventions are in the incident's comments`);
  for (const i of shown) {
    const ran = i.doneAt ? `${utcText(i.at)} → ${utcText(i.doneAt)} (${elapsedBetween(i.at, i.doneAt) ?? "—"})` : `${utcText(i.at)} → still active at close`;
    lines.push(`- #${i.n} ${inline(i.text, 200)} — ${person(i.by)}, ${ran}`);
  }
  return lines.join("\n");
}

export function updatesBlock(state: IncidentState, limit: number): string {
  if (state.updates.length === 0) return "No status updates were posted (`/update`).";
  const lacking = state.updates.filter((u) => u.missing.length > 0);
  if (lacking.length === 0) return `All ${state.updates.length} status updates had every field.`;
  const shown = lacking.slice(-limit);
  const lines = [`${lacking.length} of ${state.updates.length} status updates lacked fields:`, ""];
  if (lacking.length > shown.length) lines.push(`- … ${lacking.length - shown.length} earlier ones are in the incident's comments`);
  for (const u of shown) lines.push(`- ${utcText(u.at)} by ${person(u.by)} — missing: ${u.missing.join(", ")}`);
  return lines.join("\n");
}

export function costBlock(state: IncidentState, closedAt: string): string {
  const cost = estimatedCost(state, closedAt);
  if (!cost) return "No cost rate was given on the form, so Firebreak made no estimate.";
  const to = state.times.resolved ? "resolution" : "close";
  return `${cost} — the form's rate times the time from start to ${to}.`;
}

export function repeatBlock(state: IncidentState): string {
  const r = state.repeatOf;
  if (!r) return "";
  const pm = r.postmortem ? ` (postmortem #${r.postmortem})` : "";
  const fix = r.fix ? `its process fix: ${inline(r.fix, 300)}` : "no process fix was linked";
  return `**Repeat** of #${r.issue}${pm} — ${fix}. This postmortem also asks why that fix did not hold.`;
}

export function repeatQuestionBlock(state: IncidentState): string {
  return state.repeatOf ? `### ${repeatQuestion(state.repeatOf.issue)}\n\n${ANSWER_PLACEHOLDER}\n` : "";
}

export function timelineTable(entries: readonly TimelineEntry[], limit: number): string {
  if (entries.length === 0) return "_No timeline entries._";
  const first = Math.max(0, entries.length - limit);
  const rows = ["| # | when (UTC) | what | who |", "|---|---|---|---|"];
  if (first > 0) rows.push(`| … | | ${first} earlier entries are in the incident's comments | |`);
  entries.slice(first).forEach((e, k) => {
    rows.push(`| ${first + k + 1} | ${utcText(e.at)} | ${inline(e.text, 200)} | ${person(e.by)} |`);
  });
  return rows.join("\n");
}
