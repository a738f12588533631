// `/layer <layer> [low|medium|high]`: the likely layer and how sure the team is; swaps the `layer:` label.
import { inline } from "../text/inert.js";
import { CONFIDENCES, LAYERS, toLayer } from "../model/domain.js";
import type { Confidence, Layer } from "../model/domain.js";
import type { IncidentState } from "../model/incident.js";
import { defineCommand, isIncident, notAnIncident } from "./types.js";

/** Shared by `/layer`, `/update layer:` and an authorised hand change of the `layer:` label. */
export function setLikelyLayer(
  state: IncidentState,
  layer: Layer,
  confidence: Confidence | undefined,
  source: "command" | "label",
  at: string,
  by: string,
): IncidentState {
  const same = state.layer.likely === layer && (confidence === undefined || state.layer.confidence === confidence);
  if (same && state.layer.source !== "suggested") return state;
  const next = { ...state.layer, likely: layer, confidence: confidence ?? state.layer.confidence, source, reason: undefined };
  const text = `Likely layer: ${layer}${next.confidence ? ` (${next.confidence})` : ""}`;
  return { ...state, layer: next, timeline: [...state.timeline, { at, by, text }] };
}

export function parseConfidence(text: string | undefined): Confidence | undefined {
  const t = text?.trim().toLowerCase();
  return (CONFIDENCES as readonly string[]).includes(t ?? "") ? (t as Confidence) : undefined;
}

export const layer = defineCommand({
  name: "layer",
  usage: "/layer <economics|measurement|conversion|delivery|operations> [low|medium|high]",
  summary: "sets the likely layer and confidence (swaps the layer: label)",
  parse(line) {
    const words = line.args.split(/\s+/).filter(Boolean);
    const last = words.at(-1);
    const confidence = parseConfidence(last);
    const layerText = (confidence ? words.slice(0, -1) : words).join(" ");
    const parsed = toLayer(layerText);
    if (!parsed) return { ok: false, error: `"${inline(layerText, 40)}" is not a layer (one of ${LAYERS.join(", ")}).` };
    return { ok: true, args: { layer: parsed, confidence } };
  },
  apply(state, args, ctx) {
    if (!isIncident(state)) return notAnIncident("layer");
    return { state: setLikelyLayer(state, args.layer, args.confidence, "command", ctx.at, ctx.by) };
  },
});
