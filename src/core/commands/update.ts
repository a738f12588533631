// `/update` with `symptom:` `scope:` `layer:` `confidence:` `owner:` `next:` lines: an
// evidence-led status update. Fields left out are taken from the current state; a field
// still unknown afterwards is named in the reply as missing.
import { toLayer } from "../model/domain.js";
import { UPDATE_FIELDS } from "../model/incident.js";
import type { IncidentState, UpdateField } from "../model/incident.js";
import { inline } from "../text/inert.js";
import { setCheck } from "./check.js";
import { parseConfidence, setLikelyLayer } from "./layer.js";
import { setOwner } from "./owner.js";
import { defineCommand, isIncident, notAnIncident, withTimeline } from "./types.js";

type UpdateArgs = Partial<Record<UpdateField, string>>;

function currentFields(state: IncidentState): UpdateArgs {
  const last = state.updates.at(-1)?.fields ?? {};
  const scope = state.declaration.scope.join(", ");
  return {
    symptom: last.symptom ?? state.declaration.symptom,
    scope: last.scope ?? (scope || undefined),
    layer: state.layer.likely,
    confidence: state.layer.confidence,
    owner: state.roles.owner,
    next: state.check?.text,
  };
}

export const update = defineCommand<UpdateArgs>({
  name: "update",
  usage: "/update  then lines  symptom: …  scope: …  layer: …  confidence: low|medium|high  owner: @user  next: …",
  summary: "posts an evidence-led status update; fields left out are taken from the current state",
  parse(line) {
    const args: UpdateArgs = {};
    for (const field of UPDATE_FIELDS) {
      const value = line.fields[field]?.trim();
      if (value) args[field] = value.slice(0, 1000);
    }
    if (!args.symptom && line.args.trim()) args.symptom = line.args.trim().slice(0, 1000);
    if (args.layer && !toLayer(args.layer)) return { ok: false, error: `"${inline(args.layer, 40)}" is not a layer.` };
    if (args.confidence && !parseConfidence(args.confidence)) return { ok: false, error: "confidence is low, medium or high." };
    if (args.owner && !/^@?[A-Za-z0-9][A-Za-z0-9-]{0,38}$/.test(args.owner)) return { ok: false, error: "owner is a GitHub user, as @login." };
    return { ok: true, args };
  },
  apply(state, args, ctx) {
    if (!isIncident(state)) return notAnIncident("update");
    let next = state;
    const layer = toLayer(args.layer);
    const confidence = parseConfidence(args.confidence);
    if (layer || confidence) {
      const target = layer ?? state.layer.likely;
      if (target) next = setLikelyLayer(next, target, confidence, "command", ctx.at, ctx.by);
    }
    if (args.owner) next = setOwner(next, args.owner.replace(/^@/, ""), ctx.at, ctx.by);
    if (args.next && args.next !== state.check?.text) next = setCheck(next, { text: args.next, by: ctx.by, at: ctx.at });
    const fields = { ...currentFields(next), ...args, ...(args.owner ? { owner: args.owner.replace(/^@/, "") } : {}) };
    const complete = Object.fromEntries(Object.entries(fields).filter(([, v]) => v)) as UpdateArgs;
    const missing = UPDATE_FIELDS.filter((f) => !complete[f]);
    next = { ...next, updates: [...next.updates, { at: ctx.at, by: ctx.by, fields: complete, missing }].slice(-200) };
    next = withTimeline(next, ctx, `Update: ${complete.symptom ?? "status update"}`);
    const reply =
      missing.length > 0
        ? `Update recorded. Still unknown: **${missing.join(", ")}** — add ${missing.map((m) => `\`${m}:\``).join(", ")} lines to the next \`/update\` once known.${
            complete.symptom ? ` (Symptom as recorded: ${inline(complete.symptom, 120)})` : ""
          }`
        : undefined;
    return { state: next, ...(reply ? { reply } : {}) };
  },
});
