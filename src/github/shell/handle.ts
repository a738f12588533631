// The one dispatcher every face calls: a trigger (webhook, workflow event, CLI command) →
// an incident event, the postmortem gate, release QA or the scheduled pass.
import type { GitHubClient, RepoRef } from "../client.js";
import { safeMessage } from "../client.js";
import type { RepoConfig } from "../config.js";
import { loadRepoConfig, reportConfigErrors } from "../config.js";
import type { Trigger } from "../events.js";
import { getIssue } from "../issues.js";
import { runDeploymentGate, runReleaseQa } from "./release-qa.js";
import { isProductionDeployment } from "../../core/tracking-qa/config.js";
import { causedBySelf, routeIssueEvent, senderIgnored } from "../../core/decide/needs.js";
import { isFormSubmission } from "../../core/declaration/form.js";
import { DEFAULT_FORM_PATH, writerOf } from "./deps.js";
import type { RunResult, ShellDeps } from "./deps.js";
import { runIncidentEvent, runPostmortemClosed } from "./incident.js";
import type { PassCursor } from "./scheduled-pass.js";
import { runScheduledPass } from "./scheduled-pass.js";

export interface Handled {
  results: RunResult[];
  /** A scheduled pass that ran out of budget: where the next one continues. */
  stoppedAt?: { job: string; after?: number };
  calls?: number;
}

export async function handle(gh: GitHubClient, trigger: Trigger, deps: ShellDeps, cursor?: PassCursor): Promise<Handled> {
  if (trigger.kind === "ignored") return { results: [{ action: "ignored", notes: [trigger.reason], configErrors: [] }] };
  if ("sender" in trigger && causedBySelf(trigger.sender, deps.botLogin)) return { results: [{ action: "ignored", notes: ["an event Firebreak caused itself"], configErrors: [] }] };
  // The scheduled pass is where a fixed configuration's error issue gets closed, whatever the runtime.
  // So is a push that touched the file (the Action's workflow runs on it): a fix is seen at once.
  // A scheduled pass reports after its jobs, whose KPI sources are part of the configuration too.
  const loaded = await loadConfig(gh, trigger.ref, trigger.kind === "config-check" ? { ...deps, reportFixedConfig: true } : deps, trigger.kind !== "scheduled");
  const { config } = loaded;
  const withErrors = (r: Omit<RunResult, "configErrors">): RunResult => ({ ...r, configErrors: loaded.errors });
  switch (trigger.kind) {
    case "issue": {
      const ignored = senderIgnored(trigger.sender, config);
      if (ignored) return { results: [withErrors({ action: "ignored", notes: [ignored] })] };
      // An edit's payload holds the body as edited, whatever the clock says: it is what to judge.
      const payloadIssue = deps.memory && trigger.event.kind !== "edited" ? deps.memory.freshest(trigger.ref, trigger.issue) : trigger.issue;
      let route = routeIssueEvent(trigger.event, payloadIssue, config, deps.botLogin);
      let issue = payloadIssue;
      if (route.kind === "unlabelled-form") {
        // The form is read anyway to declare (one conditional request, cached): no extra call then.
        const form = (await deps.files.read(gh, trigger.ref, deps.formPath ?? DEFAULT_FORM_PATH)) ?? deps.templates.form;
        if (!isFormSubmission(issue.body, form)) return { results: [withErrors({ action: "ignored", notes: ["not labelled as an incident"] })] };
        issue = { ...issue, labels: [...issue.labels, config.labels.incident] };
        route = routeIssueEvent(trigger.event, issue, config, deps.botLogin);
        deps.log?.(`#${issue.number} is a submitted incident form GitHub left without the ${config.labels.incident} label: declaring it`);
      }
      if (route.kind === "unlabelled-form") throw new Error("unreachable: a labelled issue routes as an incident");
      if (route.kind === "ignore") return { results: [withErrors({ action: "ignored", notes: [route.reason] })] };
      if (route.kind === "postmortem-closed") {
        const postmortem = deps.issueFromPayload ? issue : await getIssue(gh, trigger.ref, issue.number);
        return { results: [withErrors(await runPostmortemClosed(gh, trigger.ref, postmortem, route.incident, config, trigger.event.at, deps))] };
      }
      return { results: [withErrors(await runIncidentEvent(gh, { ...trigger, issue }, route, config, deps))] };
    }
    case "release":
    case "deployment": {
      const ignored = senderIgnored(trigger.sender, config);
      if (ignored) return { results: [withErrors({ action: "ignored", notes: [ignored] })] };
      // A preview deployment is the pre-merge gate: a check run on its commit, no incident.
      if (trigger.kind === "deployment" && !isProductionDeployment(trigger.deployment, config.tracking_qa)) {
        return { results: [withErrors(await runDeploymentGate(gh, trigger, config, deps))] };
      }
      return { results: [withErrors(await runReleaseQa(gh, trigger, config, deps))] };
    }
    case "config-check":
      return {
        results: [
          withErrors({
            action: "reconciled",
            notes: [loaded.errors.length === 0 ? `${loaded.path} is valid` : `${loaded.path} has ${loaded.errors.length} error(s), reported in the configuration-error issue`],
          }),
        ],
      };
    case "scheduled": {
      const pass = await runScheduledPass(gh, trigger.ref, config, deps, trigger.at, cursor);
      const errors = [...loaded.errors, ...pass.configErrors];
      // A source that fails is reported even when the file did not change; one that was fixed is
      // seen as fixed once the file changes or the process starts (the Action: every run).
      if (loaded.changed || pass.configErrors.length > 0) await reportErrors(gh, trigger.ref, { ...loaded, errors }, { ...deps, reportFixedConfig: true });
      const results = pass.results.map((r) => ({ ...r, configErrors: errors }));
      // A pass with nothing else to say still carries the errors, so the Action annotates them.
      if (results.length === 0 && errors.length > 0) results.push({ action: "reconciled", notes: [`${errors.length} configuration error(s), reported in the configuration-error issue`], configErrors: errors });
      // A manual run (workflow_dispatch, `firebreak qa`) also checks tracking now.
      if (trigger.qa) results.push(withErrors(await runReleaseQa(gh, { kind: "release", ref: trigger.ref, release: trigger.qa, sender: { login: "scheduled", type: "User" } }, config, deps)));
      return { results, calls: pass.calls, ...(pass.stoppedAt ? { stoppedAt: pass.stoppedAt } : {}) };
    }
  }
}

/** Reads the config and, unless told to wait, brings the configuration-error issue in line when the file changed. */
async function loadConfig(gh: GitHubClient, ref: RepoRef, deps: ShellDeps, report = true): Promise<RepoConfig> {
  const loaded = await loadRepoConfig(gh, deps.files, ref, deps.configPath);
  if (report && loaded.changed) await reportErrors(gh, ref, loaded, deps);
  return loaded;
}

async function reportErrors(gh: GitHubClient, ref: RepoRef, loaded: RepoConfig, deps: ShellDeps): Promise<void> {
  // A valid file needs the error issue looked up only to close it: the App does so whenever the
  // file changed; an Action run starts cold every time, so it leaves that to the scheduled pass.
  if (loaded.errors.length === 0 && deps.reportFixedConfig !== true) return;
  try {
    const outcome = await reportConfigErrors(gh, ref, loaded, writerOf(deps));
    if (outcome !== "unchanged") deps.log?.(`configuration-error issue ${outcome}`);
  } catch (error) {
    deps.log?.(`could not report configuration errors: ${safeMessage(error)}`);
  }
}
