// The Action face: workflow event → the same shell as the App → outputs and a job summary.
// Writes made with the workflow's token start no further runs, so chained work (a postmortem
// and its labels) finishes here, and every run brings the incident in line with its whole log.
import * as core from "@actions/core";
import * as github from "@actions/github";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import type { GitHubClient } from "../github/client.js";
import { safeMessage } from "../github/client.js";
import { triggerFrom } from "../github/events.js";
import type { FirebreakDeps, RunResult } from "../github/firebreak.js";
import { reconcileRepository, runTrigger } from "../github/firebreak.js";
import { FileCache } from "../github/files.js";
import type { QaRunResult } from "../github/tracking-qa.js";
import { runReleaseQa } from "../github/tracking-qa.js";
import { shippedTemplates } from "../templates.js";
import { ACTION_INPUTS, actionInputsSchema } from "./inputs.js";

function readInputs() {
  const raw = Object.fromEntries(ACTION_INPUTS.map((name) => [name, core.getInput(name) || undefined]));
  return actionInputsSchema.parse(raw);
}

function summarize(eventName: string, results: readonly (RunResult | QaRunResult)[]): string {
  const lines = [`### Firebreak — \`${eventName}\``, ""];
  for (const r of results) {
    lines.push(`- **${r.action}**${r.incident ? ` · incident #${r.incident}` : ""}${r.postmortem ? ` · postmortem #${r.postmortem}` : ""}`);
    for (const note of r.notes) lines.push(`  - ${note.replace(/\n/g, " ")}`);
    const plan = r.plan;
    if (plan?.update) lines.push(`  - issue updated: ${Object.keys(plan.update).join(", ")}`);
    if (plan && plan.replies.length > 0) lines.push(`  - replies: ${plan.replies.length}`);
    if (plan && plan.reactions.length > 0) lines.push(`  - commands acknowledged: ${plan.reactions.length}`);
    if ("table" in r && r.table) lines.push("", r.table, "");
  }
  if (results.length === 0) lines.push("Nothing to do.");
  return lines.join("\n");
}

export async function run(): Promise<void> {
  try {
    const inputs = readInputs();
    core.setSecret(inputs["github-token"]);
    const octokit = github.getOctokit(
      inputs["github-token"],
      {
        throttle: {
          onRateLimit: (_after: number, _options: object, _octokit: unknown, retryCount: number) => retryCount < 2,
          onSecondaryRateLimit: (_after: number, _options: object, _octokit: unknown, retryCount: number) => retryCount < 2,
        },
      },
      retry,
      throttling,
    ) as unknown as GitHubClient;
    const eventName = github.context.eventName;
    const deps: FirebreakDeps = {
      files: new FileCache(),
      botLogin: inputs["bot-login"],
      templates: shippedTemplates(),
      configPath: inputs["config-path"],
      issueFromPayload: false,
      log: (line) => core.info(line),
    };
    const trigger = triggerFrom(eventName, github.context.payload, process.env.GITHUB_REPOSITORY);
    let results: (RunResult | QaRunResult)[];
    if (trigger.kind === "reconcile") {
      results = await reconcileRepository(octokit, trigger.ref, deps);
      if (eventName === "workflow_dispatch") {
        const manual = { tag: `manual-${process.env.GITHUB_RUN_ID ?? "run"}`, url: `${process.env.GITHUB_SERVER_URL ?? "https://github.com"}/${process.env.GITHUB_REPOSITORY ?? ""}/actions/runs/${process.env.GITHUB_RUN_ID ?? ""}` };
        results.push(await runReleaseQa(octokit, { kind: "release", ref: trigger.ref, release: manual, sender: { login: "workflow_dispatch", type: "User" } }, deps));
      }
    } else if (trigger.kind === "release" || trigger.kind === "deployment") {
      results = [await runReleaseQa(octokit, trigger, deps)];
    } else {
      results = [await runTrigger(octokit, trigger, deps)];
    }
    const failed = results.flatMap((r) => r.notes.filter((n) => n.startsWith("failed:")));
    for (const r of results) {
      for (const error of r.configErrors) core.error(`${error.key}: ${error.reason}`, { file: inputs["config-path"], title: "Firebreak configuration" });
    }
    const main = results.find((r) => r.action !== "ignored") ?? results[0];
    core.setOutput("incident-number", main?.incident !== undefined ? String(main.incident) : "");
    core.setOutput("action-taken", main?.action ?? "ignored");
    await core.summary.addRaw(summarize(eventName, results)).write();
    if (failed.length > 0) core.setFailed(`Firebreak could not finish: ${failed.join("; ")}`);
  } catch (error) {
    // An error that is only logged leaves a run green; this one fails it, without leaking tokens.
    core.setOutput("action-taken", "ignored");
    core.setFailed(`Firebreak failed: ${safeMessage(error)}`);
  }
}

