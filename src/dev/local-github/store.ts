// In-memory repository state and the operations people and apps perform on it.
// Every mutation goes through here so REST calls and seeding helpers enforce the
// same permissions and emit the same webhook events.
import { createHash } from "node:crypto";
import {
  commentJson, issueJson, iso, labelJson, nodeId, releaseJson, repoJson, userJson,
  type CheckRunRecord, type CommentRecord, type IssueRecord, type Json, type LabelRecord,
  type ReactionContent, type ReactionRecord, type ReleaseRecord, type RenderCtx, type RepoRecord, type Role, type StateReason,
} from "./json.js";

export const MAX_BODY = 65_536;
const RANK: Record<Role, number> = { read: 1, triage: 2, write: 3, maintain: 4, admin: 5 };

/** An error GitHub would answer with: status plus its JSON body. */
export class GhError extends Error {
  constructor(readonly status: number, message: string, readonly extra: Json = {}) { super(message); }
}
export const notFound = (message = "Not Found"): GhError => new GhError(404, message);
export const invalid = (resource: string, field: string, code: string, message?: string): GhError =>
  new GhError(422, "Validation Failed", { errors: [{ resource, code, field, ...(message ? { message } : {}) }] });
const forbidden = (need: Role): GhError => new GhError(403, `Must have ${need} access to repository`);

export interface Actor { login: string; app: boolean }
/** `payload` is built only when someone listens, and at once (the state as of the event). */
export type Emit = (repo: string, event: string, action: string, payload: () => Json) => void;

export interface RepoState extends RepoRecord {
  collaborators: Map<string, Role>; issues: Map<number, IssueRecord>; comments: Map<number, CommentRecord>;
  labels: LabelRecord[]; files: Map<string, { content: string; sha: string }>;
  releases: ReleaseRecord[]; checkRuns: CheckRunRecord[]; nextNumber: number;
}
export interface IssueInput { title?: string; body?: string | null; state?: "open" | "closed"; state_reason?: StateReason | null; labels?: string[]; assignees?: string[] }

const chars = (s: string | null | undefined): number => (s ? Array.from(s).length : 0);
const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

export class Store implements RenderCtx {
  base = "http://127.0.0.1";
  webUrl: string | undefined;
  get web(): string { return this.webUrl ?? this.base; }
  private seq = 1000;
  private readonly userIds = new Map<string, number>();
  private readonly repos = new Map<string, RepoState>();

  constructor(readonly appSlug: string, private readonly clock: () => Date, private readonly emit: Emit) {}

  get bot(): Actor { return { login: `${this.appSlug}[bot]`, app: true }; }
  now(): string { return iso(this.clock()); }
  private id(): number { return ++this.seq; }

  userId(login: string): number {
    let id = this.userIds.get(login);
    if (id === undefined) this.userIds.set(login, (id = this.id()));
    return id;
  }
  association(repo: RepoRecord, login: string): "OWNER" | "COLLABORATOR" | "NONE" {
    if (same(login, repo.owner)) return "OWNER";
    return this.repos.get(repo.fullName.toLowerCase())?.collaborators.has(login.toLowerCase()) ? "COLLABORATOR" : "NONE";
  }

  // ---- repositories and access

  addRepo(fullName: string, opts: { private?: boolean; defaultBranch?: string } = {}): RepoState {
    const [owner, name] = fullName.split("/");
    if (!owner || !name) throw new Error(`repository must be "owner/name": ${fullName}`);
    const r: RepoState = {
      id: this.id(), owner, name, fullName, private: opts.private ?? false, defaultBranch: opts.defaultBranch ?? "main",
      createdAt: this.now(), collaborators: new Map(), issues: new Map(), comments: new Map(), labels: [],
      files: new Map(), releases: [], checkRuns: [], nextNumber: 1,
    };
    this.repos.set(fullName.toLowerCase(), r);
    return r;
  }
  allRepos(): RepoState[] { return [...this.repos.values()]; }

  /** Role on the repository; the installation acts with its granted permissions (all we model). */
  role(r: RepoState, login: string | null): Role | null {
    if (login === null) return null;
    if (same(login, r.owner) || login === this.bot.login) return "admin";
    return r.collaborators.get(login.toLowerCase()) ?? null;
  }
  /** The repository as `actor` may see it: private repositories are 404 to outsiders, like GitHub. */
  repo(fullName: string, actor: Actor | null = null): RepoState {
    const r = this.repos.get(fullName.toLowerCase());
    if (!r || (r.private && this.role(r, actor?.login ?? null) === null)) throw notFound();
    return r;
  }
  can(r: RepoState, actor: Actor, need: Role): boolean {
    // outsiders can read (and open issues, comment, react on) public repositories only
    const role = this.role(r, actor.login) ?? (r.private ? null : "read");
    return role !== null && RANK[role] >= RANK[need];
  }
  private need(r: RepoState, actor: Actor, need: Role): void {
    if (!this.can(r, actor, need)) throw forbidden(need);
  }
  permission(r: RepoState, login: string): { permission: string; role_name: string } {
    const role = this.role(r, login);
    if (role === null) return r.private ? { permission: "none", role_name: "none" } : { permission: "read", role_name: "read" };
    const legacy = role === "maintain" ? "write" : role === "triage" ? "read" : role;
    return { permission: legacy, role_name: role };
  }
  assignable(r: RepoState, login: string): boolean {
    return !login.endsWith("[bot]") && this.role(r, login) !== null;
  }
  addCollaborator(r: RepoState, login: string, role: Role): void { r.collaborators.set(login.toLowerCase(), role); }

  // ---- events

  private event(r: RepoState, actor: Actor, event: string, action: string, extra: Json): void {
    this.emit(r.fullName, event, action, () => ({
      action, ...extra, repository: repoJson(this, r, [...r.issues.values()].filter((i) => i.state === "open").length),
      sender: userJson(this, actor.login), installation: { id: 1, node_id: nodeId("Installation", 1) },
    }));
  }
  issueJson(r: RepoState, i: IssueRecord): Json {
    const labels = i.labels.map((n) => this.findLabel(r, n)).filter((l): l is LabelRecord => l !== undefined);
    return issueJson(this, r, i, labels);
  }

  // ---- contents

  putFile(r: RepoState, path: string, content: string): void {
    const bytes = Buffer.from(content, "utf8");
    const sha = createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
    r.files.set(path.replace(/^\/+/, ""), { content, sha });
  }
  /** A file, or a directory's immediate entries; only the default branch exists. */
  getContents(r: RepoState, path: string, ref?: string): { path: string; content: string; sha: string } | { path: string; type: "file" | "dir"; sha: string }[] {
    if (ref !== undefined && ref !== r.defaultBranch && ref !== `refs/heads/${r.defaultBranch}`) throw notFound(`No commit found for the ref ${ref}`);
    const p = path.replace(/^\/+|\/+$/g, "");
    const f = r.files.get(p);
    if (f) return { path: p, ...f };
    const entries = new Map<string, { path: string; type: "file" | "dir"; sha: string }>();
    for (const [fp, file] of r.files) {
      if (p !== "" && !fp.startsWith(`${p}/`)) continue;
      const rest = p === "" ? fp : fp.slice(p.length + 1);
      const [head, ...tail] = rest.split("/");
      const child = p === "" ? head! : `${p}/${head!}`;
      entries.set(child, { path: child, type: tail.length ? "dir" : "file", sha: tail.length ? createHash("sha1").update(child).digest("hex") : file.sha });
    }
    if (entries.size === 0) throw notFound();
    return [...entries.values()];
  }

  // ---- labels

  findLabel(r: RepoState, name: string): LabelRecord | undefined { return r.labels.find((l) => same(l.name, name)); }
  private ensureLabel(r: RepoState, name: string): LabelRecord {
    return this.findLabel(r, name) ?? this.createLabel(r, this.bot, { name, color: "ededed" });
  }
  createLabel(r: RepoState, actor: Actor, input: { name: string; color?: string; description?: string | null }): LabelRecord {
    this.need(r, actor, "write");
    if (this.findLabel(r, input.name)) throw invalid("Label", "name", "already_exists");
    const l: LabelRecord = { id: this.id(), name: input.name, color: (input.color ?? "ededed").replace(/^#/, "").toLowerCase(), description: input.description ?? null };
    r.labels.push(l);
    return l;
  }
  updateLabel(r: RepoState, actor: Actor, name: string, input: { new_name?: string; color?: string; description?: string | null }): LabelRecord {
    this.need(r, actor, "write");
    const l = this.findLabel(r, name);
    if (!l) throw notFound();
    if (input.new_name !== undefined && !same(input.new_name, l.name) && this.findLabel(r, input.new_name)) throw invalid("Label", "name", "already_exists");
    if (input.new_name !== undefined) {
      for (const i of r.issues.values()) i.labels = i.labels.map((n) => (same(n, l.name) ? input.new_name! : n));
      l.name = input.new_name;
    }
    if (input.color !== undefined) l.color = input.color.replace(/^#/, "").toLowerCase();
    if (input.description !== undefined) l.description = input.description;
    return l;
  }
  deleteLabel(r: RepoState, actor: Actor, name: string): void {
    this.need(r, actor, "write");
    const l = this.findLabel(r, name);
    if (!l) throw notFound();
    r.labels = r.labels.filter((x) => x !== l);
    for (const i of r.issues.values()) i.labels = i.labels.filter((n) => !same(n, l.name));
  }

  // ---- issues

  issue(r: RepoState, n: number): IssueRecord {
    const i = r.issues.get(n);
    if (!i) throw notFound();
    return i;
  }

  /** REST create, or an issue-form submission (`form`): forms apply their labels whoever submits,
   *  but only labels that exist; REST applies labels/assignees only for pushers and creates missing labels. */
  createIssue(r: RepoState, actor: Actor, input: { title: string; body?: string | null; labels?: string[]; assignees?: string[] }, form = false): IssueRecord {
    this.checkIssueText(input.title, input.body);
    const pusher = this.can(r, actor, "write");
    const labels = form ? (input.labels ?? []).flatMap((n) => this.findLabel(r, n)?.name ?? [])
      : pusher ? (input.labels ?? []).map((n) => this.ensureLabel(r, n).name) : [];
    const assignees = form || pusher ? this.assignableOf(r, input.assignees ?? []) : [];
    const now = this.now();
    const i: IssueRecord = {
      repo: r.fullName, id: this.id(), number: r.nextNumber++, title: input.title, body: input.body ?? null, author: actor.login,
      state: "open", stateReason: null, closedBy: null, labels: [...new Set(labels)], assignees, comments: 0,
      createdAt: now, updatedAt: now, closedAt: null, reactions: [],
    };
    r.issues.set(i.number, i);
    const issue = this.issueJson(r, i);
    this.event(r, actor, "issues", "opened", { issue });
    for (const n of i.labels) this.event(r, actor, "issues", "labeled", { issue, label: labelJson(this, r, this.findLabel(r, n)!) });
    for (const a of i.assignees) this.event(r, actor, "issues", "assigned", { issue, assignee: userJson(this, a) });
    return i;
  }

  private checkIssueText(title: string | undefined, body: string | null | undefined): void {
    if (title !== undefined && title.trim() === "") throw invalid("Issue", "title", "missing_field");
    if (chars(title) > 256) throw invalid("Issue", "title", "custom", "title is too long (maximum is 256 characters)");
    if (chars(body) > MAX_BODY) throw invalid("Issue", "body", "custom", `body is too long (maximum is ${MAX_BODY} characters)`);
  }
  private assignableOf(r: RepoState, logins: string[]): string[] {
    if (logins.length > 10) throw invalid("Issue", "assignees", "invalid", "You can only assign up to 10 people");
    return [...new Set(logins)].filter((a) => this.assignable(r, a));
  }

  /** PATCH semantics: labels and assignees are full replacements; non-permitted label/assignee
   *  changes are silently dropped, non-permitted text/state changes are refused. */
  updateIssue(r: RepoState, actor: Actor, n: number, input: IssueInput): IssueRecord {
    const i = this.issue(r, n);
    const author = same(i.author, actor.login);
    if ((input.title !== undefined || input.body !== undefined) && !author) this.need(r, actor, "write");
    if (input.state !== undefined && !author) this.need(r, actor, "triage");
    this.checkIssueText(input.title, input.body);
    const triager = this.can(r, actor, "triage");
    const before = { title: i.title, body: i.body, labels: i.labels, assignees: i.assignees, state: i.state };
    if (input.title !== undefined) i.title = input.title;
    if (input.body !== undefined && input.body !== i.body) Object.assign(i, { lastEditedAt: this.now(), editor: actor.login });
    if (input.body !== undefined) i.body = input.body;
    if (input.labels !== undefined && triager) i.labels = [...new Set(input.labels.map((l) => this.ensureLabel(r, l).name))];
    if (input.assignees !== undefined && triager) i.assignees = this.assignableOf(r, input.assignees);
    if (input.state === "closed" && i.state === "open") {
      Object.assign(i, { state: "closed", closedAt: this.now(), closedBy: actor.login, stateReason: input.state_reason ?? "completed" });
    } else if (input.state === "open" && i.state === "closed") {
      Object.assign(i, { state: "open", closedAt: null, closedBy: null, stateReason: "reopened" });
    } else if (input.state_reason !== undefined && i.state === "closed" && input.state_reason !== "reopened") {
      i.stateReason = input.state_reason;
    }
    const added = i.labels.filter((l) => !before.labels.some((b) => same(b, l)));
    const removed = before.labels.filter((b) => !i.labels.some((l) => same(b, l)));
    const assigned = i.assignees.filter((a) => !before.assignees.includes(a));
    const unassigned = before.assignees.filter((a) => !i.assignees.includes(a));
    const changes: Json = {};
    if (i.title !== before.title) changes.title = { from: before.title };
    if (i.body !== before.body) changes.body = { from: before.body ?? "" };
    const changed = Object.keys(changes).length + added.length + removed.length + assigned.length + unassigned.length > 0 || i.state !== before.state;
    if (!changed) return i;
    i.updatedAt = this.now();
    const issue = this.issueJson(r, i);
    if (Object.keys(changes).length) this.event(r, actor, "issues", "edited", { issue, changes });
    for (const n2 of removed) this.event(r, actor, "issues", "unlabeled", { issue, label: this.labelOrStub(r, n2) });
    for (const n2 of added) this.event(r, actor, "issues", "labeled", { issue, label: labelJson(this, r, this.findLabel(r, n2)!) });
    for (const a of unassigned) this.event(r, actor, "issues", "unassigned", { issue, assignee: userJson(this, a) });
    for (const a of assigned) this.event(r, actor, "issues", "assigned", { issue, assignee: userJson(this, a) });
    if (i.state !== before.state) this.event(r, actor, "issues", i.state === "closed" ? "closed" : "reopened", { issue });
    return i;
  }
  private labelOrStub(r: RepoState, name: string): Json {
    const l = this.findLabel(r, name);
    return l ? labelJson(this, r, l) : { name };
  }

  addLabels(r: RepoState, actor: Actor, n: number, names: string[]): IssueRecord {
    this.need(r, actor, "triage");
    const i = this.issue(r, n);
    return this.updateIssue(r, actor, n, { labels: [...i.labels, ...names] });
  }
  removeLabel(r: RepoState, actor: Actor, n: number, name: string): IssueRecord {
    this.need(r, actor, "triage");
    const i = this.issue(r, n);
    if (!i.labels.some((l) => same(l, name))) throw notFound("Label does not exist");
    return this.updateIssue(r, actor, n, { labels: i.labels.filter((l) => !same(l, name)) });
  }
  setLabels(r: RepoState, actor: Actor, n: number, names: string[]): IssueRecord {
    this.need(r, actor, "triage");
    return this.updateIssue(r, actor, n, { labels: names });
  }
  /** GitHub silently ignores assignees the actor may not set or who are not assignable. */
  addAssignees(r: RepoState, actor: Actor, n: number, logins: string[]): IssueRecord {
    const i = this.issue(r, n);
    return this.updateIssue(r, actor, n, { assignees: [...i.assignees, ...logins.filter((l) => !i.assignees.includes(l))] });
  }
  removeAssignees(r: RepoState, actor: Actor, n: number, logins: string[]): IssueRecord {
    const i = this.issue(r, n);
    return this.updateIssue(r, actor, n, { assignees: i.assignees.filter((a) => !logins.some((l) => same(l, a))) });
  }

  // ---- comments and reactions

  comment(r: RepoState, id: number): CommentRecord {
    const c = r.comments.get(id);
    if (!c) throw notFound();
    return c;
  }
  private checkCommentBody(body: string): void {
    if (body.trim() === "") throw invalid("IssueComment", "body", "missing_field");
    if (chars(body) > MAX_BODY) throw invalid("IssueComment", "body", "custom", `body is too long (maximum is ${MAX_BODY} characters)`);
  }
  createComment(r: RepoState, actor: Actor, n: number, body: string): CommentRecord {
    const i = this.issue(r, n);
    this.checkCommentBody(body);
    const now = this.now();
    const c: CommentRecord = { repo: r.fullName, id: this.id(), issueNumber: n, body, author: actor.login, createdAt: now, updatedAt: now, reactions: [] };
    r.comments.set(c.id, c);
    i.comments++;
    i.updatedAt = now;
    this.event(r, actor, "issue_comment", "created", { issue: this.issueJson(r, i), comment: commentJson(this, r, c) });
    return c;
  }
  updateComment(r: RepoState, actor: Actor, id: number, body: string): CommentRecord {
    const c = this.comment(r, id);
    if (!same(c.author, actor.login)) this.need(r, actor, "write");
    this.checkCommentBody(body);
    if (body === c.body) return c;
    const from = c.body;
    c.body = body;
    c.updatedAt = this.now();
    this.event(r, actor, "issue_comment", "edited", { changes: { body: { from } }, issue: this.issueJson(r, this.issue(r, c.issueNumber)), comment: commentJson(this, r, c) });
    return c;
  }
  deleteComment(r: RepoState, actor: Actor, id: number): void {
    const c = this.comment(r, id);
    if (!same(c.author, actor.login)) this.need(r, actor, "write");
    r.comments.delete(id);
    const i = this.issue(r, c.issueNumber);
    i.comments--;
    this.event(r, actor, "issue_comment", "deleted", { issue: this.issueJson(r, i), comment: commentJson(this, r, c) });
  }
  react(target: { reactions: ReactionRecord[] }, actor: Actor, content: ReactionContent): { reaction: ReactionRecord; created: boolean } {
    const existing = target.reactions.find((x) => x.user === actor.login && x.content === content);
    if (existing) return { reaction: existing, created: false };
    const reaction: ReactionRecord = { id: this.id(), content, user: actor.login, createdAt: this.now() };
    target.reactions.push(reaction);
    return { reaction, created: true };
  }

  // ---- releases and check runs

  createRelease(r: RepoState, actor: Actor, input: { tag_name: string; name?: string | null; body?: string | null; draft?: boolean; prerelease?: boolean; target_commitish?: string }, at?: Date): ReleaseRecord {
    this.need(r, actor, "write");
    if (r.releases.some((x) => x.tagName === input.tag_name)) throw invalid("Release", "tag_name", "already_exists");
    const when = at ? iso(at) : this.now();
    const rel: ReleaseRecord = {
      id: this.id(), tagName: input.tag_name, name: input.name ?? null, body: input.body ?? null, draft: input.draft ?? false,
      prerelease: input.prerelease ?? false, targetCommitish: input.target_commitish ?? r.defaultBranch, author: actor.login,
      createdAt: when, publishedAt: input.draft ? null : when,
    };
    r.releases.unshift(rel);
    r.releases.sort((a, b) => b.createdAt.localeCompare(a.createdAt)); // backdated seeds keep newest-first order
    if (!rel.draft) this.event(r, actor, "release", "published", { release: releaseJson(this, r, rel) });
    return rel;
  }
  createCheckRun(r: RepoState, actor: Actor, input: Partial<CheckRunRecord> & { name: string; headSha: string }): CheckRunRecord {
    if (!actor.app) throw new GhError(403, "You must authenticate via a GitHub App.");
    const k: CheckRunRecord = {
      id: this.id(), status: "queued", conclusion: null, output: null, detailsUrl: null, externalId: null, startedAt: this.now(), completedAt: null, ...input,
    };
    if (k.conclusion !== null) Object.assign(k, { status: "completed", completedAt: k.completedAt ?? this.now() });
    r.checkRuns.push(k);
    return k;
  }
  updateCheckRun(r: RepoState, actor: Actor, id: number, input: Partial<CheckRunRecord>): CheckRunRecord {
    if (!actor.app) throw new GhError(403, "You must authenticate via a GitHub App.");
    const k = r.checkRuns.find((x) => x.id === id);
    if (!k) throw notFound();
    Object.assign(k, input);
    if (input.conclusion) Object.assign(k, { status: "completed", completedAt: k.completedAt ?? this.now() });
    return k;
  }
}
