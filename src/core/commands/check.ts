// `/check <next verifying check> [@user] [in 30m]`: the one next high-signal check, who runs it, when it is due.
import { z } from "zod";
import type { IncidentState } from "../model/incident.js";
import { parseDuration } from "../time.js";
import { defineCommand, isIncident, loginArg, notAnIncident, parseWith, withTimeline } from "./types.js";

/** Shared by `/check` and `/update next:`. */
export function setCheck(state: IncidentState, check: NonNullable<IncidentState["check"]>): IncidentState {
  return { ...state, check };
}

const isSpace = (c: string | undefined): boolean => c !== undefined && /\s/.test(c);

/** The text before its last whitespace-separated word, and that word (end spaces ignored). */
function splitLastWord(text: string): { before: string; word: string } {
  let end = text.length;
  while (end > 0 && isSpace(text[end - 1])) end--;
  let start = end;
  while (start > 0 && !isSpace(text[start - 1])) start--;
  return { before: text.slice(0, start), word: text.slice(start, end) };
}

/**
 * Reads `[@user] [in 30m]` off the end by words, not by a regex anchored at the end: `\s+…\s*$`
 * tried at every space of a 64 KB run of spaces is quadratic (SPEC §13, bounded work).
 */
export function parseCheckArgs(args: string): { text: string; assignee?: string; inMs?: number } {
  let text = args;
  let inMs: number | undefined;
  const amount = splitLastWord(text);
  if (/^\d+[mhd]$/i.test(amount.word)) {
    const keyword = splitLastWord(amount.before);
    if (keyword.word.toLowerCase() === "in" && isSpace(keyword.before.at(-1))) {
      inMs = parseDuration(amount.word.toLowerCase());
      text = keyword.before.trimEnd();
    }
  }
  let assignee: string | undefined;
  const who = splitLastWord(text);
  if (/^@[A-Za-z0-9][A-Za-z0-9-]{0,38}$/.test(who.word) && (who.before === "" || isSpace(who.before.at(-1)))) {
    assignee = who.word.slice(1);
    text = who.before;
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
