// Release-triggered tracking QA on GitHub: run the checks, report them (a check run in the
// App, the job summary in the Action), and open one measurement incident per release on failure.
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import type { Severity } from "../core/model/domain.js";
import { qaIncidentDraft } from "../core/tracking-qa/incident-draft.js";
import { renderQaTable } from "../core/tracking-qa/report.js";
import type { QaReport } from "../qa/run.js";
import { runTrackingQa } from "../qa/run.js";
import type { GitHubClient } from "./client.js";
import { safeMessage } from "./client.js";
import type { Trigger } from "./events.js";
import type { FirebreakDeps, RunResult } from "./firebreak.js";
import { declareCreatedIssue, loadConfigAndReport } from "./firebreak.js";
import { closeDuplicates, createIssueOnce } from "./issues.js";

export interface QaRunResult extends RunResult {
  report?: QaReport;
  table?: string;
}

type QaTrigger = Extract<Trigger, { kind: "release" | "deployment" }>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const PRIVATE_V4 = [/^0\./, /^10\./, /^127\./, /^169\.254\./, /^172\.(1[6-9]|2\d|3[01])\./, /^192\.168\./, /^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./];

function isPrivateAddress(address: string): boolean {
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  if (isIP(v4) === 4) return PRIVATE_V4.some((range) => range.test(v4));
  const v6 = address.toLowerCase();
  return v6 === "::" || v6 === "::1" || /^f[cd]/.test(v6) || /^fe[89ab]/.test(v6);
}

/** The first step host that resolves to a private, loopback or link-local address, if any. */
async function privateStepHost(baseUrl: string | undefined, paths: readonly string[]): Promise<string | undefined> {
  const hosts = new Set<string>();
  for (const path of paths) {
    try {
      hosts.add(new URL(path, baseUrl).hostname.replace(/^\[|\]$/g, ""));
    } catch {
      // An unusable URL fails in the QA run itself, with its own message.
    }
  }
  for (const host of hosts) {
    const addresses = isIP(host) ? [{ address: host }] : await lookup(host, { all: true }).catch(() => []);
    if (addresses.some((a) => isPrivateAddress(a.address))) return host;
  }
  return undefined;
}

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

export async function runReleaseQa(
  gh: GitHubClient,
  trigger: QaTrigger,
  deps: FirebreakDeps & { checkRuns?: boolean; headSha?: string; allowPrivateHosts?: boolean },
): Promise<QaRunResult> {
  if (trigger.sender.login.toLowerCase() === deps.botLogin.toLowerCase()) {
    return { action: "ignored", notes: ["an event Firebreak caused itself"], configErrors: [] };
  }
  const loaded = await loadConfigAndReport(gh, trigger.ref, deps);
  const qa = loaded.config.tracking_qa;
  if (!qa.base_url || qa.steps.length === 0) {
    return { action: "ignored", notes: ["tracking QA is off: set tracking_qa.base_url and steps"], configErrors: loaded.errors };
  }
  if (deps.allowPrivateHosts === false) {
    const refused = await privateStepHost(qa.base_url, qa.steps.map((step) => step.path));
    if (refused) {
      return {
        action: "ignored",
        notes: [`tracking QA refused: ${refused} is a private or loopback address; a hosted App does not probe its own network (set FIREBREAK_QA_ALLOW_PRIVATE=1 where that is intended)`],
        configErrors: loaded.errors,
      };
    }
  }
  // A release is often published before the site is deployed; a deployment is checked once it settles.
  if (trigger.kind === "deployment" && qa.delay_seconds > 0) await sleep(qa.delay_seconds * 1000);
  const release =
    trigger.kind === "release"
      ? trigger.release
      : // Keyed by the deployed commit: redeploying the same broken commit opens no second incident.
        { tag: `deployment-${trigger.deployment.sha.slice(0, 12)}`, name: `${trigger.deployment.environment} deployment ${trigger.deployment.sha.slice(0, 7)}`, url: trigger.deployment.url };
  const report = await runTrackingQa(qa);
  const table = renderQaTable(report.steps);
  const passed = report.summary.passed;
  const notes = [`tracking QA ${passed ? "passed" : "failed"} for ${release.tag} (${report.steps.length} steps, ${report.durationMs} ms)`];
  if (deps.checkRuns && !deps.dryRun) {
    const sha = trigger.kind === "deployment" ? trigger.deployment.sha : (deps.headSha ?? (await releaseSha(gh, trigger)));
    if (sha) {
      // The incident matters more than the check run: a refused check run never stops it.
      try {
        await gh.request("POST /repos/{owner}/{repo}/check-runs", {
          ...trigger.ref,
          name: "Firebreak tracking QA",
          head_sha: sha,
          status: "completed",
          conclusion: passed ? "success" : "failure",
          output: { title: passed ? "Tracking fires on every checked page" : "Tracking is missing or wrong", summary: notes[0]!, text: table.slice(0, 60_000) },
        });
      } catch (error) {
        notes.push(`could not write the check run: ${safeMessage(error)}`);
      }
    } else {
      notes.push("no commit to attach a check run to: results are in the incident and the log");
    }
  }
  if (passed) return { action: "qa-passed", notes, configErrors: loaded.errors, report, table };
  const draft = qaIncidentDraft(report.steps, release, qa.severity as Severity, deps.templates.form);
  if (deps.dryRun) return { action: "qa-failed", notes: [...notes, `would open: ${draft.title}`], configErrors: loaded.errors, report, table };
  const created = await createIssueOnce(gh, trigger.ref, {
    marker: draft.marker,
    title: draft.title,
    body: draft.body,
    labels: [loaded.config.labels.incident],
    findLabel: loaded.config.labels.incident,
  });
  if (created.created) {
    // A lost creation race makes two: the later one is closed as a duplicate of the first.
    await closeDuplicates(gh, trigger.ref, { label: loaded.config.labels.incident, marker: draft.marker });
    await declareCreatedIssue(gh, trigger.ref, created.number, deps);
  }
  notes.push(created.created ? `opened measurement incident #${created.number}` : `measurement incident #${created.number} already open for this release`);
  return { action: "qa-failed", incident: created.number, notes, configErrors: loaded.errors, report, table };
}
