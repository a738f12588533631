// `firebreak labels`: creates or updates Firebreak's labels, idempotently, with the same
// find / compare / write code the App and Action use on first use (`syncLabels`).
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { ConfigError, FirebreakConfig } from "../core/config.js";
import { parseConfigYaml, resolveConfig } from "../core/config.js";
import type { GitHubClient, RepoRef } from "../github/client.js";
import { loadRepoConfig } from "../github/config.js";
import { FileCache } from "../github/files.js";
import { syncLabels } from "../github/labels.js";
import type { ExitCode, Io } from "./common.js";
import { CliError, configFailure, EXIT, parseRepo } from "./common.js";
import type { CliOctokitOptions } from "./octokit.js";
import { cliOctokit } from "./octokit.js";

export interface LabelsOptions {
  repo: string;
  dryRun?: boolean;
  config?: string;
}

export interface LabelWrite {
  kind: "create" | "update";
  name: string;
  color?: string;
  description?: string;
}

/**
 * Wraps a client so label writes are recorded (and, in a dry run, not sent): `syncLabels`
 * stays the single place that decides what to write.
 */
export function recordingLabelWrites(gh: GitHubClient, dryRun: boolean): { client: GitHubClient; writes: LabelWrite[] } {
  const writes: LabelWrite[] = [];
  const request = async (route: string, params: Record<string, unknown> = {}) => {
    const kind = route.startsWith("POST /repos/{owner}/{repo}/labels") ? "create" : route.startsWith("PATCH /repos/{owner}/{repo}/labels/") ? "update" : undefined;
    if (kind) {
      writes.push({
        kind,
        name: String(params.name),
        ...(typeof params.color === "string" ? { color: params.color } : {}),
        ...(typeof params.description === "string" ? { description: params.description } : {}),
      });
      if (dryRun) return { status: kind === "create" ? 201 : 200, url: "", headers: {}, data: {} };
    }
    return gh.request(route, params);
  };
  return { client: { request: request as unknown as GitHubClient["request"] }, writes };
}

/** A config file on disk, validated like the repository's: each invalid key falls back to its default. */
export function readLocalConfig(path: string, cwd: string): { config: FirebreakConfig; errors: ConfigError[] } {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, path), "utf8");
  } catch {
    throw new CliError(`cannot read the config file ${path}`);
  }
  const parsed = parseConfigYaml(text);
  const resolved = resolveConfig(parsed.value);
  return { config: resolved.config, errors: [...parsed.errors, ...resolved.errors] };
}

async function repoConfig(gh: GitHubClient, ref: RepoRef, options: LabelsOptions, io: Io): Promise<FirebreakConfig> {
  if (options.config) {
    const local = readLocalConfig(options.config, io.cwd);
    if (local.errors.length > 0) throw configFailure(options.config, local.errors);
    return local.config;
  }
  const loaded = await loadRepoConfig(gh, new FileCache(), ref);
  if (loaded.errors.length > 0) throw configFailure(`${ref.owner}/${ref.repo}:${loaded.path}`, loaded.errors);
  return loaded.config;
}

/** A repository with none of the labels yet: what a dry run without a token compares against. */
const noLabelsYet: GitHubClient = {
  request: (async (route: string) => {
    if (route.startsWith("GET /repos/{owner}/{repo}/labels")) return { status: 200, url: "", headers: {}, data: [] };
    throw new CliError(`a dry run without GITHUB_TOKEN reads nothing from GitHub (${route})`);
  }) as unknown as GitHubClient["request"],
};

export async function runLabels(options: LabelsOptions, io: Io, octokitOptions: CliOctokitOptions = {}): Promise<ExitCode> {
  const ref = parseRepo(options.repo);
  // A dry run from a local config needs no token: it lists every label as the repository would get it.
  const offline = options.dryRun === true && options.config !== undefined && !io.env.GITHUB_TOKEN?.trim();
  if (!offline && !io.env.GITHUB_TOKEN?.trim()) {
    throw new CliError(
      options.dryRun
        ? "GITHUB_TOKEN is not set: a dry run reads the repository's labels and config with it; pass --config FILE to list the labels without a token."
        : "GITHUB_TOKEN is not set: export a token that can write issues in the repository (or --dry-run --config FILE to see the labels first).",
    );
  }
  const gh = offline ? noLabelsYet : cliOctokit(io.env, octokitOptions);
  const config = await repoConfig(gh, ref, options, io);
  if (offline) io.out("(no GITHUB_TOKEN: the repository's current labels were not read; every label is listed as new)");
  const recorder = recordingLabelWrites(gh, options.dryRun ?? false);
  await syncLabels(recorder.client, ref, config, undefined);
  const verb = options.dryRun ? { create: "would create", update: "would update" } : { create: "created", update: "updated" };
  for (const w of recorder.writes) {
    io.out(`${verb[w.kind].padEnd(12)} ${w.name}${w.color ? `  #${w.color}` : ""}${w.description ? `  ${w.description}` : ""}`);
  }
  const created = recorder.writes.filter((w) => w.kind === "create").length;
  const updated = recorder.writes.length - created;
  io.out(
    recorder.writes.length === 0
      ? `${ref.owner}/${ref.repo}: all Firebreak labels are in place — nothing to change.`
      : `${ref.owner}/${ref.repo}: ${options.dryRun ? "would create" : "created"} ${created}, ${options.dryRun ? "would update" : "updated"} ${updated}${options.dryRun ? " (dry run: nothing written)" : ""}.`,
  );
  return EXIT.ok;
}
