// Webhook payloads derived from @octokit/webhooks-examples: the real shapes GitHub sends,
// with the fields a scenario needs changed. (The examples have no issues.closed: it is
// derived from opened.)
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
type Json = Record<string, unknown> & { issue?: Record<string, unknown>; comment?: Record<string, unknown> };
const examples = require("@octokit/webhooks-examples/api.github.com/index.json") as { name: string; examples: Json[] }[];

function example(name: string, action: string): Json {
  const found = examples.find((e) => e.name === name)?.examples.find((e) => e.action === action);
  if (!found) throw new Error(`no example ${name}.${action}`);
  return structuredClone(found);
}

export const REPO = { owner: "Codertocat", repo: "Hello-World" };
export const API = "https://api.github.com";
export const ISSUE_PATH = `/repos/${REPO.owner}/${REPO.repo}/issues/1`;

export const FULL_FORM = readFileSync(new URL("../fixtures/forms/full-form/issue.md", import.meta.url), "utf8");

export interface IssueShape {
  body?: string;
  labels?: string[];
  association?: string;
  author?: string;
  assignees?: string[];
  state?: "open" | "closed";
  stateReason?: string | null;
  createdAt?: string;
  updatedAt?: string;
  closedAt?: string | null;
  number?: number;
}

function shapeIssue(issue: Record<string, unknown>, shape: IssueShape): Record<string, unknown> {
  const user = { ...(issue.user as Record<string, unknown>), login: shape.author ?? "Codertocat" };
  return {
    ...issue,
    number: shape.number ?? 1,
    body: shape.body ?? FULL_FORM,
    user,
    author_association: shape.association ?? "OWNER",
    labels: (shape.labels ?? ["incident"]).map((name, i) => ({ id: 1000 + i, node_id: `L${i}`, url: "", name, color: "ededed", default: false, description: null })),
    assignees: (shape.assignees ?? []).map((login) => ({ ...user, login })),
    assignee: shape.assignees?.[0] ? { ...user, login: shape.assignees[0] } : null,
    state: shape.state ?? "open",
    state_reason: shape.stateReason ?? null,
    created_at: shape.createdAt ?? "2026-11-24T10:20:00Z",
    updated_at: shape.updatedAt ?? shape.createdAt ?? "2026-11-24T10:20:00Z",
    closed_at: shape.closedAt ?? null,
  };
}

export function issuesEvent(action: "opened" | "labeled" | "closed" | "reopened" | "edited" | "unlabeled" | "assigned", shape: IssueShape = {}, extra: Record<string, unknown> = {}): Json {
  const base = example("issues", action === "closed" || action === "reopened" ? "opened" : action);
  base.action = action;
  base.issue = shapeIssue(base.issue!, action === "closed" ? { state: "closed", stateReason: "completed", closedAt: "2026-11-24T15:00:00Z", ...shape } : shape);
  delete base.installation;
  return { ...base, ...extra };
}

export function commentEvent(body: string, shape: IssueShape & { commentId?: number; commenter?: string; commenterAssociation?: string; commentAt?: string } = {}): Json {
  const base = example("issue_comment", "created");
  base.issue = shapeIssue(base.issue!, shape);
  base.comment = {
    ...base.comment!,
    id: shape.commentId ?? 5001,
    body,
    user: { ...(base.comment!.user as Record<string, unknown>), login: shape.commenter ?? "Codertocat" },
    author_association: shape.commenterAssociation ?? "OWNER",
    created_at: shape.commentAt ?? "2026-11-24T10:30:00Z",
    updated_at: shape.commentAt ?? "2026-11-24T10:30:00Z",
  };
  base.sender = { ...(base.sender as Record<string, unknown>), login: shape.commenter ?? "Codertocat" };
  delete base.installation;
  return base;
}

export function commentJson(id: number, body: string, opts: { login?: string; association?: string; at?: string } = {}): Record<string, unknown> {
  return {
    id,
    body,
    user: { login: opts.login ?? "Codertocat", type: "User" },
    author_association: opts.association ?? "OWNER",
    created_at: opts.at ?? "2026-11-24T10:30:00Z",
    updated_at: opts.at ?? "2026-11-24T10:30:00Z",
  };
}

/**
 * GitHub's GraphQL answer that Firebreak last edited an issue's body: what a cold App (no memory
 * of the bodies it wrote) asks before it believes a card's record (SPEC §13).
 */
export const EDITED_BY_FIREBREAK = { data: { repository: { issue: { lastEditedAt: "2026-11-24T10:20:00Z", editor: { login: "firebreak" } } } } };

/** deployment_status.created as GitHub sends it: a successful deployment of `sha` to `environment`. */
export function deploymentStatusEvent(shape: { repo: string; sha: string; environment: string; environmentUrl?: string; production?: boolean; state?: string }): Json {
  const payload = example("deployment_status", "created");
  const [owner = "", name = ""] = shape.repo.split("/");
  payload["repository"] = { ...(payload["repository"] as Record<string, unknown>), full_name: shape.repo, name, owner: { ...((payload["repository"] as { owner: Record<string, unknown> }).owner), login: owner } };
  payload["deployment"] = {
    ...(payload["deployment"] as Record<string, unknown>),
    sha: shape.sha,
    environment: shape.environment,
    ...(shape.production !== undefined ? { production_environment: shape.production } : {}),
  };
  payload["deployment_status"] = {
    ...(payload["deployment_status"] as Record<string, unknown>),
    state: shape.state ?? "success",
    environment: shape.environment,
    environment_url: shape.environmentUrl ?? "",
  };
  return payload;
}
