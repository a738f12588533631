// `/contain <what was paused or protected>`: a containment step; the incident becomes contained.
import { z } from "zod";
import { defineCommand, isIncident, notAnIncident, parseWith, withTimeline } from "./types.js";
import { isOpenBefore } from "../model/status.js";

export const contain = defineCommand({
  name: "contain",
  usage: "/contain <what was paused or protected>",
  summary: "records a containment step; status becomes contained",
  parse: (line) => parseWith(z.object({ text: z.string().trim().min(3, "say what was paused or protected").max(1000) }), { text: line.args }),
  apply(state, { text }, ctx) {
    if (!isIncident(state)) return notAnIncident("contain");
    const advances = isOpenBefore(state.status, "contained");
    const next = {
      ...state,
      containment: [...state.containment, { at: ctx.at, by: ctx.by, text }].slice(-50),
      status: advances ? ("contained" as const) : state.status,
      times: { ...state.times, contained: state.times.contained ?? ctx.at },
    };
    return { state: withTimeline(next, ctx, `Contained: ${text}`) };
  },
});
