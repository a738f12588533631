// An in-memory GitHub REST API on 127.0.0.1: octokit, Probot (GHE_HOST, served under /api/v3)
// and @actions/github (GITHUB_API_URL) run against it unchanged. Used by `firebreak demo`,
// end-to-end tests and the benchmark.
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { match, type Ctx, type RateInfo, type Res } from "./routes.js";
import { GhError, Store, type Actor, type RepoState } from "./store.js";
import { WebhookSender, type Delivery, type WebhookTarget } from "./webhooks.js";
import type { CheckRunRecord, CommentRecord, IssueRecord, LabelRecord, ReleaseRecord, Role, StateReason } from "./json.js";

export type { CheckRunRecord, CommentRecord, IssueRecord, LabelRecord, ReactionRecord, ReleaseRecord, Role, StateReason } from "./json.js";
export type { Delivery, WebhookTarget } from "./webhooks.js";
export { GhError } from "./store.js";
export { sign } from "./webhooks.js";

export interface LocalGitHubOptions {
  clock?: () => Date;
  webhook?: WebhookTarget;
  appSlug?: string;
  /** fixed port; default 0 (random) */
  port?: number;
  /** primary rate limit per token per hour, enforced like GitHub (403, remaining 0); default 5000 */
  rateLimit?: number;
  /** The origin of html_url links (default: the emulator's own URL); the demo uses https://github.com so its output never changes. */
  webUrl?: string;
}
export type TokenKind = "none" | "user" | "installation" | "app" | "invalid";
export interface RequestLogEntry {
  method: string; path: string; query: Record<string, string>; status: number;
  token: { kind: TokenKind; login: string | null }; at: string;
}
export interface FaultMatch { method?: string; path?: RegExp }
export interface FaultResponse {
  status: 500 | 502 | 503 | 403 | 429; times?: number; headers?: Record<string, string>;
  /** apply the request's change before answering with the fault (GitHub sometimes does this on 5xx) */
  applied?: boolean;
}

const DOCS = "https://docs.github.com/rest";
const DEFAULT_RATE_LIMIT = 5000;
const isJwt = (t: string): boolean => /^eyJ[\w-]*\.[\w-]*\.[\w-]*$/.test(t);
const clone = <T>(v: T): T => structuredClone(v);

export class LocalGitHub {
  readonly appToken = `ghs_${randomBytes(18).toString("hex")}`;
  readonly requests: RequestLogEntry[] = [];
  private readonly store: Store;
  private readonly hooks: WebhookSender;
  private readonly userTokens = new Map<string, string>(); // token -> login
  private readonly rates = new Map<string, { used: number; reset: number }>();
  private faults: (FaultMatch & FaultResponse & { left: number })[] = [];
  private server: Server | undefined;
  private readonly opts: LocalGitHubOptions;

  constructor(opts: LocalGitHubOptions = {}) {
    this.opts = opts;
    this.hooks = new WebhookSender(opts.webhook);
    this.store = new Store(opts.appSlug ?? "firebreak", opts.clock ?? (() => new Date()), (repo, event, action, payload) =>
      this.hooks.send(repo, event, action, payload));
    this.store.webUrl = opts.webUrl;
  }

  get url(): string { return this.store.base; }
  get deliveries(): Delivery[] { return this.hooks.deliveries; }
  /** Set or replace where webhooks go (e.g. once the app's server has a port). */
  setWebhook(target: WebhookTarget | undefined): void { this.hooks.target = target; }
  idle(): Promise<void> { return this.hooks.idle(); }

  async start(): Promise<{ url: string; port: number }> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch(() => res.destroy()); // a broken client connection, nothing to answer
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.opts.port ?? 0, "127.0.0.1", () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    this.store.base = `http://127.0.0.1:${port}`;
    return { url: this.store.base, port };
  }
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  // ---- seeding and acting as people

  addRepo(fullName: string, opts?: { private?: boolean; defaultBranch?: string }): void { this.store.addRepo(fullName, opts); }
  addCollaborator(repo: string, login: string, role: Role): void { this.store.addCollaborator(this.r(repo), login, role); }
  putFile(repo: string, path: string, content: string): void { this.store.putFile(this.r(repo), path, content); }
  createLabel(repo: string, name: string, color = "ededed", description: string | null = null): LabelRecord {
    return clone(this.store.createLabel(this.r(repo), this.store.bot, { name, color, description }));
  }
  tokenFor(login: string): string {
    for (const [t, l] of this.userTokens) if (l === login) return t;
    const token = `ghp_${randomBytes(18).toString("hex")}`;
    this.userTokens.set(token, login);
    return token;
  }
  /** Submits an issue (as an issue form would: its labels apply whoever submits, when they exist). */
  openIssue(repo: string, login: string, input: { title: string; body: string; labels?: string[]; assignees?: string[] }): IssueRecord {
    return clone(this.store.createIssue(this.r(repo), this.as(login), input, true));
  }
  comment(repo: string, n: number, login: string, body: string): CommentRecord {
    return clone(this.store.createComment(this.r(repo), this.as(login), n, body));
  }
  editComment(repo: string, commentId: number, login: string, body: string): CommentRecord {
    return clone(this.store.updateComment(this.r(repo), this.as(login), commentId, body));
  }
  deleteComment(repo: string, commentId: number, login: string): void { this.store.deleteComment(this.r(repo), this.as(login), commentId); }
  editIssue(repo: string, n: number, login: string, patch: { title?: string; body?: string }): IssueRecord {
    return clone(this.store.updateIssue(this.r(repo), this.as(login), n, patch));
  }
  closeIssue(repo: string, n: number, login: string, reason: Exclude<StateReason, "reopened"> = "completed"): IssueRecord {
    return clone(this.store.updateIssue(this.r(repo), this.as(login), n, { state: "closed", state_reason: reason }));
  }
  reopenIssue(repo: string, n: number, login: string): IssueRecord {
    return clone(this.store.updateIssue(this.r(repo), this.as(login), n, { state: "open" }));
  }
  addLabels(repo: string, n: number, login: string, labels: string[]): IssueRecord {
    return clone(this.store.addLabels(this.r(repo), this.as(login), n, labels));
  }
  removeLabel(repo: string, n: number, login: string, label: string): IssueRecord {
    return clone(this.store.removeLabel(this.r(repo), this.as(login), n, label));
  }
  setAssignees(repo: string, n: number, login: string, assignees: string[]): IssueRecord {
    return clone(this.store.updateIssue(this.r(repo), this.as(login), n, { assignees }));
  }
  /** Publishes a release as the repository owner; `at` backdates it (seeding "what changed before"). */
  publishRelease(repo: string, rel: { tag: string; name?: string; body?: string; at?: Date; login?: string }): ReleaseRecord {
    const r = this.r(repo);
    return clone(this.store.createRelease(r, this.as(rel.login ?? r.owner), { tag_name: rel.tag, name: rel.name, body: rel.body }, rel.at));
  }

  // ---- inspection

  issue(repo: string, n: number): IssueRecord | undefined { return clone(this.r(repo).issues.get(n)); }
  issues(repo: string): IssueRecord[] { return clone([...this.r(repo).issues.values()]); }
  comments(repo: string, n: number): CommentRecord[] { return clone([...this.r(repo).comments.values()].filter((c) => c.issueNumber === n)); }
  labels(repo: string): LabelRecord[] { return clone(this.r(repo).labels); }
  releases(repo: string): ReleaseRecord[] { return clone(this.r(repo).releases); }
  checkRuns(repo: string): CheckRunRecord[] { return clone(this.r(repo).checkRuns); }
  resetRequests(): void { this.requests.length = 0; }

  failNext(match: FaultMatch, response: FaultResponse): void {
    this.faults.push({ ...match, ...response, left: response.times ?? 1 });
  }

  private r(repo: string): RepoState { return this.store.repo(repo, this.store.bot); }
  private as(login: string): Actor { return { login, app: login === this.store.bot.login }; }

  // ---- HTTP

  private identify(header: string | undefined): { kind: TokenKind; login: string | null } {
    if (!header) return { kind: "none", login: null };
    const token = /^(?:token|bearer)\s+(\S+)$/i.exec(header.trim())?.[1] ?? "";
    if (token === this.appToken) return { kind: "installation", login: this.store.bot.login };
    const login = this.userTokens.get(token);
    if (login !== undefined) return { kind: "user", login };
    // any well-formed JWT is the app itself: the emulator does not check the signature
    return isJwt(token) ? { kind: "app", login: null } : { kind: "invalid", login: null };
  }

  /** Primary rate limit, per token, in wall-clock time so clients can compute their wait. */
  private rate(key: string): { used: number; reset: number } {
    const now = Math.floor(Date.now() / 1000);
    let r = this.rates.get(key);
    if (!r || r.reset <= now) this.rates.set(key, (r = { used: 0, reset: now + 3600 }));
    return r;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    const self = new URL(req.url ?? "/", `http://${req.headers.host ?? this.store.base.slice(7)}`);
    const path = self.pathname.replace(/^\/api\/v3(?=\/|$)/, "").replace(/(.)\/+$/, "$1") || "/";
    const raw = await readBody(req);
    const token = this.identify(req.headers.authorization);
    // wall-clock, not the emulated clock: logging must not consume a test clock's ticks, and latency is real
    const entry: RequestLogEntry = { method, path, query: Object.fromEntries(self.searchParams), status: 0, token, at: new Date().toISOString() };
    this.requests.push(entry);
    const limit = token.kind === "none" ? 60 : (this.opts.rateLimit ?? DEFAULT_RATE_LIMIT);
    const bucket = this.rate(`${token.kind}:${token.login ?? ""}`);
    const rate: RateInfo = { limit, remaining: Math.max(0, limit - bucket.used), reset: bucket.reset, used: bucket.used };

    const run = (): Res => {
      try {
        if (token.kind === "invalid") throw new GhError(401, "Bad credentials");
        if (rate.remaining === 0 && path !== "/rate_limit") return rateLimited(bucket.reset, {});
        const found = match(method, path);
        if (!found) return { status: 404, body: { message: "Not Found", documentation_url: DOCS } };
        if (found.route.jwt !== (token.kind === "app")) {
          throw new GhError(401, found.route.jwt ? "A JSON web token could not be decoded" : "Bad credentials");
        }
        const actor: Actor | null = token.login === null ? null : { login: token.login, app: token.kind === "installation" };
        if (method !== "GET" && !actor && !found.route.jwt) throw new GhError(401, "Requires authentication");
        let body: unknown;
        try { body = raw ? JSON.parse(raw) : undefined; } catch { throw new GhError(400, "Problems parsing JSON"); }
        return found.route.handler(this.ctx(), { method, params: found.params, query: self.searchParams, body, actor, accept: req.headers.accept ?? "", self, rate });
      } catch (e) {
        if (e instanceof GhError) return { status: e.status, body: { message: e.message, ...e.extra, documentation_url: DOCS, status: String(e.status) } };
        return { status: 500, body: { message: e instanceof Error ? e.message : "Server Error" } };
      }
    };

    const fault = this.faults.find((f) => (!f.method || f.method.toUpperCase() === method) && (!f.path || f.path.test(path)));
    if (fault && --fault.left <= 0) this.faults = this.faults.filter((f) => f !== fault);
    let out: Res;
    if (fault && !fault.applied) out = faultResponse(fault);
    else {
      out = run();
      if (fault) out = faultResponse(fault);
    }

    // conditional requests: a strong ETag over the representation; 304 is free when authorised
    let text = out.raw ?? (out.body === undefined ? "" : JSON.stringify(out.body));
    const headers: Record<string, string> = {};
    if (method === "GET" && out.status === 200) {
      const etag = `"${createHash("sha1").update(out.raw === undefined ? "json:" : "raw:").update(text).digest("hex")}"`;
      headers.etag = etag;
      const inm = req.headers["if-none-match"];
      if (inm && inm.split(",").some((t) => t.trim().replace(/^W\//, "") === etag)) {
        out = { status: 304, headers: out.headers };
        text = "";
      }
    }
    // GitHub charges neither /rate_limit, nor an authorised 304, nor requests refused before they ran
    const free = path === "/rate_limit" || (out.status === 304 && token.kind !== "none") || out.status === 401 || rate.remaining === 0;
    if (!free) bucket.used++;
    entry.status = out.status;
    Object.assign(headers, {
      "x-ratelimit-limit": String(limit), "x-ratelimit-remaining": String(Math.max(0, limit - bucket.used)),
      "x-ratelimit-reset": String(bucket.reset), "x-ratelimit-used": String(bucket.used), "x-ratelimit-resource": "core",
      "x-github-request-id": randomBytes(8).toString("hex").toUpperCase(), "x-github-media-type": "github.v3; format=json",
      "x-github-api-version-selected": "2022-11-28",
      ...(text ? { "content-type": "application/json; charset=utf-8" } : {}),
      ...out.headers,
    });
    res.writeHead(out.status, headers);
    res.end(out.status === 204 || out.status === 304 ? undefined : text);
  }

  private ctx(): Ctx { return { s: this.store, appToken: this.appToken }; }
}

function rateLimited(reset: number, headers: Record<string, string>, status: 403 | 429 = 403): Res {
  // a retry-after marks a secondary limit; only the primary limit empties x-ratelimit-remaining
  const secondary = "retry-after" in headers;
  return {
    status,
    headers: { ...(secondary ? {} : { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) }), ...headers },
    body: {
      message: secondary ? "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
        : "API rate limit exceeded for installation ID 1.",
      documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
    },
  };
}

function faultResponse(f: FaultResponse): Res {
  const headers = f.headers ?? {};
  if (f.status === 403) return rateLimited(Math.ceil(Date.now() / 1000), headers); // resets within a second
  if (f.status === 429) return rateLimited(0, { "retry-after": "1", ...headers }, 429);
  const message = f.status === 500 ? "Server Error" : f.status === 502 ? "Bad Gateway" : "Service Unavailable";
  return { status: f.status, headers, body: { message } };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
