// `/escalate` turns routine variance into an incident; `/not-incident <reason>` turns an
// incident into routine variance.
import { z } from "zod";
import { defineCommand, parseWith, withTimeline } from "./types.js";
import { isClosedIncident, isIncidentStatus } from "../model/status.js";

export const escalate = defineCommand({
  name: "escalate",
  usage: "/escalate",
  summary: "declares this routine variance an incident (status triage)",
  parse: () => ({ ok: true, args: {} }),
  apply(state, _args, ctx) {
    if (isIncidentStatus(state.status)) return { state };
    const next = { ...state, status: "triage" as const, declaredAt: ctx.at };
    return { state: withTimeline(next, ctx, "Escalated to an incident") };
  },
});

export const notIncident = defineCommand({
  name: "not-incident",
  usage: "/not-incident <reason>",
  summary: "turns an incident into routine variance, with the reason",
  parse: (line) => parseWith(z.object({ reason: z.string().trim().min(3, "give the reason").max(1000) }), { reason: line.args }),
  apply(state, { reason }, ctx) {
    if (state.status === "routine-variance") return { state };
    if (isClosedIncident(state.status)) {
      return { error: "this incident is closed with a postmortem; it stays an incident." };
    }
    return { state: withTimeline({ ...state, status: "routine-variance" as const }, ctx, `Not an incident: ${reason}`) };
  },
});
