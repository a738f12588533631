// Loading .github/firebreak.yml (with `_extends`) and telling the repository, once per
// distinct error, what is wrong with it: one open "Firebreak configuration error" issue.
import type { ConfigError, LoadedConfig } from "../core/config.js";
import { configErrorFingerprint, DEFAULT_CONFIG, extendsTarget, parseConfigYaml, resolveConfig, resolveInherited } from "../core/config.js";
import { escapeHtml } from "../core/text/inert.js";
import { CONFIG_ERROR_MARKER, configReportedMarker, parseConfigReported } from "../core/model/markers.js";
import type { GitHubClient, RepoRef } from "./client.js";
import type { FileCache } from "./files.js";
import { createIssueOnce, findMarkedIssues } from "./issues.js";

export const DEFAULT_CONFIG_PATH = ".github/firebreak.yml";

/**
 * Files parsed lately, by text: an event whose config did not change reuses the parse. YAML is
 * the slowest parser Firebreak runs (about 0.1 s on a hostile file at its size cap), so it runs
 * once per change of a file, not once per event. Kept oldest-out, a few files per installation.
 */
const parsedTexts = new Map<string, ReturnType<typeof parseConfigYaml>>();
const PARSED_KEPT = 64;

function parseOnce(text: string): ReturnType<typeof parseConfigYaml> {
  const kept = parsedTexts.get(text);
  if (kept) return kept;
  const parsed = parseConfigYaml(text);
  parsedTexts.set(text, parsed);
  const oldest = parsedTexts.keys().next().value;
  if (parsedTexts.size > PARSED_KEPT && oldest !== undefined) parsedTexts.delete(oldest);
  return parsed;
}

export interface RepoConfig extends LoadedConfig {
  path: string;
  /** The file changed since this process last read it: time to reconcile the error issue. */
  changed: boolean;
}

export async function loadRepoConfig(gh: GitHubClient, files: FileCache, ref: RepoRef, path = DEFAULT_CONFIG_PATH): Promise<RepoConfig> {
  const own = await files.readTracked(gh, ref, path);
  // No file: defaults, and nothing to report (a configuration-error issue is closed when a file is fixed, not deleted).
  if (own.text === undefined) return { config: DEFAULT_CONFIG, errors: [], path, changed: false };
  const parsed = parseOnce(own.text);
  let changed = own.changed;
  const target = extendsTarget(parsed.value, ref.owner);
  if (target === undefined) {
    const resolved = resolveConfig(parsed.value);
    return { config: resolved.config, errors: [...parsed.errors, ...resolved.errors], path, changed };
  }
  if ("refused" in target) {
    const resolved = resolveConfig(parsed.value);
    return { config: resolved.config, errors: [...parsed.errors, { key: "_extends", reason: target.refused }, ...resolved.errors], path, changed };
  }
  // Only a repository of the same owner is read (extendsTarget refuses any other).
  const base = await files.readTracked(gh, { owner: ref.owner, repo: target.repo }, target.path ?? path);
  changed ||= base.changed;
  if (base.text === undefined) {
    const resolved = resolveConfig(parsed.value);
    const errors = [...parsed.errors, { key: "_extends", reason: `${target.repo}:${target.path ?? path} was not found — nothing inherited` }, ...resolved.errors];
    return { config: resolved.config, errors, path, changed };
  }
  const resolved = resolveInherited(parsed.value, parseOnce(base.text));
  return { config: resolved.config, errors: [...parsed.errors, ...resolved.errors], path, changed };
}

function errorTable(path: string, errors: readonly ConfigError[]): string {
  return [
    "| file | key | problem |",
    "|---|---|---|",
    ...errors.map((e) => `| \`${path}\` | \`${escapeHtml(e.key).replace(/[|`]/g, "")}\` | ${escapeHtml(e.reason).replace(/\|/g, "\\|")} |`),
  ].join("\n");
}

function configIssueBody(path: string, errors: readonly ConfigError[]): string {
  return [
    CONFIG_ERROR_MARKER,
    `Firebreak could not use every key of \`${path}\` (read from the default branch). It keeps running: valid keys apply, and each invalid key falls back to its default.`,
    "",
    errorTable(path, errors),
    "",
    "Fix the file on the default branch; Firebreak closes this issue once the file is valid again.",
    configReportedMarker(errors.map(configErrorFingerprint)),
  ].join("\n");
}

/**
 * Brings the configuration-error issue in line with the current errors: opened on the first
 * error, updated (with one comment naming what is new) when new errors appear, closed when the
 * file is valid again. Writes nothing while the reported set is unchanged.
 */
export async function reportConfigErrors(gh: GitHubClient, ref: RepoRef, loaded: RepoConfig, writer: string): Promise<"opened" | "updated" | "closed" | "unchanged"> {
  const label = loaded.config.labels.config_error;
  const marked = await findMarkedIssues(gh, ref, { label, state: "all", marker: CONFIG_ERROR_MARKER, author: writer });
  const existing = marked.find((i) => i.state === "open");
  if (loaded.errors.length === 0) {
    if (!existing) return "unchanged";
    await gh.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
      ...ref,
      issue_number: existing.number,
      body: `\`${loaded.path}\` is valid again — closing.`,
    });
    await gh.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...ref, issue_number: existing.number, state: "closed", state_reason: "completed" });
    return "closed";
  }
  const body = configIssueBody(loaded.path, loaded.errors);
  const closed = marked.find((i) => i.state === "closed");
  if (!existing && closed) {
    // The file broke again: the same issue reopens, so its history stays in one place.
    await gh.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...ref, issue_number: closed.number, body, state: "open", state_reason: "reopened" });
    await gh.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
      ...ref,
      issue_number: closed.number,
      body: `\`${loaded.path}\` has problems again:\n\n${errorTable(loaded.path, loaded.errors)}`,
    });
    return "opened";
  }
  if (!existing) {
    await createIssueOnce(gh, ref, {
      marker: CONFIG_ERROR_MARKER,
      title: "Firebreak configuration error",
      body,
      labels: [label],
      findLabel: label,
      author: writer,
    });
    return "opened";
  }
  const reported = new Set(parseConfigReported(existing.body));
  const fresh = loaded.errors.filter((e) => !reported.has(configErrorFingerprint(e)));
  const current = new Set(loaded.errors.map(configErrorFingerprint));
  if (fresh.length === 0 && [...reported].every((f) => current.has(f))) return "unchanged";
  await gh.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...ref, issue_number: existing.number, body });
  if (fresh.length > 0) {
    await gh.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
      ...ref,
      issue_number: existing.number,
      body: `New problems in \`${loaded.path}\`:\n\n${errorTable(loaded.path, fresh)}`,
    });
  }
  return "updated";
}
