// `/responder @user [layer]` and `/comms @user`: the people working the incident besides its owner.
import { inline } from "../text/inert.js";
import { z } from "zod";
import { LAYERS, toLayer } from "../model/domain.js";
import { defineCommand, isIncident, loginArg, notAnIncident, parseWith, withTimeline } from "./types.js";

export const responder = defineCommand({
  name: "responder",
  usage: "/responder @user [layer]",
  summary: "adds a specialist responder, optionally for one layer",
  parse(line) {
    const [login = "", ...rest] = line.args.split(/\s+/);
    const layerText = rest.join(" ");
    const layer = toLayer(layerText);
    if (layerText && !layer) return { ok: false, error: `unknown layer "${inline(layerText, 40)}" (one of ${LAYERS.join(", ")}).` };
    return parseWith(z.object({ login: loginArg, layer: z.enum(LAYERS).optional() }), { login, layer });
  },
  apply(state, { login, layer }, ctx) {
    if (!isIncident(state)) return notAnIncident("responder");
    const others = state.roles.responders.filter((r) => r.login !== login);
    const next = { ...state, roles: { ...state.roles, responders: [...others, { login, ...(layer ? { layer } : {}) }].slice(-30) } };
    return { state: withTimeline(next, ctx, `Responder: ${login}${layer ? ` (${layer})` : ""}`) };
  },
});

export const comms = defineCommand({
  name: "comms",
  usage: "/comms @user",
  summary: "sets who communicates with stakeholders",
  parse: (line) => parseWith(z.object({ login: loginArg }), { login: line.args.split(/\s+/)[0] ?? "" }),
  apply(state, { login }, ctx) {
    if (!isIncident(state)) return notAnIncident("comms");
    if (state.roles.comms === login) return { state };
    return { state: withTimeline({ ...state, roles: { ...state.roles, comms: login } }, ctx, `Comms: ${login}`) };
  },
});
