// Signals as incidents see them: one break per (channel, layer), the form scope a KPI channel
// stands for, and which open incident a break belongs to (SPEC §14: same layer, scope holding
// the channel), read from what Firebreak wrote on each incident.
import type { Signal } from "../detection/index.js";
import type { Declaration } from "../declaration/form.js";
import { canonicalChannel } from "../declaration/form.js";
import type { FirebreakConfig } from "../config.js";
import { LAYERS, type Layer } from "../model/domain.js";
import type { DetectionKey } from "../model/markers.js";
import { detectionMarksIn } from "../model/markers.js";

/** One break: every signal of one channel read as one layer, led by the strongest. */
export interface SignalGroup {
  key: DetectionKey;
  lead: Signal;
  signals: Signal[];
}

export function groupSignals(signals: readonly Signal[]): SignalGroup[] {
  const groups = new Map<string, Signal[]>();
  for (const s of signals) {
    const id = JSON.stringify([s.channel, s.layer]);
    groups.set(id, [...(groups.get(id) ?? []), s]);
  }
  return [...groups.values()].map((group) => {
    const sorted = [...group].sort((a, b) => b.score - a.score || a.metric.localeCompare(b.metric));
    const lead = sorted[0]!;
    // The earliest start of the break: stable while the break lasts, whichever metric leads.
    const since = sorted.map((s) => s.since).sort()[0]!;
    return { key: { channel: lead.channel, layer: lead.layer, since }, lead, signals: sorted };
  });
}

/** The form's `scope` channel a KPI channel stands for: `detection.channels`, else the whole store or Other. */
export function scopeOf(channel: string, channels: Readonly<Record<string, string>>): string {
  const mapped = Object.entries(channels).find(([kpi]) => kpi.toLowerCase() === channel.toLowerCase())?.[1];
  if (mapped) return canonicalChannel(mapped);
  return channel === "all" || channel.startsWith("line:") || channel.startsWith("market:") ? "Whole site" : "Other";
}

function isLayer(layer: string): layer is Layer {
  return (LAYERS as readonly string[]).includes(layer);
}

/** What the detection job knows of an open incident before reading its comments. */
export interface OpenIncident {
  number: number;
  labels: readonly string[];
  declaration: Pick<Declaration, "scope">;
  /** Firebreak opened it for a signal (its own body carries the marker). */
  body: string;
}

/** Whether an open incident is the same break: same layer (its label) and a scope that holds the channel. */
export function matchesIncident(incident: OpenIncident, key: Pick<DetectionKey, "channel" | "layer">, config: FirebreakConfig): boolean {
  if (!isLayer(key.layer)) return false;
  const label = config.labels.layer[key.layer].toLowerCase();
  if (!incident.labels.some((l) => l.toLowerCase() === label)) return false;
  const scope = scopeOf(key.channel, config.detection.channels).toLowerCase();
  return incident.declaration.scope.some((s) => s.toLowerCase() === scope);
}

/** Whether Firebreak opened this incident for this (channel, layer). */
export function openedFor(incident: Pick<OpenIncident, "body">, key: Pick<DetectionKey, "channel" | "layer">): boolean {
  return detectionMarksIn(incident.body).some((m) => !m.cleared && m.key.channel === key.channel && m.key.layer === key.layer);
}

/**
 * The incident a break belongs to: the one Firebreak opened for this (channel, layer), else the
 * oldest matching one. The oldest, so concurrent passes pick the same.
 */
export function incidentFor<T extends OpenIncident>(open: readonly T[], key: Pick<DetectionKey, "channel" | "layer">, config: FirebreakConfig): T | undefined {
  const byNumber = [...open].sort((a, b) => a.number - b.number);
  return byNumber.find((i) => openedFor(i, key)) ?? byNumber.find((i) => matchesIncident(i, key, config));
}

/**
 * Whether a (channel, layer)'s break is ongoing on an incident, from Firebreak's own texts in
 * order (its body, then its comments): the last detection marker of it is a signal, not a clearing.
 */
export function ongoingOn(texts: readonly string[], key: Pick<DetectionKey, "channel" | "layer">): DetectionKey | undefined {
  let last: { key: DetectionKey; cleared: boolean } | undefined;
  for (const text of texts) {
    for (const mark of detectionMarksIn(text)) if (mark.key.channel === key.channel && mark.key.layer === key.layer) last = mark;
  }
  return last && !last.cleared ? last.key : undefined;
}
