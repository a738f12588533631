// Release-triggered tracking QA on GitHub: read the config, have the tracking QA wing
// (src/tracking-qa, which also guards addresses) run the checks, report them (a check run, and
// the job summary in the Action), and open one measurement incident per release on failure.
import type { FirebreakConfig } from "../../core/config.js";
import type { Severity } from "../../core/model/domain.js";
import { qaIncidentDraft } from "../../core/tracking-qa/incident-draft.js";
import { renderQaTable } from "../../core/tracking-qa/report.js";
import type { QaReport } from "../../tracking-qa/run.js";
import { runTrackingQa } from "../../tracking-qa/run.js";
import type { GitHubClient, RepoRef } from "../client.js";
import { safeMessage } from "../client.js";
import type { Trigger } from "../events.js";
import type { RunResult, ShellDeps } from "./deps.js";
import { openMarkedIncident } from "./incident.js";

export interface QaRunResult extends Omit<RunResult, "configErrors"> {
  report?: QaReport;
}

type QaTrigger = Extract<Trigger, { kind: "release" | "deployment" }>;

/** The commit a release points at, for its check run: its target branch or commit, resolved. */
async function releaseSha(gh: GitHubClient, trigger: Extract<QaTrigger, { kind: "release" }>): Promise<string | undefined> {
  const commitish = trigger.release.commitish;
  if (!commitish) return undefined;
  if (/^[0-9a-f]{40}$/i.test(commitish)) return commitish;
  try {
    const { data } = await gh.request("GET /repos/{owner}/{repo}/commits/{ref}", { ...trigger.ref, ref: commitish });
    return (data as { sha?: string }).sha;
  } catch {
    return undefined;
  }
}

/** The check run a branch can require by its name (SPEC §8, §17). */
export const QA_CHECK_NAME = "Firebreak tracking QA";

/** Writes the run's check run on a commit; a refusal is noted, never thrown. */
async function writeQaCheckRun(gh: GitHubClient, ref: RepoRef, sha: string, report: QaReport, table: string, notes: string[]): Promise<void> {
  const passed = report.summary.passed;
  try {
    await gh.request("POST /repos/{owner}/{repo}/check-runs", {
      ...ref,
      name: QA_CHECK_NAME,
      head_sha: sha,
      status: "completed",
      conclusion: passed ? "success" : "failure",
      output: { title: passed ? "Tracking fires on every checked page" : "Tracking is missing or wrong", summary: notes[0] ?? "", text: table.slice(0, 60_000) },
    });
  } catch (error) {
    notes.push(`could not write the check run: ${safeMessage(error)}`);
  }
}

/**
 * The pre-merge gate (SPEC §17): a successful deployment that is not production is checked
 * where it lives (its environment_url) and the result is a check run on its commit — which a
 * branch can require — and never an incident.
 */
export async function runDeploymentGate(gh: GitHubClient, trigger: Extract<QaTrigger, { kind: "deployment" }>, config: FirebreakConfig, deps: ShellDeps): Promise<QaRunResult> {
  const qa = config.tracking_qa;
  const name = `${trigger.deployment.environment} deployment ${trigger.deployment.sha.slice(0, 7)}`;
  if (qa.steps.length === 0) return { action: "ignored", notes: ["tracking QA is off: set tracking_qa.steps"] };
  if (trigger.environmentUrl === undefined) return { action: "ignored", notes: [`${name} has no http(s) environment_url to check`] };
  if (!deps.checkRuns) return { action: "ignored", notes: [`the pre-merge gate reports as a check run, which this runtime cannot write`] };
  const report = await runTrackingQa(
    { ...qa, base_url: trigger.environmentUrl },
    { allowPrivate: deps.allowPrivateQaHosts === true, settleMs: qa.delay_seconds * 1000 },
  );
  if (report.refused) {
    return { action: "ignored", notes: [`tracking QA refused: ${report.refused.host} is a private or loopback address (set FIREBREAK_QA_ALLOW_PRIVATE=1 where that is intended)`] };
  }
  const table = renderQaTable(report.steps);
  const passed = report.summary.passed;
  const notes = [`pre-merge tracking QA ${passed ? "passed" : "failed"} for ${name} at ${trigger.environmentUrl} (${report.steps.length} steps, ${report.durationMs} ms)`];
  await writeQaCheckRun(gh, trigger.ref, trigger.deployment.sha, report, table, notes);
  return { action: passed ? "qa-passed" : "qa-failed", notes, report, table };
}

export async function runReleaseQa(gh: GitHubClient, trigger: QaTrigger, config: FirebreakConfig, deps: ShellDeps): Promise<QaRunResult> {
  const qa = config.tracking_qa;
  if (!qa.base_url || qa.steps.length === 0) return { action: "ignored", notes: ["tracking QA is off: set tracking_qa.base_url and steps"] };
  const release =
    trigger.kind === "release"
      ? trigger.release
      : // Keyed by the deployed commit: redeploying the same broken commit opens no second incident.
        { tag: `deployment-${trigger.deployment.sha.slice(0, 12)}`, name: `${trigger.deployment.environment} deployment ${trigger.deployment.sha.slice(0, 7)}`, url: trigger.deployment.url };
  const report = await runTrackingQa(qa, {
    allowPrivate: deps.allowPrivateQaHosts === true,
    // A release is often published before the site is deployed; a deployment is checked once it settles.
    settleMs: trigger.kind === "deployment" ? qa.delay_seconds * 1000 : 0,
  });
  if (report.refused) {
    return {
      action: "ignored",
      notes: [`tracking QA refused: ${report.refused.host} is a private or loopback address; a hosted App does not probe its own network (set FIREBREAK_QA_ALLOW_PRIVATE=1 where that is intended)`],
    };
  }
  const table = renderQaTable(report.steps);
  const passed = report.summary.passed;
  const notes = [`tracking QA ${passed ? "passed" : "failed"} for ${release.tag} (${report.steps.length} steps, ${report.durationMs} ms)`];
  if (deps.checkRuns) {
    const sha = trigger.kind === "deployment" ? trigger.deployment.sha : await releaseSha(gh, trigger);
    if (sha) {
      // The incident matters more than the check run: a refused check run never stops it.
      await writeQaCheckRun(gh, trigger.ref, sha, report, table, notes);
    } else {
      notes.push("no commit to attach a check run to: results are in the incident and the log");
    }
  }
  if (passed) return { action: "qa-passed", notes, report, table };
  const draft = qaIncidentDraft(report.steps, release, qa.severity as Severity, deps.templates.form);
  const created = await openMarkedIncident(gh, trigger.ref, draft, config, deps);
  notes.push(created.created ? `opened measurement incident #${created.number}` : `measurement incident #${created.number} already open for this release`);
  return { action: "qa-failed", incident: created.number, notes, report, table };
}
