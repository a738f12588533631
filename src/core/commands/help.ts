// `/help`: the command list, written from the commands themselves so it cannot drift.
import type { Command } from "./types.js";
import { defineCommand } from "./types.js";

export function helpText(commands: readonly Command[]): string {
  return [
    "**Firebreak commands** — one per line; `key: value` lines directly under a command belong to it.",
    "",
    "| command | what it does |",
    "|---|---|",
    ...commands.map((c) => `| \`${c.usage.replace(/\|/g, "\\|")}\` | ${c.summary} |`),
    "",
    "Anyone with triage permission on this repository (or listed under `responders`) may command.",
  ].join("\n");
}

export function helpCommand(all: () => readonly Command[]): Command {
  return defineCommand({
    name: "help",
    usage: "/help",
    summary: "shows this list",
    parse: () => ({ ok: true, args: {} }),
    apply: (state) => ({ state, reply: helpText(all()) }),
  });
}
