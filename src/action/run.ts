// The Action face: workflow event → the same shell as the App → outputs and a job summary.
// Writes made with the workflow's token start no further runs, so chained work (a postmortem
// and its labels) finishes here, and every run brings the incident in line with its whole log.
import * as core from "@actions/core";
import * as github from "@actions/github";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { planWrites } from "../core/model/plan.js";
import type { GitHubClient } from "../github/client.js";
import { safeMessage, statusOf } from "../github/client.js";
import { triggerFrom } from "../github/events.js";
import { FileCache } from "../github/files.js";
import { LabelStyler } from "../github/labels.js";
import { PermissionCache } from "../github/permissions.js";
import { RATE_LIMITS } from "../github/octokit.js";
import type { RunResult, ShellDeps } from "../github/shell/deps.js";
import { handle } from "../github/shell/handle.js";
import { shippedTemplates } from "../templates.js";
import { ACTION_INPUTS, actionInputsSchema } from "./inputs.js";

function readInputs() {
  // An empty token is kept as "" so its own message says what to pass; other empty inputs take their defaults.
  const raw = Object.fromEntries(ACTION_INPUTS.map((name) => [name, core.getInput(name) || (name === "github-token" ? "" : undefined)]));
  const parsed = actionInputsSchema.safeParse(raw);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  return parsed.data;
}

function summarize(eventName: string, results: readonly RunResult[], stoppedAt?: { job: string; after?: number }): string {
  const lines = [`### Firebreak — \`${eventName}\``, ""];
  for (const r of results) {
    lines.push(`- **${r.action}**${r.incident ? ` · incident #${r.incident}` : ""}${r.postmortem ? ` · postmortem #${r.postmortem}` : ""}`);
    for (const note of r.notes) lines.push(`  - ${note.replace(/\n/g, " ")}`);
    const plan = r.plan;
    if (plan?.update) lines.push(`  - issue updated: ${Object.keys(plan.update).join(", ")}`);
    if (plan && plan.replies.length > 0) lines.push(`  - replies: ${plan.replies.length}`);
    if (plan && plan.reactions.length > 0) lines.push(`  - commands acknowledged: ${plan.reactions.length}`);
    if (r.table) lines.push("", r.table, "");
  }
  if (results.length === 0) lines.push("Nothing to do.");
  if (stoppedAt) lines.push("", `The scheduled pass's ${stoppedAt.job} stopped${stoppedAt.after !== undefined ? ` after #${stoppedAt.after}` : ""}, at its share of the call budget (\`schedule.max_calls\`); the next run goes on from there (kept on the dashboard issue when the budget allows).`);
  return lines.join("\n");
}

type Outcome = Pick<RunResult, "action" | "incident">;

/**
 * A schedule run reports `reconciled`, whatever each incident needed (a missed command is
 * `command` for that incident); it names the incident when it changed exactly one.
 */
function reconciled(results: readonly RunResult[]): Outcome {
  const changed = results.filter((r) => r.incident !== undefined && r.plan !== undefined && planWrites(r.plan) > 0);
  return changed.length === 1 ? { action: "reconciled", incident: changed[0]!.incident } : { action: "reconciled" };
}

/** Runners always provide a summary file; a local run (act, a shell) gets the summary in the log instead. */
async function writeSummary(markdown: string): Promise<void> {
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(markdown).write();
  else core.info(markdown);
}

export async function run(): Promise<void> {
  try {
    const inputs = readInputs();
    core.setSecret(inputs["github-token"]);
    const octokit = github.getOctokit(
      inputs["github-token"],
      {
        throttle: RATE_LIMITS,
      },
      retry,
      throttling,
    ) as unknown as GitHubClient;
    const eventName = github.context.eventName;
    const deps: ShellDeps = {
      files: new FileCache(),
      labels: new LabelStyler(),
      permissions: new PermissionCache(),
      botLogin: inputs["bot-login"],
      templates: shippedTemplates(),
      configPath: inputs["config-path"],
      issueFromPayload: false,
      // Check runs as in the App (a deployment names its commit), so both faces make the same writes.
      checkRuns: true,
      // The runner is the team's own machine: its staging hosts are theirs to check.
      allowPrivateQaHosts: true,
      // Relay URLs are the workflow's secrets, passed as environment variables.
      relay: { env: process.env, hosted: false },
      // KPI URLs may use any variable of the workflow's own environment for their auth header.
      kpi: { env: process.env, hosted: false },
      // No memory between runs: where a scheduled pass stopped is kept on the dashboard issue.
      cursorOnDashboard: true,
      log: (line) => core.info(line),
    };
    const trigger = triggerFrom(eventName, github.context.payload, { repoFallback: process.env.GITHUB_REPOSITORY, at: new Date().toISOString() });
    // A manual run also checks tracking now, reported under this run.
    if (trigger.kind === "scheduled" && eventName === "workflow_dispatch") {
      const server = process.env.GITHUB_SERVER_URL ?? "https://github.com";
      trigger.qa = { tag: `manual-${process.env.GITHUB_RUN_ID ?? "run"}`, url: `${server}/${process.env.GITHUB_REPOSITORY ?? ""}/actions/runs/${process.env.GITHUB_RUN_ID ?? ""}` };
    }
    const handled = await handle(octokit, trigger, deps);
    const results = handled.results;
    const qa = trigger.kind === "scheduled" ? results.find((r) => r.action === "qa-passed" || r.action === "qa-failed") : undefined;
    // A pass that opened or updated a detection incident reports `detected`, naming it.
    const detected = trigger.kind === "scheduled" ? results.find((r) => r.action === "detected") : undefined;
    const outcome: Outcome | undefined = trigger.kind === "scheduled" ? (qa ?? detected ?? reconciled(results.filter((r) => r !== qa))) : undefined;
    const failed = results.flatMap((r) => r.notes.filter((n) => n.startsWith("failed:")));
    // Every incident of a reconcile run carries the same config errors: annotate each once.
    const configErrors = new Set(results.flatMap((r) => r.configErrors.map((e) => `${e.key}: ${e.reason}`)));
    for (const error of configErrors) core.error(error, { file: inputs["config-path"], title: "Firebreak configuration" });
    const main = outcome ?? results.find((r) => r.action !== "ignored") ?? results[0];
    core.setOutput("incident-number", main?.incident !== undefined ? String(main.incident) : "");
    core.setOutput("action-taken", main?.action ?? "ignored");
    await writeSummary(summarize(eventName, results, handled.stoppedAt));
    if (failed.length > 0) core.setFailed(`Firebreak could not finish: ${failed.join("; ")}`);
  } catch (error) {
    // An error that is only logged leaves a run green; this one fails it, without leaking tokens.
    core.setOutput("action-taken", "ignored");
    const hint = statusOf(error) === 401 ? " — GitHub refused the token: check the github-token input" : "";
    const message = `Firebreak failed: ${safeMessage(error)}${hint}`;
    await writeSummary(`### Firebreak — \`${github.context.eventName}\`\n\n**failed:** ${message}`).catch(() => undefined);
    core.setFailed(message);
  }
}

