// The labels and owner an incident should carry, derived from its record. Firebreak touches
// only its own labels and the owner among the assignees; everything else stays as people set it.
import type { FirebreakConfig } from "./config.js";
import { allLabels } from "./config.js";
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
