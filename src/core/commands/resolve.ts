// `/resolve` with `cause:` `layer:` `evidence:` `fix:` lines: what broke, the confirmed layer,
// the evidence that proved it and what fixed it. Cause and evidence are required; later
// `/resolve` commands amend the record.
import { inline } from "../text/inert.js";
import { LAYERS, toLayer } from "../model/domain.js";
import { isOpenBefore } from "../model/status.js";
import { defineCommand, isIncident, notAnIncident, withTimeline } from "./types.js";
import type { Layer } from "../model/domain.js";

interface ResolveArgs {
  cause?: string;
  evidence?: string;
  layer?: Layer;
  fix?: string;
}

export const resolve = defineCommand<ResolveArgs>({
  name: "resolve",
  usage: "/resolve  then lines  cause: …  layer: …  evidence: …  fix: …",
  summary: "records cause, confirmed layer, evidence and fix; status becomes resolved",
  parse(line) {
    const f = line.fields;
    const layer = toLayer(f.layer);
    if (f.layer && !layer) return { ok: false, error: `"${inline(f.layer, 40)}" is not a layer (one of ${LAYERS.join(", ")}).` };
    const cut = (s: string | undefined) => (s?.trim() ? s.trim().slice(0, 1000) : undefined);
    return { ok: true, args: { cause: cut(f.cause ?? line.args), evidence: cut(f.evidence), layer, fix: cut(f.fix) } };
  },
  apply(state, args, ctx) {
    if (!isIncident(state)) return notAnIncident("resolve");
    const previous = state.resolution;
    const cause = args.cause ?? previous?.cause;
    const evidence = args.evidence ?? previous?.evidence;
    const missing = [!cause && "`cause:`", !evidence && "`evidence:`"].filter(Boolean);
    if (!cause || !evidence) {
      return { error: `\`/resolve\` needs ${missing.join(" and ")} — what broke and what proved it. Nothing was changed.` };
    }
    const confirmed = args.layer ?? previous?.layer ?? state.layer.confirmed;
    const resolution = {
      cause,
      evidence,
      ...(confirmed ? { layer: confirmed } : {}),
      ...(args.fix ?? previous?.fix ? { fix: args.fix ?? previous?.fix } : {}),
      at: previous?.at ?? ctx.at,
      by: ctx.by,
      commentId: ctx.commentId,
    };
    const open = isOpenBefore(state.status, "resolved");
    const next = {
      ...state,
      resolution,
      layer: { ...state.layer, ...(confirmed ? { confirmed } : {}) },
      status: open ? ("resolved" as const) : state.status,
      times: { ...state.times, resolved: state.times.resolved ?? ctx.at },
    };
    const reply = confirmed
      ? undefined
      : "Resolution recorded. Add `layer:` to a `/resolve` to confirm which layer broke — the postmortem compares it with the likely layer.";
    return { state: withTimeline(next, ctx, `${previous ? "Resolution amended" : "Resolved"}: ${cause}`), ...(reply ? { reply } : {}) };
  },
});
