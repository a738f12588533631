// Production monitoring (SPEC §17): tracking QA as a job of the scheduled pass, every
// `tracking_qa.monitor_every`. Its last run is a check run on the default branch (GitHub keeps
// the time, not Firebreak); a failure opens, or updates, the one open monitoring incident; a
// later passing run says so on that incident with the run as evidence. It never closes one.
import { createHash } from "node:crypto";
import { z } from "zod";
import type { FirebreakConfig } from "../../core/config.js";
import type { Severity } from "../../core/model/domain.js";
import { QA_MONITOR_MARKER, QA_MONITOR_PASS_MARKER } from "../../core/model/markers.js";
import { qaIncidentDraft } from "../../core/tracking-qa/incident-draft.js";
import { renderQaTable, type QaSummary } from "../../core/tracking-qa/report.js";
import { parseDuration } from "../../core/time.js";
import { runTrackingQa } from "../../tracking-qa/run.js";
import type { GitHubClient, RepoRef } from "../client.js";
import { closeDuplicates, createIssueOnce, findMarkedIssues, listCommentsNewestFirst } from "../issues.js";
import type { CallBudget } from "./budget.js";
import type { ShellDeps } from "./deps.js";
import { writerOf } from "./deps.js";
import { declareCreatedIssue } from "./incident.js";
import type { JobRun } from "./reconcile.js";

export const QA_MONITOR_CHECK = "Firebreak tracking QA monitoring";

const checkRunsSchema = z.object({
  check_runs: z.array(
    z.object({
      head_sha: z.string(),
      conclusion: z.string().nullable(),
      external_id: z.string().nullable().optional(),
      started_at: z.string().nullable().optional(),
      completed_at: z.string().nullable().optional(),
    }),
  ),
});

/** Which checks failed: an unchanged failure is not commented on again. */
function failureFingerprint(summary: QaSummary): string {
  const failures = summary.failures.map((f) => `${f.path}|${f.expectation}|${f.status}`).sort();
  return createHash("sha256").update(failures.join("\n")).digest("hex").slice(0, 20);
}

export async function monitorTrackingQa(gh: GitHubClient, ref: RepoRef, config: FirebreakConfig, deps: ShellDeps, _budget: CallBudget, at: string): Promise<JobRun> {
  const qa = config.tracking_qa;
  const every = qa.monitor_every === undefined ? undefined : parseDuration(qa.monitor_every);
  if (every === undefined || !qa.base_url || qa.steps.length === 0 || !deps.checkRuns) return { results: [] };

  const { data: repo } = await gh.request("GET /repos/{owner}/{repo}", { ...ref });
  const branch = z.object({ default_branch: z.string() }).parse(repo).default_branch;
  const { data: listed } = await gh.request("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", { ...ref, ref: branch, check_name: QA_MONITOR_CHECK, per_page: 10 });
  const runs = checkRunsSchema
    .parse(listed)
    .check_runs.map((run) => ({ ...run, when: run.completed_at ?? run.started_at ?? "" }))
    .sort((a, b) => b.when.localeCompare(a.when));
  const previous = runs[0];
  // Due by the pass's time against the last run GitHub recorded on the branch's head.
  if (previous !== undefined && Date.parse(at) - Date.parse(previous.when) < every) return { results: [] };

  const report = await runTrackingQa(qa, { allowPrivate: deps.allowPrivateQaHosts === true });
  if (report.refused) {
    return { results: [{ action: "ignored", notes: [`tracking QA monitoring refused: ${report.refused.host} is a private or loopback address`] }] };
  }
  const table = renderQaTable(report.steps);
  const passed = report.summary.passed;
  const fingerprint = failureFingerprint(report.summary);
  const notes = [`tracking QA monitoring ${passed ? "passed" : "failed"} (${report.steps.length} steps, ${report.durationMs} ms)`];
  const sha =
    previous?.head_sha ?? z.object({ sha: z.string() }).parse((await gh.request("GET /repos/{owner}/{repo}/commits/{ref}", { ...ref, ref: branch })).data).sha;
  const { data: created } = await gh.request("POST /repos/{owner}/{repo}/check-runs", {
    ...ref,
    name: QA_MONITOR_CHECK,
    head_sha: sha,
    status: "completed",
    conclusion: passed ? "success" : "failure",
    external_id: fingerprint,
    output: { title: passed ? "Tracking fires on every checked page" : "Tracking is missing or wrong", summary: notes[0] ?? "", text: table.slice(0, 60_000) },
  });
  const runUrl = z.object({ html_url: z.string() }).parse(created).html_url;

  const author = writerOf(deps);
  const [incident] = (await findMarkedIssues(gh, ref, { label: config.labels.incident, state: "open", marker: QA_MONITOR_MARKER, author })).sort(
    (a, b) => a.number - b.number,
  );
  if (passed) {
    if (incident === undefined) return { results: [{ action: "qa-passed", notes }] };
    // A recovery is said once: Firebreak's newest comment there may already say it.
    const { comments } = await listCommentsNewestFirst(gh, ref, incident.number, () => true);
    const newestOwn = comments.find((c) => (c.user?.login ?? "").toLowerCase() === author.toLowerCase());
    if (newestOwn?.body.includes(QA_MONITOR_PASS_MARKER) !== true) {
      await gh.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
        ...ref,
        issue_number: incident.number,
        body: `${QA_MONITOR_PASS_MARKER}\nTracking QA monitoring: checks pass again at ${at} ([the run](${runUrl})). The incident stays open until a person resolves it.\n\n${table}`,
      });
      notes.push(`noted on #${incident.number} that checks pass again`);
    }
    return { results: [{ action: "qa-passed", incident: incident.number, notes }] };
  }
  if (incident !== undefined) {
    // The same failures as the last run need no new comment; changed ones do.
    if (previous?.conclusion !== "failure" || previous.external_id !== fingerprint) {
      await gh.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
        ...ref,
        issue_number: incident.number,
        body: `Tracking QA monitoring at ${at}: checks fail ([the run](${runUrl})).\n\n${table}`,
      });
      notes.push(`updated monitoring incident #${incident.number}`);
    }
    return { results: [{ action: "qa-failed", incident: incident.number, notes }] };
  }
  const draft = qaIncidentDraft(report.steps, { tag: "monitoring", name: "production monitoring", url: runUrl }, qa.severity as Severity, deps.templates.form, {
    checkedAt: at,
    monitoring: true,
  });
  const opened = await createIssueOnce(gh, ref, { marker: draft.marker, title: draft.title, body: draft.body, labels: [config.labels.incident], findLabel: config.labels.incident, author });
  if (opened.created) {
    await closeDuplicates(gh, ref, { label: config.labels.incident, marker: draft.marker, author });
    await declareCreatedIssue(gh, ref, opened.number, config, deps);
  }
  notes.push(`opened monitoring incident #${opened.number}`);
  return { results: [{ action: "qa-failed", incident: opened.number, notes }] };
}
