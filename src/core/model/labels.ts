// The labels Firebreak owns: which an incident should carry, derived from its record, and how
// each looks. Firebreak touches only its own labels and the owner among the assignees; everything
// else stays as people set it.
import type { FirebreakConfig } from "../config.js";
import { allLabels } from "../config.js";
import type { IncidentState } from "./incident.js";

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export function desiredLabels(state: IncidentState, current: readonly string[], config: FirebreakConfig): string[] {
  const l = config.labels;
  const owned = allLabels(config);
  const kept = current.filter((label) => !owned.some((o) => same(o, label)));
  if (state.status === "routine-variance") return [...kept, l.routine_variance];
  const layer = state.layer.confirmed ?? state.layer.likely;
  const status =
    state.status === "postmortem-complete"
      ? l.status.closed
      : state.status === "dismissed"
        ? undefined
        : l.status[state.status];
  return [
    ...kept,
    l.incident,
    l.severity[state.severity],
    ...(layer ? [l.layer[layer]] : []),
    ...(status ? [status] : []),
    ...(state.repeatOf ? [l.repeat] : []),
  ];
}

export function desiredAssignees(current: readonly string[], previousOwner: string | undefined, owner: string | undefined): string[] {
  const others = current.filter((a) => !(previousOwner && same(a, previousOwner)) && !(owner && same(a, owner)));
  return owner ? [...others, owner] : others;
}

/** Order-insensitive, case-insensitive comparison: a write is skipped when nothing changes. */
export function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const norm = (xs: readonly string[]) => [...new Set(xs.map((x) => x.toLowerCase()))].sort().join("\n");
  return norm(a) === norm(b);
}

/** Which severity or layer a Firebreak label stands for, for hand changes of labels. */
export function labelMeaning(
  label: string,
  config: FirebreakConfig,
): { severity: 1 | 2 | 3 } | { layer: keyof FirebreakConfig["labels"]["layer"] } | undefined {
  for (const [n, name] of Object.entries(config.labels.severity)) {
    if (same(name, label)) return { severity: Number(n) as 1 | 2 | 3 };
  }
  for (const [layer, name] of Object.entries(config.labels.layer)) {
    if (same(name, label)) return { layer: layer as keyof FirebreakConfig["labels"]["layer"] };
  }
  return undefined;
}

// Colours and descriptions of Firebreak's labels, for `firebreak labels` and first use.

export interface LabelStyle {
  name: string;
  color: string;
  description: string;
}

export function labelStyles(config: FirebreakConfig): LabelStyle[] {
  const l = config.labels;
  return [
    { name: l.incident, color: "b60205", description: "Marketing incident managed by Firebreak" },
    { name: l.postmortem, color: "5319e7", description: "Postmortem of a marketing incident" },
    { name: l.routine_variance, color: "c5def5", description: "Looked at: routine variance, not an incident" },
    { name: l.repeat, color: "d93f0b", description: "Same layer and channel as a recent incident" },
    { name: l.config_error, color: "fbca04", description: "Firebreak configuration problem" },
    { name: l.dashboard, color: "0052cc", description: "Firebreak's dashboard: open incidents and the 30-day report" },
    { name: l.severity[1], color: "b60205", description: "SEV1 — critical" },
    { name: l.severity[2], color: "d93f0b", description: "SEV2 — major" },
    { name: l.severity[3], color: "fbca04", description: "SEV3 — minor" },
    { name: l.layer.economics, color: "0e8a16", description: "Layer: unit economics (CPA, ROAS, margin)" },
    { name: l.layer.measurement, color: "1d76db", description: "Layer: measurement and tracking" },
    { name: l.layer.conversion, color: "5319e7", description: "Layer: site conversion" },
    { name: l.layer.delivery, color: "006b75", description: "Layer: ad delivery and spend" },
    { name: l.layer.operations, color: "795548", description: "Layer: business operations (stock, pricing, promotions)" },
    { name: l.status.triage, color: "ededed", description: "Incident status: triage" },
    { name: l.status.investigating, color: "ededed", description: "Incident status: investigating" },
    { name: l.status.contained, color: "ededed", description: "Incident status: contained" },
    { name: l.status.resolved, color: "ededed", description: "Incident status: resolved" },
    { name: l.status.closed, color: "ededed", description: "Incident status: closed" },
  ];
}
