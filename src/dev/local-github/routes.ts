// HTTP routing table: method + path pattern -> handler over the store.
// Bodies are validated with zod; a bad body is a 422 like GitHub's.
import { createHash } from "node:crypto";
import { z } from "zod";
import {
  appJson, checkRunJson, commentJson, labelJson, nodeId, reactionJson, releaseJson, repoJson, userJson,
  REACTIONS, type CheckRunRecord, type Json, type ReactionContent, type ReactionRecord,
} from "./json.js";
import { GhError, notFound, type Actor, type RepoState, type Store } from "./store.js";

export interface RateInfo { limit: number; remaining: number; reset: number; used: number }
export interface Req {
  method: string; params: Record<string, string>; query: URLSearchParams; body: unknown;
  actor: Actor | null; accept: string; self: URL; rate: RateInfo;
}
export interface Res { status: number; body?: unknown; raw?: string; headers?: Record<string, string> }
export interface Ctx { s: Store; appToken: string }
type Handler = (c: Ctx, req: Req) => Res;
export interface Route { method: string; re: RegExp; keys: string[]; jwt: boolean; handler: Handler }

const ok = (body: unknown, status = 200): Res => ({ status, body });
const none = (status = 204): Res => ({ status });

function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const r = schema.safeParse(body ?? {});
  if (!r.success) throw new GhError(422, `Invalid request.\n\n${z.prettifyError(r.error)}`);
  return r.data;
}
const int = (v: string | null, dflt: number): number => {
  const n = v === null ? NaN : Number.parseInt(v, 10);
  return Number.isFinite(n) && n > 0 ? n : dflt;
};

/** One page of `items` with GitHub's Link header, so octokit.paginate walks it. */
function page<T>(req: Req, items: T[], render: (t: T) => unknown): Res {
  const per = Math.min(int(req.query.get("per_page"), 30), 100);
  const n = int(req.query.get("page"), 1);
  const last = Math.max(1, Math.ceil(items.length / per));
  const link = (p: number, rel: string): string => {
    const u = new URL(req.self);
    u.searchParams.set("page", String(p));
    return `<${u.toString()}>; rel="${rel}"`;
  };
  const links = [
    ...(n > 1 ? [link(Math.min(n - 1, last), "prev")] : []),
    ...(n < last ? [link(n + 1, "next"), link(last, "last")] : []),
    ...(n > 1 ? [link(1, "first")] : []),
  ];
  return { status: 200, body: items.slice((n - 1) * per, n * per).map(render), headers: links.length ? { link: links.join(", ") } : {} };
}

const me = (req: Req): Actor => {
  if (!req.actor) throw new GhError(401, "Requires authentication");
  return req.actor;
};
const repoOf = (c: Ctx, req: Req): RepoState => c.s.repo(`${req.params.owner}/${req.params.repo}`, req.actor);
const num = (req: Req, key: string): number => Number(req.params[key]);

// ---- body schemas
const labelNames = z.array(z.union([z.string(), z.object({ name: z.string() }).transform((o) => o.name)]));
const labelsBody = z.union([labelNames, z.object({ labels: labelNames })]).transform((b) => (Array.isArray(b) ? b : b.labels));
const title = z.union([z.string(), z.number()]).transform(String);
const IssueCreate = z.object({
  title, body: z.string().nullish(), labels: labelNames.optional(), assignees: z.array(z.string()).optional(), assignee: z.string().nullish(),
});
const IssuePatch = z.object({
  title: title.optional(), body: z.string().nullish(), state: z.enum(["open", "closed"]).optional(),
  state_reason: z.enum(["completed", "not_planned", "duplicate", "reopened"]).nullish(),
  labels: labelNames.optional(), assignees: z.array(z.string()).optional(), assignee: z.string().nullish(),
});
const CommentBody = z.object({ body: z.string() });
const Reaction = z.object({ content: z.enum(REACTIONS as [ReactionContent, ...ReactionContent[]]) });
const color = z.string().regex(/^#?[0-9a-fA-F]{6}$/);
const LabelCreate = z.object({ name: z.string().min(1), color: color.optional(), description: z.string().max(100).nullish() });
const LabelPatch = z.object({ new_name: z.string().min(1).optional(), color: color.optional(), description: z.string().max(100).nullish() });
const Assignees = z.object({ assignees: z.array(z.string()).default([]) });
const ReleaseCreate = z.object({
  tag_name: z.string().min(1), name: z.string().nullish(), body: z.string().nullish(), draft: z.boolean().optional(),
  prerelease: z.boolean().optional(), target_commitish: z.string().optional(),
});
const CheckRunPatch = z.object({
  name: z.string().optional(), status: z.enum(["queued", "in_progress", "completed"]).optional(),
  conclusion: z.enum(["action_required", "cancelled", "failure", "neutral", "success", "skipped", "stale", "timed_out"]).optional(),
  output: z.object({ title: z.string().nullish(), summary: z.string().nullish(), text: z.string().nullish() }).optional(),
  details_url: z.string().optional(), external_id: z.string().optional(), started_at: z.string().optional(), completed_at: z.string().optional(),
});
const CheckRunCreate = CheckRunPatch.extend({ name: z.string().min(1), head_sha: z.string().min(1) });

const checkRunInput = (b: z.infer<typeof CheckRunPatch>): Partial<CheckRunRecord> => {
  const out: Partial<CheckRunRecord> = {};
  if (b.name !== undefined) out.name = b.name;
  if (b.status !== undefined) out.status = b.status;
  if (b.conclusion !== undefined) out.conclusion = b.conclusion;
  if (b.output !== undefined) out.output = b.output;
  if (b.details_url !== undefined) out.detailsUrl = b.details_url;
  if (b.external_id !== undefined) out.externalId = b.external_id;
  if (b.started_at !== undefined) out.startedAt = b.started_at;
  if (b.completed_at !== undefined) out.completedAt = b.completed_at;
  return out;
};

function installationJson(c: Ctx, owner: string): Json {
  const { permissions, events } = appJson(c.s, owner);
  return {
    id: 1, node_id: nodeId("Installation", 1), account: userJson(c.s, owner), repository_selection: "all",
    access_tokens_url: `${c.s.base}/app/installations/1/access_tokens`, repositories_url: `${c.s.base}/installation/repositories`,
    html_url: `${c.s.base}/settings/installations/1`, app_id: 1, app_slug: c.s.appSlug, target_id: c.s.userId(owner),
    target_type: "User", permissions, events, created_at: "2020-01-01T00:00:00Z", updated_at: "2020-01-01T00:00:00Z",
    single_file_name: null, suspended_at: null,
  };
}

function fileJson(c: Ctx, r: RepoState, f: { path: string; sha: string; content?: string; type?: "file" | "dir" }): Json {
  const url = `${c.s.base}/repos/${r.fullName}/contents/${f.path}`;
  const html = `${c.s.base}/${r.fullName}/blob/${r.defaultBranch}/${f.path}`;
  const base = {
    type: f.type ?? "file", name: f.path.split("/").pop() ?? f.path, path: f.path, sha: f.sha,
    size: f.content === undefined ? 0 : Buffer.byteLength(f.content), url: `${url}?ref=${r.defaultBranch}`,
    git_url: `${c.s.base}/repos/${r.fullName}/git/blobs/${f.sha}`, html_url: html,
    download_url: f.type === "dir" ? null : `${c.s.base}/${r.fullName}/raw/${r.defaultBranch}/${f.path}`,
    _links: { self: url, git: `${c.s.base}/repos/${r.fullName}/git/blobs/${f.sha}`, html },
  };
  if (f.content === undefined) return base;
  // GitHub wraps base64 at 60 columns
  const b64 = Buffer.from(f.content, "utf8").toString("base64").replace(/.{60}/g, "$&\n");
  return { ...base, content: b64, encoding: "base64" };
}

function reactions(c: Ctx, req: Req, target: { reactions: ReactionRecord[] }): Res {
  if (req.method === "GET") {
    const content = req.query.get("content");
    return page(req, target.reactions.filter((x) => !content || x.content === content), (x) => reactionJson(c.s, x));
  }
  const { reaction, created } = c.s.react(target, me(req), parse(Reaction, req.body).content);
  return ok(reactionJson(c.s, reaction), created ? 201 : 200);
}

function listIssues(c: Ctx, req: Req): Res {
  const r = repoOf(c, req);
  const q = req.query;
  const state = q.get("state") ?? "open";
  const labels = (q.get("labels") ?? "").split(",").map((l) => l.trim().toLowerCase()).filter(Boolean);
  const since = q.get("since");
  const creator = q.get("creator");
  const assignee = q.get("assignee");
  const sort = q.get("sort") === "updated" ? "updatedAt" : "createdAt";
  const dir = q.get("direction") === "asc" ? 1 : -1;
  const assigned = (a: string[]): boolean =>
    !assignee || (assignee === "*" ? a.length > 0 : assignee === "none" ? a.length === 0 : a.some((x) => x.toLowerCase() === assignee.toLowerCase()));
  const items = [...r.issues.values()].filter((i) =>
    (state === "all" || i.state === state) &&
    labels.every((l) => i.labels.some((x) => x.toLowerCase() === l)) &&
    (!since || new Date(i.updatedAt) >= new Date(since)) &&
    (!creator || i.author.toLowerCase() === creator.toLowerCase()) && assigned(i.assignees),
  ).sort((a, b) => (a[sort] === b[sort] ? a.number - b.number : a[sort] < b[sort] ? -1 : 1) * dir);
  return page(req, items, (i) => c.s.issueJson(r, i));
}

function patchIssue(c: Ctx, req: Req): Res {
  const r = repoOf(c, req);
  const b = parse(IssuePatch, req.body);
  const assignees = b.assignees ?? (b.assignee === undefined ? undefined : b.assignee === null ? [] : [b.assignee]);
  const i = c.s.updateIssue(r, me(req), num(req, "number"), {
    title: b.title, body: b.body, state: b.state, state_reason: b.state_reason, labels: b.labels, assignees,
  });
  return ok(c.s.issueJson(r, i));
}

function releaseBy(c: Ctx, req: Req, pick: (r: RepoState) => RepoState["releases"][number] | undefined): Res {
  const r = repoOf(c, req);
  const rel = pick(r);
  if (!rel) throw notFound();
  return ok(releaseJson(c.s, r, rel));
}

/** The default branch's head commit: a fixed sha per repository (the emulator keeps no history). */
export function headSha(fullName: string, branch: string): string {
  return createHash("sha1").update(`${fullName}@${branch}`).digest("hex");
}

function commitOf(r: { fullName: string; defaultBranch: string }, ref: string): string | undefined {
  const head = headSha(r.fullName, r.defaultBranch);
  return ref === r.defaultBranch || ref === "HEAD" || ref === head ? head : undefined;
}

const table: [string, string, Handler, boolean?][] = [
  ["GET", "/rate_limit", (_c, req) => {
    const core = { ...req.rate, resource: "core" };
    return ok({ resources: { core, search: { limit: 30, remaining: 30, reset: req.rate.reset, used: 0 }, graphql: core }, rate: core });
  }],
  ["GET", "/user", (c, req) => ok(userJson(c.s, me(req).login))],
  ["GET", "/app", (c) => ok(appJson(c.s, c.s.allRepos()[0]?.owner ?? "local")), true],
  ["GET", "/app/installations", (c) => ok([installationJson(c, c.s.allRepos()[0]?.owner ?? "local")]), true],
  ["POST", "/app/installations/:id/access_tokens", (c, req) => {
    if (req.params.id !== "1") throw notFound();
    // expiry is wall-clock: clients compare it with their own Date.now()
    const expires = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    return ok({ token: c.appToken, expires_at: expires, permissions: appJson(c.s, "local").permissions, repository_selection: "all" }, 201);
  }, true],
  // The installation's repositories (all of them: the emulator's one installation covers every repo), paginated in an envelope.
  ["GET", "/installation/repositories", (c, req) => {
    const all = c.s.allRepos();
    const listed = page(req, all, (r) => repoJson(c.s, r));
    return { ...listed, body: { total_count: all.length, repository_selection: "all", repositories: listed.body } };
  }],
  ["GET", "/repos/:owner/:repo/installation", (c, req) => ok(installationJson(c, c.s.repo(`${req.params.owner}/${req.params.repo}`, c.s.bot).owner)), true],
  ["GET", "/repos/:owner/:repo", (c, req) => {
    const r = repoOf(c, req);
    const role = c.s.role(r, req.actor?.login ?? null);
    const at = (x: number): boolean => role !== null && ["read", "triage", "write", "maintain", "admin"].indexOf(role) >= x;
    const perms = { pull: at(0) || !r.private, triage: at(1), push: at(2), maintain: at(3), admin: at(4) };
    return ok({ ...repoJson(c.s, r, [...r.issues.values()].filter((i) => i.state === "open").length), ...(req.actor ? { permissions: perms } : {}) });
  }],
  ["GET", "/repos/:owner/:repo/collaborators/:user/permission", (c, req) => {
    const r = repoOf(c, req);
    const login = req.params.user!;
    return ok({ ...c.s.permission(r, login), user: userJson(c.s, login) });
  }],
  ["GET", "/repos/:owner/:repo/collaborators/:user", (c, req) => {
    const r = repoOf(c, req);
    if (c.s.role(r, req.params.user!) === null || req.params.user!.endsWith("[bot]")) throw notFound();
    return none();
  }],
  ["GET", "/repos/:owner/:repo/assignees/:user", (c, req) => {
    if (!c.s.assignable(repoOf(c, req), req.params.user!)) throw notFound();
    return none();
  }],
  ["GET", "/repos/:owner/:repo/contents/*path", (c, req) => {
    const r = repoOf(c, req);
    const found = c.s.getContents(r, req.params.path ?? "", req.query.get("ref") ?? undefined);
    if (Array.isArray(found)) return ok(found.map((e) => fileJson(c, r, e)));
    if (/raw/.test(req.accept)) return { status: 200, raw: found.content, headers: { "content-type": "text/plain; charset=utf-8" } };
    return ok(fileJson(c, r, found));
  }],
  ["GET", "/repos/:owner/:repo/issues", listIssues],
  ["POST", "/repos/:owner/:repo/issues", (c, req) => {
    const r = repoOf(c, req);
    const b = parse(IssueCreate, req.body);
    const assignees = [...(b.assignees ?? []), ...(b.assignee ? [b.assignee] : [])];
    return ok(c.s.issueJson(r, c.s.createIssue(r, me(req), { title: b.title, body: b.body, labels: b.labels, assignees })), 201);
  }],
  ["GET", "/repos/:owner/:repo/issues/comments", (c, req) => {
    const r = repoOf(c, req);
    const since = req.query.get("since");
    return page(req, [...r.comments.values()].filter((x) => !since || new Date(x.updatedAt) >= new Date(since)), (x) => commentJson(c.s, r, x));
  }],
  ["GET", "/repos/:owner/:repo/issues/comments/:id", (c, req) => {
    const r = repoOf(c, req);
    return ok(commentJson(c.s, r, c.s.comment(r, num(req, "id"))));
  }],
  ["PATCH", "/repos/:owner/:repo/issues/comments/:id", (c, req) => {
    const r = repoOf(c, req);
    return ok(commentJson(c.s, r, c.s.updateComment(r, me(req), num(req, "id"), parse(CommentBody, req.body).body)));
  }],
  ["DELETE", "/repos/:owner/:repo/issues/comments/:id", (c, req) => {
    c.s.deleteComment(repoOf(c, req), me(req), num(req, "id"));
    return none();
  }],
  ["GET", "/repos/:owner/:repo/issues/comments/:id/reactions", (c, req) => reactions(c, req, c.s.comment(repoOf(c, req), num(req, "id")))],
  ["POST", "/repos/:owner/:repo/issues/comments/:id/reactions", (c, req) => reactions(c, req, c.s.comment(repoOf(c, req), num(req, "id")))],
  ["GET", "/repos/:owner/:repo/issues/:number", (c, req) => {
    const r = repoOf(c, req);
    return ok(c.s.issueJson(r, c.s.issue(r, num(req, "number"))));
  }],
  ["PATCH", "/repos/:owner/:repo/issues/:number", patchIssue],
  // GraphQL: only what Firebreak asks (SPEC §13) — who last edited an issue's body, and when.
  // GitHub names an App's bot `slug` in GraphQL (no "[bot]" suffix), as here.
  ["POST", "/graphql", (c, req) => {
    const many = z.object({ query: z.string(), variables: z.object({ owner: z.string(), name: z.string() }).strict() }).safeParse(req.body);
    if (many.success) {
      // Who last edited many bodies at once (the report's trust check): `iN: issue(number: N) { … }` aliases.
      const r = c.s.repo(`${many.data.variables.owner}/${many.data.variables.name}`, req.actor);
      const found = [...many.data.query.matchAll(/(\w+): issue\(number: (\d+)\)/g)].map(([, alias, n]) => {
        const i = c.s.issue(r, Number(n));
        return [alias, { number: i.number, lastEditedAt: i.lastEditedAt ?? null, editor: i.editor ? { login: i.editor.replace(/\[bot\]$/, "") } : null }] as const;
      });
      return ok({ data: { repository: Object.fromEntries(found) } });
    }
    const b = z.object({ query: z.string(), variables: z.object({ owner: z.string(), name: z.string(), number: z.number() }) }).parse(req.body);
    if (!/lastEditedAt/.test(b.query) || !/editor/.test(b.query)) return ok({ errors: [{ message: "the local GitHub answers only the lastEditedAt/editor query" }] });
    const r = c.s.repo(`${b.variables.owner}/${b.variables.name}`, req.actor);
    const i = c.s.issue(r, b.variables.number);
    const editor = i.editor ? { login: i.editor.replace(/\[bot\]$/, "") } : null;
    return ok({ data: { repository: { issue: { lastEditedAt: i.lastEditedAt ?? null, editor } } } });
  }],
  ["GET", "/repos/:owner/:repo/issues/:number/reactions", (c, req) => reactions(c, req, c.s.issue(repoOf(c, req), num(req, "number")))],
  ["POST", "/repos/:owner/:repo/issues/:number/reactions", (c, req) => reactions(c, req, c.s.issue(repoOf(c, req), num(req, "number")))],
  ["GET", "/repos/:owner/:repo/issues/:number/comments", (c, req) => {
    const r = repoOf(c, req);
    const n = c.s.issue(r, num(req, "number")).number;
    const since = req.query.get("since");
    const items = [...r.comments.values()].filter((x) => x.issueNumber === n && (!since || new Date(x.updatedAt) >= new Date(since)));
    return page(req, items, (x) => commentJson(c.s, r, x));
  }],
  ["POST", "/repos/:owner/:repo/issues/:number/comments", (c, req) => {
    const r = repoOf(c, req);
    return ok(commentJson(c.s, r, c.s.createComment(r, me(req), num(req, "number"), parse(CommentBody, req.body).body)), 201);
  }],
  ["GET", "/repos/:owner/:repo/issues/:number/labels", (c, req) => {
    const r = repoOf(c, req);
    return page(req, c.s.issue(r, num(req, "number")).labels.flatMap((n) => c.s.findLabel(r, n) ?? []), (l) => labelJson(c.s, r, l));
  }],
  ...(["POST", "PUT"] as const).map((method): [string, string, Handler] => [method, "/repos/:owner/:repo/issues/:number/labels", (c, req) => {
    const r = repoOf(c, req);
    const names = parse(labelsBody, req.body);
    const i = method === "POST" ? c.s.addLabels(r, me(req), num(req, "number"), names) : c.s.setLabels(r, me(req), num(req, "number"), names);
    return ok(i.labels.flatMap((n) => c.s.findLabel(r, n) ?? []).map((l) => labelJson(c.s, r, l)));
  }]),
  ["DELETE", "/repos/:owner/:repo/issues/:number/labels", (c, req) => {
    c.s.setLabels(repoOf(c, req), me(req), num(req, "number"), []);
    return none();
  }],
  ["DELETE", "/repos/:owner/:repo/issues/:number/labels/:name", (c, req) => {
    const r = repoOf(c, req);
    const i = c.s.removeLabel(r, me(req), num(req, "number"), req.params.name!);
    return ok(i.labels.flatMap((n) => c.s.findLabel(r, n) ?? []).map((l) => labelJson(c.s, r, l)));
  }],
  ["POST", "/repos/:owner/:repo/issues/:number/assignees", (c, req) => {
    const r = repoOf(c, req);
    return ok(c.s.issueJson(r, c.s.addAssignees(r, me(req), num(req, "number"), parse(Assignees, req.body).assignees)), 201);
  }],
  ["DELETE", "/repos/:owner/:repo/issues/:number/assignees", (c, req) => {
    const r = repoOf(c, req);
    return ok(c.s.issueJson(r, c.s.removeAssignees(r, me(req), num(req, "number"), parse(Assignees, req.body).assignees)));
  }],
  ["GET", "/repos/:owner/:repo/labels", (c, req) => {
    const r = repoOf(c, req);
    return page(req, r.labels, (l) => labelJson(c.s, r, l));
  }],
  ["POST", "/repos/:owner/:repo/labels", (c, req) => {
    const r = repoOf(c, req);
    return ok(labelJson(c.s, r, c.s.createLabel(r, me(req), parse(LabelCreate, req.body))), 201);
  }],
  ["GET", "/repos/:owner/:repo/labels/:name", (c, req) => {
    const r = repoOf(c, req);
    const l = c.s.findLabel(r, req.params.name!);
    if (!l) throw notFound();
    return ok(labelJson(c.s, r, l));
  }],
  ["PATCH", "/repos/:owner/:repo/labels/:name", (c, req) => {
    const r = repoOf(c, req);
    return ok(labelJson(c.s, r, c.s.updateLabel(r, me(req), req.params.name!, parse(LabelPatch, req.body))));
  }],
  ["DELETE", "/repos/:owner/:repo/labels/:name", (c, req) => {
    c.s.deleteLabel(repoOf(c, req), me(req), req.params.name!);
    return none();
  }],
  ["GET", "/repos/:owner/:repo/releases", (c, req) => {
    const r = repoOf(c, req);
    return page(req, r.releases, (x) => releaseJson(c.s, r, x));
  }],
  ["POST", "/repos/:owner/:repo/releases", (c, req) => {
    const r = repoOf(c, req);
    return ok(releaseJson(c.s, r, c.s.createRelease(r, me(req), parse(ReleaseCreate, req.body))), 201);
  }],
  ["GET", "/repos/:owner/:repo/releases/latest", (c, req) => releaseBy(c, req, (r) => r.releases.find((x) => !x.draft && !x.prerelease))],
  ["GET", "/repos/:owner/:repo/releases/tags/:tag", (c, req) => releaseBy(c, req, (r) => r.releases.find((x) => x.tagName === req.params.tag))],
  ["GET", "/repos/:owner/:repo/releases/:id", (c, req) => releaseBy(c, req, (r) => r.releases.find((x) => x.id === num(req, "id")))],
  // The emulator keeps no git history: the default branch's head is one fixed commit per repository.
  ["GET", "/repos/:owner/:repo/commits/:ref", (c, req) => {
    const r = repoOf(c, req);
    const sha = commitOf(r, req.params.ref ?? "");
    if (sha === undefined) throw new GhError(422, `No commit found for SHA: ${req.params.ref ?? ""}`);
    return ok({ sha, node_id: nodeId("Commit", parseInt(sha.slice(0, 8), 16)), url: `${c.s.base}/repos/${r.fullName}/commits/${sha}` });
  }],
  ["GET", "/repos/:owner/:repo/commits/:ref/check-runs", (c, req) => {
    const r = repoOf(c, req);
    const sha = commitOf(r, req.params.ref ?? "");
    if (sha === undefined) throw new GhError(422, `No commit found for SHA: ${req.params.ref ?? ""}`);
    const name = req.query.get("check_name");
    const runs = r.checkRuns.filter((k) => k.headSha === sha && (name === null || k.name === name)).reverse();
    return ok({ total_count: runs.length, check_runs: runs.map((k) => checkRunJson(c.s, r, k)) });
  }],
  ["POST", "/repos/:owner/:repo/check-runs", (c, req) => {
    const r = repoOf(c, req);
    const b = parse(CheckRunCreate, req.body);
    return ok(checkRunJson(c.s, r, c.s.createCheckRun(r, me(req), { ...checkRunInput(b), name: b.name, headSha: b.head_sha })), 201);
  }],
  ["GET", "/repos/:owner/:repo/check-runs/:id", (c, req) => {
    const r = repoOf(c, req);
    const k = r.checkRuns.find((x) => x.id === num(req, "id"));
    if (!k) throw notFound();
    return ok(checkRunJson(c.s, r, k));
  }],
  ["PATCH", "/repos/:owner/:repo/check-runs/:id", (c, req) => {
    const r = repoOf(c, req);
    return ok(checkRunJson(c.s, r, c.s.updateCheckRun(r, me(req), num(req, "id"), checkRunInput(parse(CheckRunPatch, req.body)))));
  }],
];

/** `:number`/`:id` match digits only, so `/issues/comments` never reads as an issue number. */
export const routes: Route[] = table.map(([method, pattern, handler, jwt]) => {
  const keys: string[] = [];
  const src = pattern.replace(/[:*](\w+)/g, (m, key: string) => {
    keys.push(key);
    return m.startsWith("*") ? "(.*)" : key === "number" || key === "id" ? "(\\d+)" : "([^/]+)";
  });
  return { method, re: new RegExp(`^${src}$`), keys, jwt: jwt ?? false, handler };
});

export function match(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
  for (const route of routes) {
    if (route.method !== method) continue;
    const m = route.re.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    route.keys.forEach((k, i) => { params[k] = decodeURIComponent(m[i + 1] ?? ""); });
    return { route, params };
  }
  return undefined;
}
