// The `firebreak` command line: commander parses, each command lives in its own file, and
// every outcome maps to an exit code scripts can trust (0 ok · 1 failure found · 2 usage/config).
import { Command, CommanderError, Option } from "commander";
import { readFileSync } from "node:fs";
import type { ExitCode, Io } from "./common.js";
import { describeError, EXIT, processIo } from "./common.js";
import type { DetectOptions } from "./detect.js";
import type { QaOptions } from "./qa.js";
import type { SimulateOptions } from "./simulate.js";

const EXIT_CODES = `
Exit codes: 0 ok · 1 a failure was found (or a file was not overwritten) · 2 usage or configuration error.`;

const TOKEN_HELP = `
Reads GITHUB_TOKEN (a token that can write issues) and GITHUB_API_URL (default https://api.github.com;
set it for GitHub Enterprise Server, e.g. https://ghe.example.com/api/v3). Tokens never appear in output.`;

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string };
    return pkg.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}

/** Commands load their modules when they run: `firebreak init` need not load Probot or a browser driver. */
export function buildProgram(io: Io, done: (code: ExitCode) => void): Command {
  const program = new Command("firebreak");
  program
    .description("Marketing incident response inside GitHub: set a repository up, watch the demo, dry-run events, reconcile incidents, run tracking QA.")
    .version(version(), "-V, --version")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.replace(/\n$/, "")), writeErr: (s) => io.err(s.replace(/\n$/, "")) })
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText("after", EXIT_CODES);

  program
    .command("demo")
    .description("Run the real Firebreak App against a built-in local GitHub and play one incident from form to postmortem, plus a repeat. No network, no GitHub account.")
    .option("--out <dir>", "also write one Markdown file per issue (and a README with the playback) into DIR")
    .addHelpText("after", `\nPrints the issues as Markdown to stdout. Exits 1 when any step did not have its expected effect.${EXIT_CODES}`)
    .action(async (opts: { out?: string }) => done(await (await import("./demo.js")).runDemoCommand(opts, io)));

  program
    .command("init")
    .description("Write Firebreak's files into a repository checkout: the issue form, the workflow, .github/firebreak.yml and the postmortem template.")
    .option("--dir <dir>", "the repository checkout", ".")
    .option("--force", "overwrite files that already exist")
    .option("--repo <owner/repo>", "create Firebreak's labels in this repository too when GITHUB_TOKEN is set (default: the checkout's origin on github.com)")
    .addHelpText(
      "after",
      `\nWrites .github/ISSUE_TEMPLATE/marketing-incident.yml, .github/workflows/firebreak.yml, .github/firebreak.yml and
.github/firebreak/postmortem.md. An existing file is never overwritten without --force: it is listed as skipped and
the exit code is 1. With GITHUB_TOKEN set it then creates the labels (the form's label must exist before the
first submission); without, it prints the exact \`firebreak labels\` command.${EXIT_CODES}`,
    )
    .action(async (opts: { dir?: string; force?: boolean; repo?: string }) => done(await (await import("./init.js")).runInitCommand(opts, io)));

  program
    .command("labels")
    .description("Create or update Firebreak's labels (colours and descriptions) in a repository. Idempotent: a second run writes nothing.")
    .requiredOption("--repo <owner/repo>", "the repository")
    .option("--dry-run", "show what would be created or updated, write nothing")
    .option("--config <file>", "label names from this local config instead of the repository's .github/firebreak.yml")
    .addHelpText("after", `${TOKEN_HELP}${EXIT_CODES}`)
    .action(async (opts: { repo: string; dryRun?: boolean; config?: string }) => done(await (await import("./labels.js")).runLabels(opts, io)));

  program
    .command("simulate")
    .description("Print the plan of GitHub writes an event would cause, decided by Firebreak's core alone. Touches nothing; no network, no token.")
    .option("--event <name>", "the webhook event name: issues, issue_comment, release, deployment_status, push, schedule, workflow_dispatch")
    .option("--payload <file>", "the webhook payload (JSON)")
    .option("--example <name>", "a shipped sample payload instead of --event/--payload: issues.opened, issues.opened-unlabelled, issues.closed, issue_comment.created, release.published")
    .option("--config <file>", "a config file (default: .github/firebreak.yml in the current directory, if any)")
    .option("--issue-body <file>", "replace the payload's issue body (e.g. an incident with its card)")
    .option("--comments <file>", "the issue's comments as GitHub lists them (JSON array): the log commands and the close gate read")
    .option("--form <file>", "the repository's issue form, if it renamed the shipped one's labels")
    .option("--permitted <logins...>", "treat these logins as allowed to command (the App would look their permission up)")
    .option("--bot-login <login>", "the login Firebreak writes as", "firebreak[bot]")
    .option("--json", "print the simulation as JSON")
    .addHelpText(
      "after",
      `\nExamples:
  firebreak simulate --example issues.opened
  firebreak simulate --event issues --payload examples/payloads/issues.opened.json --config .github/firebreak.yml
The sample payloads (examples/payloads/) come from @octokit/webhooks-examples. A payload without a field Firebreak
reads is refused with the fields named; an invalid config file is exit 2.${EXIT_CODES}`,
    )
    .action(async (opts: SimulateOptions) => done(await (await import("./simulate.js")).runSimulate(opts, io)));

  program
    .command("reconcile")
    .description("Bring every open incident's card in line with its comment log and acknowledge unanswered commands (the Action's schedule run).")
    .requiredOption("--repo <owner/repo>", "the repository")
    // No default login: a personal token writes as its owner, whose records and issues are then Firebreak's (SPEC §13).
    .option("--bot-login <login>", "the login whose comments are Firebreak's own (default: the token's owner, and github-actions[bot])")
    .option("--config-path <path>", "the config file in the repository", ".github/firebreak.yml")
    .option("--json", "print the results as JSON")
    .addHelpText("after", `${TOKEN_HELP}\nExits 1 when an incident could not be reconciled.${EXIT_CODES}`)
    .action(async (opts: { repo: string; botLogin?: string; configPath?: string; json?: boolean }) => done(await (await import("./reconcile.js")).runReconcile(opts, io)));

  program
    .command("report")
    .description("Report on the incidents of a period ending now: by layer and severity, times to detect/own/contain/resolve, detection gaps, repeats, triage accuracy, cost, postmortems.")
    .requiredOption("--repo <owner/repo>", "the repository")
    .option("--since <duration>", "the period's length, ending now", "90d")
    .addOption(new Option("--format <format>", "md (with Mermaid charts), json, or csv (one row per incident)").choices(["md", "json", "csv"]).default("md"))
    .option("--bot-login <login>", "the login that writes Firebreak's records (default: the token's owner)")
    .option("--config-path <path>", "the config file in the repository", ".github/firebreak.yml")
    .addHelpText("after", `${TOKEN_HELP}${EXIT_CODES}`)
    .action(async (opts: { repo: string; since?: string; format?: "md" | "json" | "csv"; botLogin?: string; configPath?: string }) => done(await (await import("./report.js")).runReport(opts, io)));

  program
    .command("nudge")
    .description("Remind whoever owes the next move: an overdue update, an incident without an owner, an overdue check, a late postmortem (one reminder per window; the scheduled pass's nudges).")
    .requiredOption("--repo <owner/repo>", "the repository")
    .option("--bot-login <login>", "the login whose comments are Firebreak's own (default: the token's owner, and github-actions[bot])")
    .option("--config-path <path>", "the config file in the repository", ".github/firebreak.yml")
    .option("--json", "print the results as JSON")
    .addHelpText("after", `${TOKEN_HELP}\nCards are read as they stand: run \`firebreak reconcile\` first when runs were missed.\nExits 1 when an issue could not be handled.${EXIT_CODES}`)
    .action(async (opts: { repo: string; botLogin?: string; configPath?: string; json?: boolean }) => done(await (await import("./nudge.js")).runNudge(opts, io)));

  program
    .command("qa")
    .description("Run tracking QA on the pages under tracking_qa and print the step × expectation table.")
    .option("--config <file>", "a local config file (default: .github/firebreak.yml in the current directory)")
    .option("--repo <owner/repo>", "read the config from the repository's default branch instead (needs GITHUB_TOKEN)")
    .option("--browser", "add the headless-browser stage (system Chromium) whatever tracking_qa.browser says")
    .option("--base-url <url>", "check another host with the same steps, e.g. a staging site")
    .addOption(new Option("--format <format>", "table format (default: text on a terminal, markdown otherwise)").choices(["text", "markdown"]))
    .option("--json", "print the full report as JSON")
    .addHelpText("after", `\nExits 1 when any check failed, 0 when all passed, 2 when there is nothing valid to check.${EXIT_CODES}`)
    .action(async (opts: QaOptions) => done(await (await import("./qa.js")).runQa(opts, io)));

  program
    .command("detect")
    .description("Read KPI series (CSV or JSON Lines) and print the material, sustained breaks, each read as a layer (SPEC §14).")
    .requiredOption("--kpi <source>", "a KPI file, an https:// URL, or - for standard input")
    .option("--config <file>", "a config file whose detection: block applies (default: .github/firebreak.yml here, if any)")
    .option("--at <iso>", "judge the data as of this time (default: the newest timestamp in the data)")
    .option("--replay", "feed every point in time order as if live and print each signal when first raised")
    .option("--json", 'print { "signals": [ … ] }')
    .addHelpText("after", `\nExits 1 when a signal is active (or raised in the replay), 0 when none, 2 on bad input (the line and column are named).${EXIT_CODES}`)
    .action(async (opts: DetectOptions) => done(await (await import("./detect.js")).runDetect(opts, io)));

  return program;
}

/** Runs the CLI; resolves to the exit code instead of exiting, so tests can call it. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<ExitCode> {
  let code: ExitCode = EXIT.ok;
  const program = buildProgram(io, (c) => void (code = c));
  try {
    await program.parseAsync([...argv], { from: "user" });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return EXIT.ok;
      // Missing or unknown arguments, and `firebreak` alone (help on stderr): usage errors.
      return EXIT.usage;
    }
    const { message, code: exit } = describeError(error);
    io.err(`firebreak: ${message}`);
    return exit;
  }
}
