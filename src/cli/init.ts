// `firebreak init`: the files a repository needs, from the templates this package ships.
// Never overwrites without --force; anything skipped makes the exit code 1 so scripts notice.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { readTemplate } from "../templates.js";
import type { ExitCode, Io } from "./common.js";
import { CliError, EXIT } from "./common.js";
import { runLabels } from "./labels.js";
import type { CliOctokitOptions } from "./octokit.js";

/** What `init` writes: the shipped template and where it goes in the repository. */
export const INIT_FILES = [
  { template: "ISSUE_TEMPLATE/marketing-incident.yml", target: ".github/ISSUE_TEMPLATE/marketing-incident.yml", what: "the incident issue form" },
  { template: "workflows/firebreak.yml", target: ".github/workflows/firebreak.yml", what: "the workflow that runs the Action" },
  { template: "firebreak.example.yml", target: ".github/firebreak.yml", what: "the configuration, every key at its default" },
  { template: "postmortem.md", target: ".github/firebreak/postmortem.md", what: "the postmortem template" },
  { template: "kpi/hourly.csv", target: "data/kpi/hourly.csv", what: "an example of the KPI layout early detection reads (see detection in the config)" },
] as const;

export interface InitOptions {
  dir?: string;
  force?: boolean;
  /** The GitHub repository whose labels to create (default: the checkout's `origin` on github.com). */
  repo?: string;
}

export function readInitTemplates(): { target: string; what: string; content: string }[] {
  return INIT_FILES.map((file) => {
    try {
      return { target: file.target, what: file.what, content: readTemplate(file.template) };
    } catch {
      // A broken install, not the user's mistake.
      throw new CliError(`the package is missing templates/${file.template}; reinstall firebreak`, EXIT.failure);
    }
  });
}

export function runInit(options: InitOptions, io: Io): ExitCode {
  const root = resolve(io.cwd, options.dir ?? ".");
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new CliError(`--dir ${options.dir ?? "."} is not a directory`);
  const files = readInitTemplates();
  const skipped: string[] = [];
  for (const file of files) {
    const path = join(root, file.target);
    const exists = existsSync(path);
    if (exists && !options.force) {
      skipped.push(file.target);
      io.out(`skipped    ${file.target} (exists)`);
      continue;
    }
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.content);
    io.out(`${exists ? "overwrote " : "created   "} ${file.target} — ${file.what}`);
  }
  const shown = relative(io.cwd, root) || ".";
  if (skipped.length > 0) {
    io.err(`\n${skipped.length} file(s) already exist and were left untouched: ${skipped.join(", ")}.\nRun \`firebreak init${options.dir ? ` --dir ${shown}` : ""} --force\` to overwrite them.`);
    return EXIT.failure;
  }
  io.out(
    [
      "",
      "Next steps:",
      `  1. Review .github/firebreak.yml${shown === "." ? "" : ` in ${shown}`} (every key is optional), then commit and push to the default branch —`,
      "     Firebreak reads its config, form and postmortem template from there.",
      "  2. The labels: see below (they must exist before the first form is submitted, or GitHub drops the",
      "     form's `incident` label — Firebreak still recognises such a submission by its body and labels it).",
      "  3. Run it: keep .github/workflows/firebreak.yml for the Action (nothing to host) — replace `<your-org>` in its",
      "     `uses: <your-org>/firebreak@v1` with the owner of the Firebreak repository you use — or install the",
      "     Firebreak GitHub App and delete the workflow. For release-triggered tracking QA, set tracking_qa.",
      "  4. Try it without GitHub:  firebreak demo   ·   dry-run one event:  firebreak simulate --help",
    ].join("\n"),
  );
  return EXIT.ok;
}

/** OWNER/REPO of the checkout's `origin` remote when it is on github.com (read from .git/config, no git needed). */
export function originRepo(root: string): string | undefined {
  try {
    const config = readFileSync(join(root, ".git", "config"), "utf8");
    const origin = /\[remote "origin"\][^[]*?\burl\s*=\s*(\S+)/.exec(config)?.[1];
    const match = origin && /github\.com[:/]([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9._-]+?)(?:\.git)?\/?$/.exec(origin);
    return match ? `${match[1]}/${match[2]}` : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `firebreak init`: the files, then the labels — created at once when GITHUB_TOKEN is set and the
 * repository is known (--repo, or the checkout's origin), otherwise the exact command to run.
 */
export async function runInitCommand(options: InitOptions, io: Io, octokitOptions: CliOctokitOptions = {}): Promise<ExitCode> {
  const code = runInit(options, io);
  if (code === EXIT.usage) return code;
  const root = resolve(io.cwd, options.dir ?? ".");
  const repo = options.repo ?? originRepo(root);
  const configPath = join(root, ".github", "firebreak.yml");
  const configArg = existsSync(configPath) ? ` --config ${relative(io.cwd, configPath) || configPath}` : "";
  const command = `firebreak labels --repo ${repo ?? "OWNER/REPO"}${configArg}`;
  if (!repo || !io.env.GITHUB_TOKEN?.trim()) {
    io.out(
      [
        "",
        `Labels: create them now, before the first form is submitted${repo ? "" : " (OWNER/REPO: your repository; --repo tells init)"}:`,
        `  GITHUB_TOKEN=… ${command}`,
        `  (${command} --dry-run lists them without a token.)`,
      ].join("\n"),
    );
    return code;
  }
  io.out(`\nLabels in ${repo} (GITHUB_TOKEN is set):`);
  const labelsCode = await runLabels({ repo, ...(configArg ? { config: configPath } : {}) }, io, octokitOptions);
  return code === EXIT.ok ? labelsCode : code;
}
