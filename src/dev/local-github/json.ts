// GitHub REST v3 JSON shapes, rendered from the store's records.
// Only the fields clients read are produced; URLs point at the emulator.

export type Role = "read" | "triage" | "write" | "maintain" | "admin";
export type StateReason = "completed" | "not_planned" | "duplicate" | "reopened";
export type ReactionContent = "+1" | "-1" | "laugh" | "confused" | "heart" | "hooray" | "rocket" | "eyes";
export const REACTIONS: readonly ReactionContent[] = ["+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"];

export interface ReactionRecord { id: number; content: ReactionContent; user: string; createdAt: string }
export interface LabelRecord { id: number; name: string; color: string; description: string | null }
export interface IssueRecord {
  repo: string; id: number; number: number; title: string; body: string | null; author: string;
  state: "open" | "closed"; stateReason: StateReason | null; closedBy: string | null;
  labels: string[]; assignees: string[]; comments: number;
  createdAt: string; updatedAt: string; closedAt: string | null; reactions: ReactionRecord[];
  /** The body's last edit after creation (GraphQL `lastEditedAt`, `editor`): absent until edited. */
  lastEditedAt?: string; editor?: string;
}
export interface CommentRecord {
  repo: string; id: number; issueNumber: number; body: string; author: string;
  createdAt: string; updatedAt: string; reactions: ReactionRecord[];
}
export interface ReleaseRecord {
  id: number; tagName: string; name: string | null; body: string | null; draft: boolean; prerelease: boolean;
  targetCommitish: string; author: string; createdAt: string; publishedAt: string | null;
}
export interface CheckRunRecord {
  id: number; name: string; headSha: string; status: string; conclusion: string | null;
  output: { title?: string | null; summary?: string | null; text?: string | null } | null;
  detailsUrl: string | null; externalId: string | null; startedAt: string | null; completedAt: string | null;
}
export interface RepoRecord {
  id: number; owner: string; name: string; fullName: string; private: boolean; defaultBranch: string; createdAt: string;
}

/** What rendering needs from the store: where it lives, who people are. */
export interface RenderCtx {
  base: string; // http://127.0.0.1:PORT — API paths hang off it
  /** Where html_url links point: `base` unless the emulator was given `webUrl` (the demo: https://github.com). */
  web: string;
  appSlug: string;
  userId(login: string): number;
  association(repo: RepoRecord, login: string): "OWNER" | "COLLABORATOR" | "NONE";
}

export type Json = Record<string, unknown>;

export const iso = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, "Z");
export const nodeId = (type: string, id: number): string => Buffer.from(`0:${type}${id}`).toString("base64");

export function userJson(c: RenderCtx, login: string): Json {
  const id = c.userId(login);
  const bot = login.endsWith("[bot]");
  return {
    login, id, node_id: nodeId(bot ? "Bot" : "User", id), avatar_url: `${c.base}/avatars/${encodeURIComponent(login)}`,
    gravatar_id: "", url: `${c.base}/users/${encodeURIComponent(login)}`, html_url: `${c.web}/${encodeURIComponent(login)}`,
    type: bot ? "Bot" : "User", site_admin: false,
  };
}

export function appJson(c: RenderCtx, owner: string): Json {
  return {
    id: 1, slug: c.appSlug, node_id: nodeId("App", 1), name: c.appSlug, owner: userJson(c, owner),
    description: "", external_url: c.base, html_url: `${c.web}/apps/${c.appSlug}`,
    permissions: { issues: "write", metadata: "read", contents: "read", checks: "write" },
    events: ["issues", "issue_comment", "release"], created_at: "2020-01-01T00:00:00Z", updated_at: "2020-01-01T00:00:00Z",
  };
}

function reactionsSummary(url: string, rs: ReactionRecord[]): Json {
  const out: Json = { url, total_count: rs.length };
  for (const k of REACTIONS) out[k] = rs.filter((r) => r.content === k).length;
  return out;
}

export function reactionJson(c: RenderCtx, r: ReactionRecord): Json {
  return { id: r.id, node_id: nodeId("Reaction", r.id), user: userJson(c, r.user), content: r.content, created_at: r.createdAt };
}

export function repoJson(c: RenderCtx, r: RepoRecord, openIssues = 0): Json {
  const url = `${c.base}/repos/${r.fullName}`;
  return {
    id: r.id, node_id: nodeId("Repository", r.id), name: r.name, full_name: r.fullName, private: r.private,
    owner: userJson(c, r.owner), html_url: `${c.web}/${r.fullName}`, description: null, fork: false, url,
    issues_url: `${url}/issues{/number}`, labels_url: `${url}/labels{/name}`, releases_url: `${url}/releases{/id}`,
    contents_url: `${url}/contents/{+path}`, created_at: r.createdAt, updated_at: r.createdAt, pushed_at: r.createdAt,
    has_issues: true, archived: false, disabled: false, visibility: r.private ? "private" : "public",
    open_issues_count: openIssues, open_issues: openIssues, default_branch: r.defaultBranch,
  };
}

export function labelJson(c: RenderCtx, repo: RepoRecord, l: LabelRecord): Json {
  return {
    id: l.id, node_id: nodeId("Label", l.id), url: `${c.base}/repos/${repo.fullName}/labels/${encodeURIComponent(l.name)}`,
    name: l.name, color: l.color, default: false, description: l.description,
  };
}

const viaApp = (c: RenderCtx, login: string, owner: string): Json | null =>
  login === `${c.appSlug}[bot]` ? appJson(c, owner) : null;

export function issueJson(c: RenderCtx, repo: RepoRecord, i: IssueRecord, labels: LabelRecord[]): Json {
  const url = `${c.base}/repos/${repo.fullName}/issues/${i.number}`;
  const assignees = i.assignees.map((a) => userJson(c, a));
  return {
    url, repository_url: `${c.base}/repos/${repo.fullName}`, labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`, events_url: `${url}/events`, timeline_url: `${url}/timeline`,
    html_url: `${c.web}/${repo.fullName}/issues/${i.number}`, id: i.id, node_id: nodeId("Issue", i.id),
    number: i.number, title: i.title, user: userJson(c, i.author), labels: labels.map((l) => labelJson(c, repo, l)),
    state: i.state, state_reason: i.stateReason, locked: false, assignee: assignees[0] ?? null, assignees,
    milestone: null, comments: i.comments, created_at: i.createdAt, updated_at: i.updatedAt, closed_at: i.closedAt,
    closed_by: i.closedBy === null ? null : userJson(c, i.closedBy),
    author_association: c.association(repo, i.author), active_lock_reason: null, body: i.body,
    reactions: reactionsSummary(`${url}/reactions`, i.reactions), performed_via_github_app: viaApp(c, i.author, repo.owner),
  };
}

export function commentJson(c: RenderCtx, repo: RepoRecord, cm: CommentRecord): Json {
  const url = `${c.base}/repos/${repo.fullName}/issues/comments/${cm.id}`;
  return {
    url, html_url: `${c.web}/${repo.fullName}/issues/${cm.issueNumber}#issuecomment-${cm.id}`,
    issue_url: `${c.base}/repos/${repo.fullName}/issues/${cm.issueNumber}`, id: cm.id, node_id: nodeId("IssueComment", cm.id),
    user: userJson(c, cm.author), created_at: cm.createdAt, updated_at: cm.updatedAt,
    author_association: c.association(repo, cm.author), body: cm.body,
    reactions: reactionsSummary(`${url}/reactions`, cm.reactions), performed_via_github_app: viaApp(c, cm.author, repo.owner),
  };
}

export function releaseJson(c: RenderCtx, repo: RepoRecord, r: ReleaseRecord): Json {
  const url = `${c.base}/repos/${repo.fullName}/releases/${r.id}`;
  return {
    url, assets_url: `${url}/assets`, upload_url: `${url}/assets{?name,label}`,
    html_url: `${c.web}/${repo.fullName}/releases/tag/${encodeURIComponent(r.tagName)}`, id: r.id,
    node_id: nodeId("Release", r.id), tag_name: r.tagName, target_commitish: r.targetCommitish, name: r.name,
    draft: r.draft, prerelease: r.prerelease, author: userJson(c, r.author), created_at: r.createdAt,
    published_at: r.publishedAt, assets: [], body: r.body,
    tarball_url: `${c.base}/repos/${repo.fullName}/tarball/${r.tagName}`, zipball_url: `${c.base}/repos/${repo.fullName}/zipball/${r.tagName}`,
  };
}

export function checkRunJson(c: RenderCtx, repo: RepoRecord, k: CheckRunRecord): Json {
  return {
    id: k.id, node_id: nodeId("CheckRun", k.id), head_sha: k.headSha, external_id: k.externalId ?? "",
    url: `${c.base}/repos/${repo.fullName}/check-runs/${k.id}`, html_url: `${c.web}/${repo.fullName}/runs/${k.id}`,
    details_url: k.detailsUrl, status: k.status, conclusion: k.conclusion, started_at: k.startedAt,
    completed_at: k.completedAt, name: k.name, app: appJson(c, repo.owner),
    output: { title: null, summary: null, text: null, annotations_count: 0, ...(k.output ?? {}) },
  };
}
