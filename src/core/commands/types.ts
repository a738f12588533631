// What every command shares: its grammar entry, argument parsing and its transition.
import { z } from "zod";
import type { FirebreakConfig } from "../config.js";
import type { IncidentState } from "../model/incident.js";
import { isIncidentStatus } from "../model/status.js";
import type { CommandLine, CommandName } from "./grammar.js";

export interface CommandContext {
  /** GitHub's timestamp of the comment: the command's time on the timeline. */
  at: string;
  by: string;
  commentId: number;
  config: FirebreakConfig;
}

export interface CommandOutcome {
  state: IncidentState;
  /** Something worth telling the commenter (a warning, missing fields, help). */
  reply?: string;
  /** Ask the shell to open the postmortem now. */
  openPostmortem?: boolean;
}

export type CommandResult = CommandOutcome | { error: string };

export interface Command {
  name: CommandName;
  usage: string;
  summary: string;
  /** Statuses in which the command does nothing but explain why. */
  run(state: IncidentState, line: CommandLine, ctx: CommandContext): CommandResult;
}

/** Ties a command's argument parser to its transition, so each command reads as one unit. */
export function defineCommand<A>(spec: {
  name: CommandName;
  usage: string;
  summary: string;
  parse(line: CommandLine): { ok: true; args: A } | { ok: false; error: string };
  apply(state: IncidentState, args: A, ctx: CommandContext): CommandResult;
}): Command {
  return {
    name: spec.name,
    usage: spec.usage,
    summary: spec.summary,
    run(state, line, ctx) {
      const parsed = spec.parse(line);
      if (!parsed.ok) return { error: `\`/${spec.name}\`: ${parsed.error} Usage: \`${spec.usage}\`` };
      return spec.apply(state, parsed.args, ctx);
    },
  };
}

/** Parses with a zod schema into the `parse` shape, naming the first problem. */
export function parseWith<A>(schema: z.ZodType<A>, input: unknown): { ok: true; args: A } | { ok: false; error: string } {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, args: result.data };
  return { ok: false, error: `${result.error.issues[0]?.message ?? "invalid arguments"}.` };
}

export const loginArg = z
  .string()
  .trim()
  .regex(/^@[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, "expected a GitHub user as @login")
  .transform((s) => s.slice(1));

export function withTimeline(state: IncidentState, ctx: CommandContext, text: string): IncidentState {
  return { ...state, timeline: [...state.timeline, { at: ctx.at, by: ctx.by, text }] };
}

/** Statuses in which an incident is being worked (commands amend it). */
export function isIncident(state: IncidentState): boolean {
  return isIncidentStatus(state.status);
}

export function notAnIncident(name: CommandName): { error: string } {
  return { error: `\`/${name}\` works on incidents; this issue is not one now. An authorised responder can run \`/escalate\` to declare it.` };
}
