// The command registry: every command Firebreak understands, in the order /help lists them.
import { change } from "./change.js";
import { check } from "./check.js";
import { contain } from "./contain.js";
import { escalate, notIncident } from "./escalate.js";
import type { CommandName } from "./grammar.js";
import { helpCommand } from "./help.js";
import { layer } from "./layer.js";
import { owner } from "./owner.js";
import { postmortem } from "./postmortem.js";
import { resolve } from "./resolve.js";
import { comms, responder } from "./roles.js";
import { severity } from "./severity.js";
import type { Command } from "./types.js";
import { update } from "./update.js";

export const COMMANDS: readonly Command[] = [
  owner,
  responder,
  comms,
  severity,
  layer,
  update,
  contain,
  check,
  change,
  resolve,
  escalate,
  notIncident,
  postmortem,
  helpCommand(() => COMMANDS),
];

export function commandNamed(name: CommandName): Command {
  const found = COMMANDS.find((c) => c.name === name);
  if (!found) throw new Error(`command /${name} is in the grammar but not in the registry`);
  return found;
}

/** Help text for the CLI and README, from the same registry the commands run from. */
export function commandReference(): { usage: string; summary: string }[] {
  return COMMANDS.map((c) => ({ usage: c.usage, summary: c.summary }));
}
