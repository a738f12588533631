// What a detection writes: the incident a break opens (the evidence, then the issue form as
// GitHub renders it, so it is declared like any person's), the update a matching incident gets,
// and the note that records the break clearing. Channel and metric names come from KPI files and
// are made inert; numbers are Firebreak's own.
import type { Signal } from "../detection/index.js";
import type { ReleaseView } from "../declaration/declare.js";
import { releasesBefore } from "../declaration/declare.js";
import { renderFormBody, type FormAnswers } from "../declaration/template.js";
import type { Confidence } from "../model/domain.js";
import type { DetectionKey } from "../model/markers.js";
import { detectionClearedMarker, detectionMarker } from "../model/markers.js";
import { inline } from "../text/inert.js";
import { isoMs, utcText } from "../time.js";
import { shorten } from "../tracking-qa/evidence.js";
import type { BandPoint } from "./chart.js";
import { scopeOf, type SignalGroup } from "./signals.js";

/** Signals listed in one evidence table; a break rarely has more metrics than this. */
const MAX_ROWS = 20;

const number = new Intl.NumberFormat("en-US", { maximumSignificantDigits: 4 });

function num(n: number): string {
  return Number.isFinite(n) ? number.format(n) : "—";
}

/** How far outside its band a point sits, in band widths from the expectation. */
function distance(s: Pick<Signal, "observed" | "expected" | "low" | "high">): number {
  const edge = s.observed < s.expected ? s.low : s.high;
  const width = Math.abs(s.expected - edge);
  return width > 0 ? Math.abs(s.observed - s.expected) / width : Infinity;
}

/** How sure the layer reading is: a named layer far outside its band is clear; `unknown` never is. */
export function confidenceOf(s: Signal): Confidence {
  if (s.layer === "unknown") return "low";
  const d = distance(s);
  return d >= 3 ? "high" : d >= 1.5 ? "medium" : "low";
}

function change(s: Pick<Signal, "observed" | "expected">): string {
  if (s.expected === 0) return s.observed > 0 ? "up from nothing" : "flat";
  const pct = Math.round(((s.observed - s.expected) / Math.abs(s.expected)) * 100);
  return pct < 0 ? `${-pct}% below expected` : `${pct}% above expected`;
}

const code = (text: string, max = 80) => `\`${inline(text, max)}\``;

/** One line saying what broke: metric, channel, size and since when. */
export function headline(s: Signal): string {
  return `${code(s.metric)} of ${code(s.channel)} was ${num(s.observed)} at ${utcText(s.at)}, ${change(s)} (expected ${num(s.expected)}, band ${num(s.low)}–${num(s.high)}), since ${utcText(s.since)}`;
}

function evidenceTable(signals: readonly Signal[]): string {
  const rows = signals.slice(0, MAX_ROWS).map((s) => `| ${code(s.metric)} | ${s.layer} | ${num(s.observed)} | ${num(s.expected)} | ${num(s.low)}–${num(s.high)} | ${num(s.score)} | ${utcText(s.since)} | ${inline(s.reason, 200)} |`);
  if (signals.length > MAX_ROWS) rows.push(`| … ${signals.length - MAX_ROWS} more | | | | | | | |`);
  return ["| metric | layer | observed | expected | band | score | since | why |", "|---|---|---|---|---|---|---|---|", ...rows].join("\n");
}

/** The evidence of one break: what it is, the numbers, the chart. */
function evidence(group: SignalGroup, chart: string): string {
  const lead = group.lead;
  return [
    `**${lead.layer === "unknown" ? "A KPI break" : `A likely ${lead.layer} break`} on ${code(lead.channel)}**: ${headline(lead)}.`,
    "",
    `Likely layer: **${lead.layer}** (confidence ${confidenceOf(lead)}) — ${inline(lead.reason, 300)}`,
    "",
    evidenceTable(group.signals),
    ...(chart ? ["", chart] : []),
  ].join("\n");
}

const LAYER_OPTION: Record<Signal["layer"], string> = {
  economics: "Economics",
  measurement: "Measurement",
  conversion: "Conversion",
  delivery: "Delivery",
  operations: "Business operations",
  unknown: "Not sure",
};

const OUTCOMES: Record<Signal["layer"], string> = {
  // Platform conversions fell while store orders held: only reporting changed.
  measurement: "No —",
  conversion: "Yes",
  operations: "Yes",
  economics: "Not sure",
  delivery: "Not sure",
  unknown: "Not sure",
};

export interface DetectionDraftContext {
  /** The repository's issue form (or the shipped one). */
  formTemplate: string;
  /** `detection.channels`: KPI channel → form scope. */
  channels: Readonly<Record<string, string>>;
  /** Releases, newest first: those published in the window are what changed. */
  releases: readonly ReleaseView[];
  /** How long before the break releases count (`lookback_hours`). */
  lookbackHours: number;
  /** The lead series against its band. */
  chart: string;
}

export interface DetectionIncidentDraft {
  title: string;
  body: string;
  marker: string;
}

function whatChanged(group: SignalGroup, ctx: DetectionDraftContext): string {
  const from = isoMs(group.key.since) ?? isoMs(group.lead.at) ?? 0;
  const to = isoMs(group.lead.at) ?? from;
  const hours = ctx.lookbackHours + Math.max(0, (to - from) / 3_600_000);
  const listed = releasesBefore(ctx.releases, new Date(to).toISOString(), hours);
  if (listed.length === 0) return `No release was published in the ${ctx.lookbackHours} h before the break or since (checked by Firebreak).`;
  return [
    `Releases in the ${ctx.lookbackHours} h before the break or since:`,
    ...listed.map((r) => `- ${code(r.tag)}${r.name && r.name !== r.tag ? ` (${inline(r.name, 100)})` : ""}, published ${utcText(r.publishedAt)}`),
  ].join("\n");
}

/**
 * The incident a break opens, written as the issue form renders it (so it is declared like any
 * person's), with the evidence above the form's answers where the form parser does not look.
 */
export function detectionIncidentDraft(group: SignalGroup, ctx: DetectionDraftContext): DetectionIncidentDraft {
  const lead = group.lead;
  const marker = detectionMarker(group.key);
  const title = shorten(`Detected: ${inline(lead.metric, 60)} of ${inline(lead.channel, 60)} ${change(lead)} (${lead.layer})`.replace(/\\/g, ""), 240);
  const severe = lead.severity <= 2;
  const threshold = [
    "Waiting costs materially more", // a break the data shows is already costing every hour
    ...(severe ? ["It changes near-term decisions"] : []),
    ...(lead.severity === 1 ? ["It needs a coordinated response"] : []),
  ];
  const answers: FormAnswers = {
    symptom: [`${headline(lead)}.`, ...group.signals.slice(1, MAX_ROWS).map((s) => `- ${headline(s)}`)].join("\n"),
    started: group.key.since,
    detected: lead.at,
    scope: [scopeOf(lead.channel, ctx.channels)],
    "scope-detail": `KPI channel ${code(lead.channel)}; metrics ${group.signals
      .slice(0, MAX_ROWS)
      .map((s) => code(s.metric, 40))
      .join(", ")}`,
    outcomes: OUTCOMES[lead.layer],
    "what-changed": whatChanged(group, ctx),
    layer: LAYER_OPTION[lead.layer],
    severity: `SEV${lead.severity}`,
    threshold,
  };
  const body = [
    marker,
    "",
    "> [!NOTE]",
    "> Opened by Firebreak from the team's KPI data (`detection` in the Firebreak config). The answers below are its first reading; change them with commands.",
    "",
    evidence(group, ctx.chart),
    "",
    renderFormBody(answers, ctx.formTemplate),
    "",
  ].join("\n");
  return { title, body, marker };
}

/** The update an open incident gets when a matching break appears (instead of a second incident). */
export function detectionUpdateComment(group: SignalGroup, chart: string): string {
  return [detectionMarker(group.key), "**Firebreak detected a matching break in the KPI data.**", "", evidence(group, chart), ""].join("\n");
}

/** The note recording that a break cleared: evidence for the incident, which stays open. */
export function detectionClearedNote(key: DetectionKey, metric: string, latest: BandPoint | undefined, chart: string): string {
  const where = latest
    ? `: ${code(metric)} was ${num(latest.observed)} at ${utcText(latest.at)}, inside its band (expected ${num(latest.expected)}, band ${num(latest.low)}–${num(latest.high)})`
    : "";
  return [
    detectionClearedMarker(key),
    `**The ${key.layer} break on ${code(key.channel)} (since ${utcText(key.since)}) has cleared in the KPI data**${where}.`,
    "",
    "Recorded as evidence; Firebreak does not close the incident — the cause and the fix are still for people to record (`/resolve`).",
    ...(chart ? ["", chart] : []),
    "",
  ].join("\n");
}
