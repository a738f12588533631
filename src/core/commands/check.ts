// `/check <next verifying check> [@user] [in 30m]`: the one next high-signal check, who runs it, when it is due.
import { z } from "zod";
import type { IncidentState } from "../model/incident.js";
import { parseDuration } from "../time.js";
import { defineCommand, isIncident, loginArg, notAnIncident, parseWith, withTimeline } from "./types.js";

/** Shared by `/check` and `/update next:`. */
export function setCheck(state: IncidentState, check: NonNullable<IncidentState["check"]>): IncidentState {
  return { ...state, check };
}

export function parseCheckArgs(args: string): { text: string; assignee?: string; inMs?: number } {
  let text = args;
  let inMs: number | undefined;
  const due = /\s+in\s+(\d+[mhd])\s*$/i.exec(text);
  if (due) {
    inMs = parseDuration(due[1]!.toLowerCase());
    text = text.slice(0, due.index);
  }
  let assignee: string | undefined;
  const who = /(?:^|\s)(@[A-Za-z0-9][A-Za-z0-9-]{0,38})\s*$/.exec(text);
  if (who) {
    assignee = who[1]!.slice(1);
    text = text.slice(0, who.index);
  }
  return { text: text.trim(), ...(assignee ? { assignee } : {}), ...(inMs !== undefined ? { inMs } : {}) };
}

export const check = defineCommand({
  name: "check",
  usage: "/check <next verifying check> [@user] [in 30m]",
  summary: "sets the one next check, who runs it and when its answer is due",
  parse(line) {
    const parts = parseCheckArgs(line.args);
    return parseWith(
      z.object({
        text: z.string().min(3, "say what the next check is").max(1000),
        assignee: loginArg.optional(),
        inMs: z.number().positive().optional(),
      }),
      { ...parts, assignee: parts.assignee ? `@${parts.assignee}` : undefined },
    );
  },
  apply(state, { text, assignee, inMs }, ctx) {
    if (!isIncident(state)) return notAnIncident("check");
    const due = inMs ? new Date(Date.parse(ctx.at) + inMs).toISOString() : undefined;
    const next = setCheck(state, { text, by: ctx.by, at: ctx.at, ...(assignee ? { assignee } : {}), ...(due ? { due } : {}) });
    return { state: withTimeline(next, ctx, `Next check: ${text}${assignee ? ` (${assignee})` : ""}`) };
  },
});
