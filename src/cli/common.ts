// What every command shares: where output goes, the exit codes scripts rely on, and errors
// that carry their exit code. Commands take an `Io` so tests run them in-process.
import type { RepoRef } from "../github/client.js";
import { safeMessage, statusOf } from "../github/client.js";

/** 0 ok · 1 a failure was found (or a file was not overwritten) · 2 usage or configuration error. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliError extends Error {
  constructor(
    message: string,
    readonly code: ExitCode = EXIT.usage,
  ) {
    super(message);
  }
}

export interface Io {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Whether stdout is a terminal (plain-text tables) or a pipe/file (Markdown). */
  isTTY: boolean;
}

export const processIo: Io = {
  out: (text) => void process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
  err: (text) => void process.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
  env: process.env,
  cwd: process.cwd(),
  isTTY: process.stdout.isTTY === true,
};

/** An Io that collects what a command prints (tests, the demo's own checks). */
export function memoryIo(env: Record<string, string | undefined> = {}, cwd = process.cwd()): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => void stdout.push(t), err: (t) => void stderr.push(t), env, cwd, isTTY: false };
}

export function parseRepo(value: string | undefined): RepoRef {
  const match = /^([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9._-]+)$/.exec(value?.trim() ?? "");
  if (!match) throw new CliError(`--repo must be OWNER/REPO (got ${JSON.stringify(value ?? "")})`);
  return { owner: match[1]!, repo: match[2]! };
}

/** Node's codes for "nothing answers at that address": retrying them only delays the answer. */
const UNREACHABLE = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "ECONNRESET", "ERR_INVALID_URL"]);

export function unreachableCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && typeof e === "object" && depth < 5; e = (e as { cause?: unknown }).cause, depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && UNREACHABLE.has(code)) return code;
  }
  return undefined;
}

/** An error as a one-line message and an exit code; tokens and keys never leave the process. */
export function describeError(error: unknown): { message: string; code: ExitCode } {
  if (error instanceof CliError) return { message: error.message, code: error.code };
  const status = statusOf(error);
  const message = safeMessage(error);
  const unreachable = unreachableCode(error);
  if (unreachable) {
    const url = (error as { request?: { url?: string } }).request?.url;
    const origin = url && URL.canParse(url) ? new URL(url).origin : "GitHub";
    return { message: `cannot reach ${origin} (${unreachable}): check GITHUB_API_URL and the network.`, code: EXIT.usage };
  }
  // Wrong token, missing access or a wrong repository name are configuration, not findings.
  if (status === 401) return { message: `GitHub refused the token (401): check GITHUB_TOKEN. ${message}`, code: EXIT.usage };
  if (status === 403) return { message: `GitHub refused the request (403): the token lacks a permission (issues: write, contents: read) or hit a rate limit. ${message}`, code: EXIT.usage };
  if (status === 404) return { message: `GitHub answered 404: the repository does not exist or the token cannot see it. ${message}`, code: EXIT.usage };
  return { message, code: EXIT.failure };
}

/**
 * A configuration with errors is exit 2 in every command, before anything runs: the App and the
 * Action fall back per key and report the file, but a command someone is running wants it fixed.
 */
export function configFailure(source: string, errors: readonly { key: string; reason: string }[]): CliError {
  const lines = errors.map((e) => `  ${e.key}: ${e.reason.replace(/ — the default is used$/, "")}`);
  return new CliError(`${source} is not a valid Firebreak configuration; fix it first:\n${lines.join("\n")}`);
}
