// How a comment becomes commands (SPEC §4, §12): a line whose first word is `/` plus a known
// command name; `key: value` lines directly under it belong to it; quoted lines and code
// blocks are ignored; an unknown `/word` close to a command name is a near miss.
import { lineKinds, linesOf } from "../text/scanner.js";

export const COMMAND_NAMES = [
  "owner",
  "responder",
  "comms",
  "severity",
  "layer",
  "update",
  "contain",
  "check",
  "change",
  "resolve",
  "escalate",
  "not-incident",
  "postmortem",
  "help",
] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

export interface CommandLine {
  name: CommandName;
  /** The rest of the command's line. */
  args: string;
  /** `key: value` lines directly under the command (keys lower-cased). */
  fields: Record<string, string>;
}

export interface NearMiss {
  word: string;
  suggestion: CommandName;
}

export interface ParsedComment {
  commands: CommandLine[];
  nearMisses: NearMiss[];
}

/** Commands read from one comment at most: a pasted wall of slashes is not a plan. */
export const MAX_COMMANDS_PER_COMMENT = 20;
const MAX_LINES = 2000;

function isCommandName(word: string): word is CommandName {
  return (COMMAND_NAMES as readonly string[]).includes(word);
}

export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

function nearestCommand(word: string): CommandName | undefined {
  let best: { name: CommandName; distance: number } | undefined;
  for (const name of COMMAND_NAMES) {
    const distance = editDistance(word, name);
    if (distance <= 2 && (!best || distance < best.distance)) best = { name, distance };
  }
  // Very short words are too close to everything to be a meaningful near miss.
  return best && word.length >= 3 ? best.name : undefined;
}

const FIELD = /^\s*([A-Za-z][A-Za-z-]{0,30})\s*:(.*)$/;
const SLASH_WORD = /^\/([A-Za-z][A-Za-z-]*)(?=\s|$)(.*)$/;

export function parseComment(body: string): ParsedComment {
  const lines = linesOf(body).slice(0, MAX_LINES);
  const kinds = lineKinds(lines, { unclosed: "rest" });
  const commands: CommandLine[] = [];
  const nearMisses: NearMiss[] = [];
  let current: CommandLine | undefined;
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    // Code and quotes are shown, not said; an indented line is code too.
    if (kinds[i] === "code" || kinds[i] === "quote" || /^( {4}|\t)/.test(raw)) {
      current = undefined;
      continue;
    }
    const slash = SLASH_WORD.exec(line);
    if (slash) {
      const word = slash[1]!.toLowerCase();
      if (isCommandName(word)) {
        if (commands.length >= MAX_COMMANDS_PER_COMMENT) break;
        current = { name: word, args: slash[2]!.trim(), fields: {} };
        commands.push(current);
        continue;
      }
      const suggestion = nearestCommand(word);
      if (suggestion && !nearMisses.some((n) => n.word === word)) nearMisses.push({ word, suggestion });
      current = undefined;
      continue;
    }
    const field = current ? FIELD.exec(line) : null;
    if (current && field) {
      const key = field[1]!.toLowerCase();
      current.fields[key] = current.fields[key] ? `${current.fields[key]} ${field[2]!.trim()}` : field[2]!.trim();
      continue;
    }
    current = undefined;
  }
  return { commands, nearMisses };
}

/** True when a comment may hold something Firebreak must act on: decides whether to spend API calls. */
export function mentionsCommand(body: string): boolean {
  const parsed = parseComment(body);
  return parsed.commands.length > 0 || parsed.nearMisses.length > 0;
}
