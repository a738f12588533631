// Declaring an incident (SPEC §3): the form's answers become the incident record, or the
// issue is held as routine variance when no threshold box is ticked.
import type { Severity } from "../model/domain.js";
import type { Declaration } from "./form.js";
import type { IncidentState } from "../model/incident.js";
import { suggestLayer } from "./triage.js";
import { parseLenientTime } from "../time.js";

export interface ReleaseView {
  tag: string;
  name?: string;
  url: string;
  publishedAt: string;
}

/** Severity when the form gave none: major, so that nobody waits a day on an unread incident. */
const FALLBACK_SEVERITY: Severity = 2;

export type Classification = { kind: "incident" } | { kind: "routine-variance"; reason: string };

export function classify(declaration: Declaration, authorMayCommand: boolean): Classification {
  if (!authorMayCommand) {
    return {
      kind: "routine-variance",
      reason:
        "It was declared by someone without triage permission on this repository, so it is held as routine variance until a responder confirms it.",
    };
  }
  if (declaration.isForm && declaration.threshold.length === 0) {
    return {
      kind: "routine-variance",
      reason:
        "No incident threshold was ticked: waiting does not cost materially more, near-term decisions do not change, and no coordinated response is needed. That is routine variance — it belongs in the regular review.",
    };
  }
  return { kind: "incident" };
}

function toIso(text: string | undefined, reference: Date): string | undefined {
  if (!text) return undefined;
  return parseLenientTime(text, reference)?.toISOString();
}

export function releasesBefore(releases: readonly ReleaseView[], start: string, lookbackHours: number): ReleaseView[] {
  const end = Date.parse(start);
  const from = end - lookbackHours * 3_600_000;
  return releases
    .filter((r) => {
      const t = Date.parse(r.publishedAt);
      return t >= from && t <= end;
    })
    .slice(0, 10);
}

export function initialState(input: {
  declaration: Declaration;
  classification: Classification;
  detector: string;
  /** When the issue was opened: GitHub's timestamp. */
  openedAt: string;
  at: string;
  releases: readonly ReleaseView[];
  lookbackHours: number;
}): IncidentState {
  const { declaration: d, classification } = input;
  const reference = new Date(input.openedAt);
  const startedAt = toIso(d.started, reference);
  const detectedAt = toIso(d.detected, reference) ?? input.openedAt;
  const suggestion = d.layer ? undefined : suggestLayer(d);
  const releases = releasesBefore(input.releases, startedAt ?? input.openedAt, input.lookbackHours);
  const routine = classification.kind === "routine-variance";
  return {
    v: 1,
    status: routine ? "routine-variance" : "triage",
    severity: d.severity ?? FALLBACK_SEVERITY,
    declaration: {
      ...(d.symptom ? { symptom: d.symptom.slice(0, 4000) } : {}),
      ...(d.started ? { started: d.started.slice(0, 200) } : {}),
      ...(startedAt ? { startedAt } : {}),
      ...(d.detected ? { detected: d.detected.slice(0, 200) } : {}),
      detectedAt,
      scope: d.scope.slice(0, 20).map((s) => s.slice(0, 100)),
      ...(d.scopeDetail ? { scopeDetail: d.scopeDetail.slice(0, 4000) } : {}),
      ...(d.outcomes ? { outcomes: d.outcomes } : {}),
      ...(d.whatChanged ? { whatChanged: d.whatChanged.slice(0, 4000) } : {}),
      ...(d.containment ? { containment: d.containment.slice(0, 4000) } : {}),
      ...(d.cost ? { cost: { ...d.cost, text: d.cost.text.slice(0, 200) } } : {}),
      threshold: d.threshold.slice(0, 10).map((t) => t.slice(0, 300)),
      missing: d.missing.slice(0, 20),
      isForm: d.isForm,
    },
    declaredAt: input.at,
    layer: d.layer
      ? { likely: d.layer, source: "form" }
      : suggestion
        ? { likely: suggestion.layer, confidence: suggestion.confidence, source: "suggested", reason: suggestion.reason.slice(0, 4000) }
        : {},
    roles: { detector: input.detector, responders: [] },
    containment: [],
    interventions: [],
    maxParallel: 0,
    updates: [],
    releases: releases.map((r) => ({ tag: r.tag.slice(0, 200), ...(r.name ? { name: r.name.slice(0, 300) } : {}), url: r.url.slice(0, 500), at: r.publishedAt })),
    times: {},
    timeline: [
      ...(startedAt ? [{ at: startedAt, text: "Started (reported)" }] : []),
      ...(detectedAt !== input.openedAt ? [{ at: detectedAt, text: "Detected (reported)" }] : []),
      {
        at: input.at,
        by: input.detector,
        text: routine ? `Held as routine variance` : `Declared SEV${d.severity ?? FALLBACK_SEVERITY}`,
      },
    ].sort((a, b) => Date.parse(a.at) - Date.parse(b.at)),
    applied: [],
    replied: [],
    notified: [],
  };
}
