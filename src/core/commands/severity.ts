// `/severity 1|2|3`: swaps the `sev:` label; a change is a timeline event.
import { z } from "zod";
import type { Severity } from "../model/domain.js";
import type { IncidentState } from "../model/incident.js";
import { defineCommand, isIncident, notAnIncident, parseWith } from "./types.js";

/** Shared by `/severity` and an authorised hand change of the `sev:` label. */
export function setSeverity(state: IncidentState, severity: Severity, at: string, by: string): IncidentState {
  if (state.severity === severity) return state;
  const text = `Severity SEV${state.severity} → SEV${severity}`;
  return { ...state, severity, timeline: [...state.timeline, { at, by, text }] };
}

export const severity = defineCommand({
  name: "severity",
  usage: "/severity 1|2|3",
  summary: "sets the severity (swaps the sev: label)",
  parse: (line) =>
    parseWith(
      z.object({
        level: z
          .string()
          .regex(/^(?:sev)?[123]$/i, "severity is 1, 2 or 3")
          .transform((s) => Number(s.slice(-1)) as Severity),
      }),
      { level: line.args.split(/\s+/)[0] ?? "" },
    ),
  apply(state, { level }, ctx) {
    if (!isIncident(state)) return notAnIncident("severity");
    return { state: setSeverity(state, level, ctx.at, ctx.by) };
  },
});
