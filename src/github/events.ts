// Webhook payloads (App) and workflow events (Action) → what Firebreak should do. Only the
// fields Firebreak relies on are parsed (zod); everything else in a payload is ignored.
import { z } from "zod";
import type { IncidentEvent } from "../core/decide/types.js";
import type { CommentView, IssueView } from "../core/model/incident.js";
import { commentViewSchema, issueViewSchema } from "../core/model/incident.js";
import { mentionsCommand } from "../core/commands/grammar.js";
import { CARD_START_PREFIX } from "../core/model/markers.js";
import type { RepoRef } from "./client.js";
import { repoOf } from "./client.js";

export type Trigger =
  | {
      kind: "issue";
      ref: RepoRef;
      issue: IssueView;
      event: IncidentEvent;
      /** The label that was added, for declarations by label. */
      label?: string;
      comment?: CommentView;
      sender: { login: string; type: string };
      deliveryAt: string;
    }
  | { kind: "release"; ref: RepoRef; release: { tag: string; name?: string; url: string; commitish?: string }; sender: { login: string; type: string } }
  | {
      kind: "deployment";
      ref: RepoRef;
      deployment: { id: number; environment: string; sha: string; url: string; production_environment?: boolean };
      /** Where the deployment can be visited (a preview's URL), an http(s) URL when given. */
      environmentUrl?: string;
      sender: { login: string; type: string };
    }
  /** The scheduled pass; `at` is the pass's time, `qa` a manual tracking-QA run to add to it. */
  | { kind: "scheduled"; ref: RepoRef; at: string; qa?: { tag: string; url: string } }
  /** A push to the default branch that touched the config: validate it and bring the error issue in line now. */
  | { kind: "config-check"; ref: RepoRef; sender: { login: string; type: string } }
  | { kind: "ignored"; reason: string };

const sender = z.object({ login: z.string(), type: z.string().default("User") });
const repository = z.object({ full_name: z.string() });

const issuesPayload = z.object({
  action: z.string(),
  issue: issueViewSchema,
  repository,
  sender,
  label: z.object({ name: z.string() }).optional(),
  assignee: z.object({ login: z.string() }).nullable().optional(),
  changes: z.object({ body: z.object({ from: z.string().nullable() }).optional() }).optional(),
});

const commentPayload = z.object({
  action: z.string(),
  issue: issueViewSchema,
  comment: commentViewSchema,
  repository,
  sender,
});

const releasePayload = z.object({
  action: z.string(),
  release: z.object({ tag_name: z.string(), name: z.string().nullable().optional(), html_url: z.string(), target_commitish: z.string().optional() }),
  repository,
  sender,
});

const deploymentStatusPayload = z.object({
  deployment_status: z.object({ state: z.string(), environment_url: z.string().nullable().optional(), target_url: z.string().nullable().optional() }),
  deployment: z.object({ id: z.number(), environment: z.string(), sha: z.string(), url: z.string(), production_environment: z.boolean().optional() }),
  repository,
  sender,
});

function ignored(reason: string): Trigger {
  return { kind: "ignored", reason };
}

/** Event time: GitHub's timestamps, never the server clock. */
function issueEventTime(action: string, issue: IssueView): string {
  if (action === "opened") return issue.created_at;
  if (action === "closed" && issue.closed_at) return issue.closed_at;
  return issue.updated_at ?? issue.created_at;
}

/**
 * `at` is when the face received the trigger: the scheduled pass has no event time of its own.
 * Issue events never use it (their times come from GitHub's timestamps).
 */
export function triggerFrom(name: string, payload: unknown, context: { repoFallback?: string; at?: string } = {}): Trigger {
  if (name === "issues") {
    const parsed = issuesPayload.safeParse(payload);
    if (!parsed.success) return ignored("issues payload without the fields Firebreak needs");
    const p = parsed.data;
    const base = { kind: "issue" as const, ref: repoOf(p.repository.full_name), issue: p.issue, sender: p.sender };
    const at = issueEventTime(p.action, p.issue);
    const actor = p.sender.login;
    const deliveryAt = at;
    switch (p.action) {
      case "opened":
        return { ...base, deliveryAt, event: { kind: "declare", at, actor } };
      case "labeled":
        if (!p.label) return ignored("labeled without a label");
        return { ...base, deliveryAt, label: p.label.name, event: { kind: "label", at, actor, label: p.label.name, added: true } };
      case "unlabeled":
        if (!p.label) return ignored("unlabeled without a label");
        return { ...base, deliveryAt, event: { kind: "label", at, actor, label: p.label.name, added: false } };
      case "closed":
        return { ...base, deliveryAt, event: { kind: "closed", at, actor, reason: p.issue.state_reason ?? "completed" } };
      case "reopened":
        return { ...base, deliveryAt, event: { kind: "reopened", at, actor } };
      case "assigned":
      case "unassigned":
        if (!p.assignee) return ignored("assignment without an assignee");
        return { ...base, deliveryAt, event: { kind: "assignee", at, actor, login: p.assignee.login, added: p.action === "assigned" } };
      case "edited": {
        // Only a body edit can touch the Firebreak section; the card's own markers say whether it could.
        const previousBody = p.changes?.body?.from;
        if (previousBody === undefined || previousBody === null || !previousBody.startsWith(CARD_START_PREFIX)) {
          return ignored("an edit that cannot have touched a status card");
        }
        return { ...base, deliveryAt, event: { kind: "edited", at, actor, previousBody } };
      }
      default:
        return ignored(`issues.${p.action} needs nothing`);
    }
  }
  if (name === "issue_comment") {
    const parsed = commentPayload.safeParse(payload);
    if (!parsed.success) return ignored("issue_comment payload without the fields Firebreak needs");
    const p = parsed.data;
    if (p.action !== "created") return ignored(`issue_comment.${p.action}: commands in edited comments are not re-run`);
    // Most comments are discussion: answered without a single API call.
    if (!mentionsCommand(p.comment.body)) return ignored("comment without a command");
    return {
      kind: "issue",
      ref: repoOf(p.repository.full_name),
      issue: p.issue,
      comment: p.comment,
      sender: p.sender,
      deliveryAt: p.comment.created_at,
      event: { kind: "commands", at: p.comment.created_at },
    };
  }
  if (name === "release") {
    const parsed = releasePayload.safeParse(payload);
    if (!parsed.success) return ignored("release payload without the fields Firebreak needs");
    const p = parsed.data;
    if (p.action !== "published") return ignored(`release.${p.action} needs nothing`);
    return {
      kind: "release",
      ref: repoOf(p.repository.full_name),
      release: {
        tag: p.release.tag_name,
        ...(p.release.name ? { name: p.release.name } : {}),
        url: p.release.html_url,
        ...(p.release.target_commitish ? { commitish: p.release.target_commitish } : {}),
      },
      sender: p.sender,
    };
  }
  if (name === "deployment_status") {
    const parsed = deploymentStatusPayload.safeParse(payload);
    if (!parsed.success) return ignored("deployment_status payload without the fields Firebreak needs");
    const p = parsed.data;
    if (p.deployment_status.state !== "success") return ignored(`deployment ${p.deployment_status.state}`);
    // The pre-merge gate checks the deployment where it lives; anything but http(s) is no site.
    const environmentUrl = z.url({ protocol: /^https?$/ }).safeParse(p.deployment_status.environment_url);
    return {
      kind: "deployment",
      ref: repoOf(p.repository.full_name),
      deployment: p.deployment,
      ...(environmentUrl.success ? { environmentUrl: environmentUrl.data } : {}),
      sender: p.sender,
    };
  }
  if (name === "push") {
    const parsed = pushPayload.safeParse(payload);
    if (!parsed.success) return ignored("push payload without the fields Firebreak needs");
    const p = parsed.data;
    // Config is read from the default branch: a push elsewhere changes nothing Firebreak reads.
    if (p.repository.default_branch === undefined || p.ref !== `refs/heads/${p.repository.default_branch}`) return ignored(`a push to ${p.ref}, not the default branch`);
    return { kind: "config-check", ref: repoOf(p.repository.full_name), sender: p.sender };
  }
  if (name === "schedule" || name === "workflow_dispatch") {
    const full = z.object({ repository: repository.optional() }).safeParse(payload);
    const fullName = (full.success ? full.data.repository?.full_name : undefined) ?? context.repoFallback;
    if (!fullName) return ignored(`${name} without a repository`);
    if (!context.at) return ignored(`${name} without the run's time`);
    return { kind: "scheduled", ref: repoOf(fullName), at: context.at };
  }
  return ignored(`${name} events need nothing`);
}

const scheduledPayload = /* @__PURE__ */ z.object({ repository });

const pushPayload = z.object({
  ref: z.string(),
  repository: z.object({ full_name: z.string(), default_branch: z.string().optional() }),
  sender,
});

/**
 * The webhook events Firebreak acts on and the payload fields it reads from each — the same
 * schemas `triggerFrom` parses with. Any other event name is ignored by the App and the
 * Action; `firebreak simulate` refuses it, and names each missing field of a thin payload.
 */
export const EVENT_PAYLOADS = {
  issues: issuesPayload,
  issue_comment: commentPayload,
  release: releasePayload,
  deployment_status: deploymentStatusPayload,
  push: pushPayload,
  schedule: scheduledPayload,
  workflow_dispatch: scheduledPayload,
} as const;
export type KnownEvent = keyof typeof EVENT_PAYLOADS;
