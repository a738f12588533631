// A broken .github/firebreak.yml through the real Probot app (SPEC §2, §9): the event still runs
// on defaults, and the repository hears about each distinct problem once, in one issue that is
// updated in place and closed when the file is fixed. Also: GitHub's 5xx answers are retried,
// and what still fails is logged (without the token) instead of crashing the handler.
import { Writable } from "node:stream";
import nock from "nock";
import { pino } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { firebreakApp } from "../../src/app/index.js";
import { parseBody } from "../../src/core/card.js";
import { declaredIssue } from "../support/incident.js";
import { API, commentEvent, commentJson, EDITED_BY_FIREBREAK, ISSUE_PATH, REPO } from "../support/payloads.js";
import { testApp } from "../support/probot.js";

const repoPath = `/repos/${REPO.owner}/${REPO.repo}`;
const CONFIG_PATH = `${repoPath}/contents/.github%2Ffirebreak.yml`;
const CONFIG_ISSUE = 42;

beforeEach(() => nock.disableNetConnect());
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

interface FakeIssue {
  number: number;
  title: string;
  body: string;
  labels: string[];
  state: "open" | "closed";
  state_reason: string | null;
}

/** A small GitHub: the config file (with ETags), the incident #1 and the config-error issue. */
class FakeGitHub {
  file: { text: string; etag: string } | undefined;
  readonly ifNoneMatch: (string | undefined)[] = [];
  configIssue: FakeIssue | undefined;
  readonly requests: string[] = [];
  readonly configIssueWrites: { method: string; path: string; body: Record<string, unknown> }[] = [];
  readonly incidentPatches: Record<string, unknown>[] = [];
  readonly reactions: number[] = [];
  comments: Record<string, unknown>[] = [];
  private incidentBody = declaredIssue().body;
  private updates = 0;

  constructor(scope: nock.Scope) {
    scope.on("request", (req: { method: string; path: string }) => this.requests.push(`${req.method} ${decodeURIComponent(req.path.split("?")[0] ?? "")}`));
    const serveConfig = (sent: unknown): nock.ReplyFnResult => {
      this.ifNoneMatch.push(typeof sent === "string" ? sent : undefined);
      if (!this.file) return [404, { message: "Not Found" }];
      if (sent === this.file.etag) return [304, ""];
      const content = Buffer.from(this.file.text, "utf8").toString("base64");
      return [200, { type: "file", encoding: "base64", path: ".github/firebreak.yml", content }, { ETag: this.file.etag }];
    };
    scope
      .get(CONFIG_PATH)
      .reply(function () {
        return serveConfig(this.req.headers["if-none-match"]);
      })
      .persist();
    // The card in these payloads was written by Firebreak: GraphQL says so (SPEC §13).
    scope.post("/graphql").reply(200, EDITED_BY_FIREBREAK).persist();
    scope.get(`${repoPath}/labels`).query(true).reply(200, []).persist();
    scope.post(`${repoPath}/labels`).reply(201, {}).persist();
    scope.get(`${ISSUE_PATH}/comments`).query(true).reply(200, () => this.comments).persist();
    scope
      .patch(ISSUE_PATH)
      .reply(200, (_uri, body) => {
        const b = body as Record<string, unknown>;
        this.incidentPatches.push(b);
        this.updates += 1;
        if (typeof b.body === "string") this.incidentBody = b.body;
        return this.incidentJson(b);
      })
      .persist();
    scope
      .post(/\/issues\/comments\/\d+\/reactions/)
      .reply(201, (uri) => {
        this.reactions.push(Number(/comments\/(\d+)/.exec(uri)?.[1]));
        return { id: 1, content: "+1" };
      })
      .persist();
    // The configuration-error issue.
    scope
      .get(`${repoPath}/issues`)
      .query(true)
      .reply(200, (uri) => {
        const query = new URL(uri, API).searchParams;
        const issue = this.configIssue;
        if (!issue || !issue.labels.includes(query.get("labels") ?? "")) return [];
        return query.get("state") === "all" || query.get("state") === issue.state ? [this.issueJson(issue)] : [];
      })
      .persist();
    scope
      .post(`${repoPath}/issues`)
      .reply(201, (uri, body) => {
        const b = body as { title: string; body: string; labels: string[] };
        this.configIssueWrites.push({ method: "POST", path: uri, body: b });
        this.configIssue = { number: CONFIG_ISSUE, title: b.title, body: b.body, labels: b.labels, state: "open", state_reason: null };
        return this.issueJson(this.configIssue);
      })
      .persist();
    scope
      .patch(`${repoPath}/issues/${CONFIG_ISSUE}`)
      .reply(200, (uri, body) => {
        const b = body as Partial<FakeIssue>;
        this.configIssueWrites.push({ method: "PATCH", path: uri, body: b });
        this.configIssue = { ...this.configIssue!, ...b };
        return this.issueJson(this.configIssue);
      })
      .persist();
    scope
      .post(`${repoPath}/issues/${CONFIG_ISSUE}/comments`)
      .reply(201, (uri, body) => {
        this.configIssueWrites.push({ method: "POST", path: uri, body: body as Record<string, unknown> });
        return { id: 777, body: (body as { body: string }).body };
      })
      .persist();
  }

  private issueJson(issue: FakeIssue): Record<string, unknown> {
    return {
      ...issue,
      labels: issue.labels.map((name) => ({ name })),
      html_url: `https://github.com/${REPO.owner}/${REPO.repo}/issues/${issue.number}`,
      created_at: "2026-11-24T08:00:00Z",
      user: { login: "firebreak[bot]" },
      assignees: [],
    };
  }

  private incidentJson(b: Record<string, unknown>): Record<string, unknown> {
    return {
      number: 1,
      title: "Meta purchases down",
      html_url: `https://github.com/${REPO.owner}/${REPO.repo}/issues/1`,
      created_at: "2026-11-24T10:20:00Z",
      updated_at: `2026-11-24T11:${String(this.updates).padStart(2, "0")}:00Z`,
      state: "open",
      body: this.incidentBody,
      labels: ((b.labels as string[] | undefined) ?? declaredIssue().labels).map((name) => ({ name })),
      assignees: [],
      user: { login: "Codertocat" },
    };
  }

  /** Requests that touched the configuration-error issue (reads included). */
  configIssueRequests(): string[] {
    return this.requests.filter((r) => r === `GET ${repoPath}/issues` || r === `POST ${repoPath}/issues` || r.includes(`/issues/${CONFIG_ISSUE}`));
  }
}

let commentId = 5000;

/** One command comment on the declared incident #1. */
async function command(app: { receive(name: string, payload: unknown): Promise<void> }, gh: FakeGitHub, body: string): Promise<number> {
  commentId += 1;
  const at = `2026-11-24T10:${String(commentId % 60).padStart(2, "0")}:00Z`;
  const issue = declaredIssue();
  gh.comments = [commentJson(commentId, body, { at })];
  await app.receive("issue_comment", commentEvent(body, { body: issue.body, labels: issue.labels, commentId, commentAt: at }));
  return commentId;
}

const BROKEN = ["labels:", "  severity:", '    1: "P1"', "max_parallel_interventions: two", "colour: red", ""].join("\n");
const BROKEN_MORE = `${BROKEN}lookback_hours: -5\n`;
const FIXED = ["labels:", "  severity:", '    1: "P1"', ""].join("\n");

describe("a broken .github/firebreak.yml", () => {
  it("opens one issue, stays quiet while the file is unchanged, updates it for a new error and closes it once fixed", async () => {
    const { receive, app } = testApp();
    const gh = new FakeGitHub(nock(API));
    gh.file = { text: BROKEN, etag: '"etag-1"' };

    // 1. The first event sees the broken file: one issue, and the command still runs.
    const first = await command({ receive }, gh, "/severity 1");
    expect(gh.configIssueWrites.map((w) => w.method)).toEqual(["POST"]);
    const opened = gh.configIssueWrites[0]!.body as { title: string; body: string; labels: string[] };
    expect(opened.title).toBe("Firebreak configuration error");
    expect(opened.labels).toEqual(["firebreak-config"]);
    expect(opened.body).toContain("`.github/firebreak.yml`");
    expect(opened.body).toContain("default branch");
    expect(opened.body).toMatch(/\| `\.github\/firebreak\.yml` \| `max_parallel_interventions` \| Invalid input: expected number, received string — the default is used \|/);
    expect(opened.body).toMatch(/\| `colour` \| unknown key \(ignored\) \|/);
    // The event ran on the valid keys (sev 1 is labelled "P1") and the default for the invalid one.
    expect(gh.incidentPatches).toHaveLength(1);
    expect(gh.incidentPatches[0]!.labels).toEqual(["incident", "P1", "layer:measurement", "status:triage"]);
    expect(String(gh.incidentPatches[0]!.body)).toContain("of 2 allowed in parallel");
    expect(parseBody(String(gh.incidentPatches[0]!.body)).state?.severity).toBe(1);
    expect(gh.reactions).toEqual([first]);
    expect(app.results[0]).toMatchObject({ action: "command", incident: 1 });
    expect(app.results[0]!.configErrors.map((e) => e.key).sort()).toEqual(["colour", "max_parallel_interventions"]);

    // 2. Unchanged file: a conditional request answered 304, and no configuration-issue request at all.
    const before = gh.configIssueRequests().length;
    const second = await command({ receive }, gh, "/contain paused Advantage+ budget increases");
    expect(gh.ifNoneMatch).toEqual([undefined, '"etag-1"']);
    expect(gh.configIssueRequests()).toHaveLength(before);
    expect(gh.configIssueWrites).toHaveLength(1);
    expect(gh.reactions).toEqual([first, second]);
    expect(app.results[1]).toMatchObject({ action: "command" });
    expect(app.results[1]!.configErrors).toHaveLength(2);

    // 3. The file changes and gains an error: the issue is updated in place, plus one comment naming only the new error.
    gh.file = { text: BROKEN_MORE, etag: '"etag-2"' };
    await command({ receive }, gh, "/comms @monalisa");
    expect(gh.ifNoneMatch.at(-1)).toBe('"etag-1"');
    const update = gh.configIssueWrites.slice(1);
    expect(update.map((w) => `${w.method} ${w.path}`)).toEqual([`PATCH ${repoPath}/issues/${CONFIG_ISSUE}`, `POST ${repoPath}/issues/${CONFIG_ISSUE}/comments`]);
    const patchedBody = String(update[0]!.body.body);
    for (const key of ["max_parallel_interventions", "colour", "lookback_hours"]) expect(patchedBody).toContain(`\`${key}\``);
    const comment = String(update[1]!.body.body);
    expect(comment).toContain("`lookback_hours`");
    expect(comment).toContain("Too small");
    expect(comment).not.toContain("max_parallel_interventions");
    expect(comment).not.toContain("colour");
    expect(gh.requests.filter((r) => r === `POST ${repoPath}/issues`)).toHaveLength(1);
    expect(gh.configIssue?.state).toBe("open");

    // 4. The file is fixed: a comment, and the issue is closed.
    gh.file = { text: FIXED, etag: '"etag-3"' };
    await command({ receive }, gh, "/responder @hubot measurement");
    const closing = gh.configIssueWrites.slice(3);
    expect(closing.map((w) => `${w.method} ${w.path}`)).toEqual([`POST ${repoPath}/issues/${CONFIG_ISSUE}/comments`, `PATCH ${repoPath}/issues/${CONFIG_ISSUE}`]);
    expect(String(closing[0]!.body.body)).toContain("`.github/firebreak.yml` is valid again");
    expect(closing[1]!.body).toMatchObject({ state: "closed", state_reason: "completed" });
    expect(gh.configIssue?.state).toBe("closed");
    expect(app.results[3]!.configErrors).toEqual([]);
    expect(app.results.map((r) => r.action)).toEqual(["command", "command", "command", "command"]);
  });

  it("reopens the same issue when a fixed file breaks again", async () => {
    const { receive } = testApp();
    const gh = new FakeGitHub(nock(API));
    gh.file = { text: BROKEN, etag: '"etag-1"' };
    await command({ receive }, gh, "/severity 1");
    gh.file = { text: FIXED, etag: '"etag-2"' };
    await command({ receive }, gh, "/severity 2");
    expect(gh.configIssue?.state).toBe("closed");
    gh.file = { text: BROKEN_MORE, etag: '"etag-3"' };
    await command({ receive }, gh, "/severity 3");
    expect(gh.configIssue?.state).toBe("open");
    const creations = gh.configIssueWrites.filter((w) => w.method === "POST" && w.path.endsWith("/issues"));
    expect(creations).toHaveLength(1);
    const reopen = gh.configIssueWrites.at(-2);
    expect(reopen?.body).toMatchObject({ state: "open", state_reason: "reopened" });
    expect(String(reopen?.body.body)).toContain("lookback_hours");
    expect(String(gh.configIssueWrites.at(-1)?.body.body)).toContain("has problems again");
  });

  it("writes nothing after a restart while the same errors are already reported in the open issue", async () => {
    const gh = new FakeGitHub(nock(API));
    gh.file = { text: BROKEN, etag: '"etag-1"' };
    await command(testApp(), gh, "/severity 1");
    expect(gh.configIssueWrites).toHaveLength(1);

    // A new process has an empty cache: it reads the file afresh and finds the errors already reported.
    const restarted = testApp();
    await command(restarted, gh, "/severity 3");
    expect(gh.configIssueWrites).toHaveLength(1);
    expect(restarted.app.results[0]).toMatchObject({ action: "command" });
  });

  it("reports YAML that does not parse as one file-level error and runs on defaults", async () => {
    const { receive, app } = testApp();
    const gh = new FakeGitHub(nock(API));
    gh.file = { text: "labels: [incident, postmortem\nmax_parallel_interventions: 3\n", etag: '"etag-yaml"' };

    await command({ receive }, gh, "/severity 1");
    expect(gh.configIssueWrites.map((w) => w.method)).toEqual(["POST"]);
    const body = String(gh.configIssueWrites[0]!.body.body);
    expect(body).toContain("`.github/firebreak.yml`");
    expect(body).toMatch(/\| `\(file\)` \| not valid YAML: .+ — defaults are used \|/);
    expect(gh.incidentPatches[0]!.labels).toEqual(["incident", "sev:1", "layer:measurement", "status:triage"]);
    expect(app.results[0]!.configErrors).toEqual([{ key: "(file)", reason: expect.stringMatching(/^not valid YAML/) }]);
  });

  it("opens nothing when the file is missing or valid", async () => {
    const { receive } = testApp();
    const gh = new FakeGitHub(nock(API));
    await command({ receive }, gh, "/severity 1");
    gh.file = { text: FIXED, etag: '"etag-ok"' };
    await command({ receive }, gh, "/severity 2");
    expect(gh.configIssueWrites).toEqual([]);
    expect(gh.incidentPatches.map((p) => p.labels)).toEqual([
      ["incident", "sev:1", "layer:measurement", "status:triage"],
      ["incident", "sev:2", "layer:measurement", "status:triage"],
    ]);
  });
});

describe("GitHub's 5xx answers", () => {
  const TOKEN = `ghs_${"A1b2C3d4E5".repeat(4)}`;

  /** Probot as production runs it, retries on (unless `retries` is false), but with no backoff wait and throttling off. */
  function retryingApp(retries: number | false) {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString("utf8"));
        done();
      },
    });
    const probot = new Probot({
      githubToken: TOKEN,
      Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({
        ...options,
        retry: retries === false ? { enabled: false } : { enabled: true, retries, retryAfterBaseValue: 0 },
        throttle: { ...(options.throttle as object), enabled: false },
      })),
      log: pino({ level: "trace" }, sink),
    });
    const app = firebreakApp({ appSlug: "firebreak" });
    probot.load(app);
    let delivery = 0;
    return {
      app,
      lines,
      async receive(name: string, payload: unknown) {
        delivery += 1;
        await probot.receive({ id: `delivery-${delivery}`, name, payload } as Parameters<Probot["receive"]>[0]);
        await app.idle();
      },
    };
  }

  function mocks(patchStatuses: number[]): { patches: () => number; reactions: number[] } {
    const scope = nock(API);
    let patches = 0;
    const reactions: number[] = [];
    scope.get(/\/contents\//).reply(404, { message: "Not Found" }).persist();
    scope.get(`${repoPath}/labels`).query(true).reply(200, []).persist();
    scope.post(`${repoPath}/labels`).reply(201, {}).persist();
    scope.get(`${ISSUE_PATH}/comments`).query(true).reply(200, [commentJson(5001, "/severity 1")]).persist();
    scope.post("/graphql").reply(200, EDITED_BY_FIREBREAK).persist();
    scope
      .patch(ISSUE_PATH)
      .reply((_uri, body) => {
        const status = patchStatuses[patches] ?? 200;
        patches += 1;
        if (status >= 500) return [status, { message: `Server Error while authenticating token ${TOKEN}` }];
        return [200, { number: 1, title: "t", html_url: "https://github.com/x", created_at: "2026-11-24T10:20:00Z", updated_at: "2026-11-24T10:31:00Z", state: "open", body: (body as { body?: string }).body ?? "", labels: [], assignees: [], user: { login: "Codertocat" } }];
      })
      .persist();
    scope
      .post(/\/issues\/comments\/\d+\/reactions/)
      .reply(201, (uri) => (reactions.push(Number(/comments\/(\d+)/.exec(uri)?.[1])), { id: 1, content: "+1" }))
      .persist();
    return { patches: () => patches, reactions };
  }

  const event = () => {
    const issue = declaredIssue();
    return commentEvent("/severity 1", { body: issue.body, labels: issue.labels, commentId: 5001 });
  };

  it("retries the incident PATCH after a 502 and then completes the command", async () => {
    const gh = mocks([502]);
    const { app, receive } = retryingApp(2);
    await receive("issue_comment", event());
    expect(gh.patches()).toBe(2);
    expect(gh.reactions).toEqual([5001]);
    expect(app.results).toHaveLength(1);
    expect(app.results[0]).toMatchObject({ action: "command", incident: 1 });
  });

  it("gives up after its retries, logs the failure with the delivery id and no token, and keeps the handler alive", async () => {
    const gh = mocks([500, 500, 500, 500]);
    const { app, lines, receive } = retryingApp(2);
    await expect(receive("issue_comment", event())).resolves.toBeUndefined();
    expect(gh.patches()).toBe(3);
    // The card goes out before the acknowledgement: a card GitHub refused leaves the command
    // unapplied and unacknowledged, for the next event to apply and acknowledge.
    expect(gh.reactions).toEqual([]);
    expect(app.results).toHaveLength(1);
    expect(app.results[0]!.action).toBe("ignored");
    expect(app.results[0]!.notes[0]).toMatch(/^failed: /);
    expect(app.results[0]!.notes.join(" ")).not.toContain(TOKEN);
    const failure = lines.map((l) => JSON.parse(l) as { msg?: string; id?: string; level: number }).find((l) => l.msg?.startsWith("Firebreak failed"));
    expect(failure).toMatchObject({ id: "delivery-1", level: 50 });
    expect(failure?.msg).toContain("[token]");
    expect(lines.join("\n")).not.toContain(TOKEN);

    // The app keeps handling events afterwards.
    nock.cleanAll();
    const next = mocks([]);
    await receive("issue_comment", event());
    expect(next.patches()).toBe(1);
    expect(app.results.at(-1)).toMatchObject({ action: "command" });
  });

  it("does not retry when retries are off (as in the other tests), and records the failure the same way", async () => {
    const gh = mocks([500, 500]);
    const { app, receive } = retryingApp(false);
    await receive("issue_comment", event());
    expect(gh.patches()).toBe(1);
    expect(app.results[0]!.notes[0]).toMatch(/^failed: /);
  });
});
