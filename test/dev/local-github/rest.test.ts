import { Octokit } from "@octokit/core";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { statusOf, world, type World } from "./helpers.js";

/** Issue labels are typed `string | Label` by the OpenAPI types; the API always returns objects. */
const names = (labels: (string | { name?: string; color?: string | null })[]): (string | undefined)[] =>
  labels.map((l) => (typeof l === "string" ? l : l.name));

let w: World;
beforeEach(async () => { w = await world(); });
afterEach(async () => { await w.gh.stop(); });

const R = { owner: "acme", repo: "shop" };

describe("repository and app", () => {
  it("serves the repository at / and under /api/v3", async () => {
    const root = await w.app.request("GET /repos/{owner}/{repo}", R);
    expect(root.data).toMatchObject({ full_name: "acme/shop", default_branch: "main", private: false, owner: { login: "acme" } });
    const ghe = new Octokit({ baseUrl: `${w.url}/api/v3`, auth: w.gh.appToken });
    const viaGhe = await ghe.request("GET /repos/{owner}/{repo}", R);
    expect(viaGhe.data.id).toBe(root.data.id);
    expect(w.gh.requests.map((r) => r.path)).toEqual(["/repos/acme/shop", "/repos/acme/shop"]);
    expect(root.headers["x-ratelimit-limit"]).toBe("5000");
    expect(root.headers["x-github-request-id"]).toBeTruthy();
  });

  it("404s unknown routes and hides private repositories from outsiders", async () => {
    const e = await w.app.request("GET /nope").catch((x: { status: number; response: { data: unknown } }) => x);
    expect(e).toMatchObject({ status: 404, response: { data: { message: "Not Found", documentation_url: expect.any(String) } } });
    w.gh.addRepo("acme/secret", { private: true });
    expect(await statusOf(w.as("stranger").request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "secret" }))).toBe(404);
    expect(await statusOf(w.app.request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "secret" }))).toBe(200);
  });

  it("authenticates: bad token 401, anonymous write 401, anonymous read of public repo ok", async () => {
    const bad = new Octokit({ baseUrl: w.url, auth: "nope" });
    expect(await statusOf(bad.request("GET /repos/{owner}/{repo}", R))).toBe(401);
    const anon = new Octokit({ baseUrl: w.url });
    expect(await statusOf(anon.request("GET /repos/{owner}/{repo}/issues", R))).toBe(200);
    expect(await statusOf(anon.request("POST /repos/{owner}/{repo}/issues", { ...R, title: "x" }))).toBe(401);
    const me = await w.as("tess").request("GET /user");
    expect(me.data).toMatchObject({ login: "tess", type: "User" });
  });

  it("issues installation tokens to any app JWT", async () => {
    const jwt = new Octokit({ baseUrl: w.url, auth: "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOjF9.c2ln" });
    expect((await jwt.request("GET /repos/{owner}/{repo}/installation", R)).data).toMatchObject({ id: 1, app_slug: "firebreak" });
    expect((await jwt.request("GET /app")).data).toMatchObject({ slug: "firebreak" });
    expect((await jwt.request("GET /app/installations")).data).toHaveLength(1);
    const tok = await jwt.request("POST /app/installations/{installation_id}/access_tokens", { installation_id: 1 });
    expect(tok.status).toBe(201);
    expect(tok.data.token).toBe(w.gh.appToken);
    expect(await statusOf(w.app.request("GET /app"))).toBe(401);
    expect(w.gh.requests[0]?.token.kind).toBe("app");
  });

  it("reports the rate limit and counts requests", async () => {
    await w.app.request("GET /repos/{owner}/{repo}", R);
    const { data } = await w.app.request("GET /rate_limit");
    expect(data.resources.core).toMatchObject({ limit: 5000, used: 1, remaining: 4999 });
  });
});

describe("issues", () => {
  it("creates with labels (creating missing ones) and drops non-assignable assignees", async () => {
    const { data, status } = await w.app.request("POST /repos/{owner}/{repo}/issues", {
      ...R, title: "Checkout down", body: "It broke", labels: ["incident", "sev:1"], assignees: ["wren", "stranger"],
    });
    expect(status).toBe(201);
    expect(data).toMatchObject({
      number: 1, state: "open", state_reason: null, title: "Checkout down", body: "It broke", comments: 0,
      user: { login: "firebreak[bot]", type: "Bot" }, author_association: "NONE",
      html_url: `${w.url}/acme/shop/issues/1`, assignee: { login: "wren" },
    });
    expect(data.labels.map((l) => (typeof l === "string" ? [l] : [l.name, l.color]))).toEqual([["incident", "ededed"], ["sev:1", "ededed"]]);
    expect(data.assignees?.map((a) => a.login)).toEqual(["wren"]);
    expect(w.gh.labels("acme/shop").map((l) => l.name)).toEqual(["incident", "sev:1"]);
    expect(w.gh.issue("acme/shop", 1)).toMatchObject({ labels: ["incident", "sev:1"], assignees: ["wren"], author: "firebreak[bot]" });
  });

  it("silently drops labels and assignees from people without push access", async () => {
    const { data } = await w.as("outsider").request("POST /repos/{owner}/{repo}/issues", { ...R, title: "hi", labels: ["incident"], assignees: ["wren"] });
    expect(data.labels).toEqual([]);
    expect(data.assignees).toEqual([]);
    expect(data.author_association).toBe("NONE");
    const owner = await w.as("acme").request("POST /repos/{owner}/{repo}/issues", { ...R, title: "mine" });
    expect(owner.data.author_association).toBe("OWNER");
    const collab = await w.as("rhea").request("POST /repos/{owner}/{repo}/issues", { ...R, title: "theirs" });
    expect(collab.data.author_association).toBe("COLLABORATOR");
  });

  it("patches title, body, state, labels (full replace) and assignees", async () => {
    w.gh.openIssue("acme/shop", "outsider", { title: "t", body: "b" });
    const { data } = await w.as("tess").request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", {
      ...R, issue_number: 1, labels: ["a", "b"], assignees: ["tess", "nobody"],
    });
    expect(names(data.labels)).toEqual(["a", "b"]);
    expect(data.assignees?.map((a) => a.login)).toEqual(["tess"]);
    const closed = await w.app.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", {
      ...R, issue_number: 1, state: "closed", state_reason: "not_planned", labels: ["b"], body: "new",
    });
    expect(closed.data).toMatchObject({ state: "closed", state_reason: "not_planned", body: "new", closed_by: { login: "firebreak[bot]" } });
    expect(closed.data.closed_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(names(closed.data.labels)).toEqual(["b"]);
    const reopened = await w.app.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...R, issue_number: 1, state: "open" });
    expect(reopened.data).toMatchObject({ state: "open", state_reason: "reopened", closed_at: null });
    // a stranger may not edit someone else's issue
    expect(await statusOf(w.as("stranger").request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...R, issue_number: 1, title: "x" }))).toBe(403);
    // but the author may close their own
    const own = await w.as("outsider").request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...R, issue_number: 1, state: "closed" });
    expect(own.data.state_reason).toBe("completed");
  });

  it("refuses bodies over 65536 characters with GitHub's validation shape", async () => {
    const e = await w.app.request("POST /repos/{owner}/{repo}/issues", { ...R, title: "big", body: "x".repeat(65_537) })
      .catch((x: { status: number; response: { data: unknown } }) => x);
    expect(e).toMatchObject({
      status: 422,
      response: { data: { message: "Validation Failed", errors: [{ resource: "Issue", field: "body", code: "custom" }] } },
    });
    expect(await statusOf(w.app.request("POST /repos/{owner}/{repo}/issues", { ...R, title: "ok", body: "é".repeat(65_536) }))).toBe(201);
    expect(await statusOf(w.app.request("POST /repos/{owner}/{repo}/issues", { ...R } as typeof R & { title: string }))).toBe(422);
    expect(await statusOf(w.app.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...R, issue_number: 1, body: "y".repeat(65_537) }))).toBe(422);
  });

  it("lists with filters and paginates with Link headers", async () => {
    for (let i = 1; i <= 75; i++) w.gh.openIssue("acme/shop", "outsider", { title: `#${i}`, body: "" });
    w.gh.createLabel("acme/shop", "incident");
    w.gh.createLabel("acme/shop", "sev:1");
    w.gh.addLabels("acme/shop", 3, "tess", ["incident", "sev:1"]);
    w.gh.addLabels("acme/shop", 4, "tess", ["incident"]);
    w.gh.closeIssue("acme/shop", 5, "tess", "completed");

    const first = await w.app.request("GET /repos/{owner}/{repo}/issues", { ...R, per_page: 30 });
    expect(first.data).toHaveLength(30);
    expect(first.data[0]?.number).toBe(75); // newest first by default
    expect(first.headers.link).toContain('rel="next"');
    expect(first.headers.link).toContain('rel="last"');
    expect(first.headers.link).toContain("page=3");

    const all = await w.app.paginate("GET /repos/{owner}/{repo}/issues", { ...R, per_page: 20, state: "all" });
    expect(all).toHaveLength(75);
    expect(new Set(all.map((i) => i.number)).size).toBe(75);
    const open = await w.app.paginate("GET /repos/{owner}/{repo}/issues", { ...R, per_page: 100 });
    expect(open).toHaveLength(74);
    const labelled = await w.app.request("GET /repos/{owner}/{repo}/issues", { ...R, labels: "incident,SEV:1" });
    expect(labelled.data.map((i) => i.number)).toEqual([3]);
    const asc = await w.app.request("GET /repos/{owner}/{repo}/issues", { ...R, state: "closed", sort: "updated", direction: "asc" });
    expect(asc.data.map((i) => i.number)).toEqual([5]);
    const since = await w.app.request("GET /repos/{owner}/{repo}/issues", { ...R, since: w.gh.issue("acme/shop", 4)!.updatedAt, state: "all" });
    expect(since.data.map((i) => i.number).sort((a, b) => a - b)).toEqual([4, 5]);
    // through the GHE prefix the Link keeps /api/v3
    const ghe = await new Octokit({ baseUrl: `${w.url}/api/v3`, auth: w.gh.appToken }).request("GET /repos/{owner}/{repo}/issues", R);
    expect(ghe.headers.link).toContain(`${w.url}/api/v3/repos/acme/shop/issues?`);
  });
});

describe("comments and reactions", () => {
  it("creates, lists (since, pages), edits and deletes comments", async () => {
    w.gh.openIssue("acme/shop", "outsider", { title: "t", body: "b" });
    const c1 = await w.as("tess").request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...R, issue_number: 1, body: "/owner @tess" });
    expect(c1.status).toBe(201);
    expect(c1.data).toMatchObject({
      body: "/owner @tess", user: { login: "tess" }, author_association: "COLLABORATOR",
      issue_url: `${w.url}/repos/acme/shop/issues/1`, html_url: `${w.url}/acme/shop/issues/1#issuecomment-${c1.data.id}`,
    });
    for (let i = 0; i < 4; i++) w.gh.comment("acme/shop", 1, "outsider", `c${i}`);
    expect((await w.app.request("GET /repos/{owner}/{repo}/issues/{issue_number}", { ...R, issue_number: 1 })).data.comments).toBe(5);
    const paged = await w.app.paginate("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...R, issue_number: 1, per_page: 2 });
    expect(paged.map((c) => c.body)).toEqual(["/owner @tess", "c0", "c1", "c2", "c3"]);
    const last = w.gh.comments("acme/shop", 1)[4]!;
    const since = await w.app.request("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...R, issue_number: 1, since: last.updatedAt });
    expect(since.data.map((c) => c.body)).toEqual(["c3"]);

    const edited = await w.as("tess").request("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", { ...R, comment_id: c1.data.id, body: "edited" });
    expect(edited.data.body).toBe("edited");
    expect(edited.data.updated_at > edited.data.created_at).toBe(true);
    expect(await statusOf(w.as("outsider").request("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", { ...R, comment_id: c1.data.id, body: "mine now" }))).toBe(403);
    expect((await w.app.request("GET /repos/{owner}/{repo}/issues/comments/{comment_id}", { ...R, comment_id: c1.data.id })).data.body).toBe("edited");
    expect(await statusOf(w.as("tess").request("DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}", { ...R, comment_id: c1.data.id }))).toBe(204);
    expect(await statusOf(w.app.request("GET /repos/{owner}/{repo}/issues/comments/{comment_id}", { ...R, comment_id: c1.data.id }))).toBe(404);
    expect(w.gh.issue("acme/shop", 1)?.comments).toBe(4);
    expect(await statusOf(w.app.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...R, issue_number: 99, body: "x" }))).toBe(404);
  });

  it("answers 201 for a new reaction and 200 for a repeat", async () => {
    w.gh.openIssue("acme/shop", "outsider", { title: "t", body: "b" });
    const c = w.gh.comment("acme/shop", 1, "tess", "/contain paused ads");
    const first = await w.app.request("POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", { ...R, comment_id: c.id, content: "+1" });
    const again = await w.app.request("POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", { ...R, comment_id: c.id, content: "+1" });
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.data.id).toBe(first.data.id);
    expect(first.data).toMatchObject({ content: "+1", user: { login: "firebreak[bot]" } });
    const list = await w.app.request("GET /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", { ...R, comment_id: c.id });
    expect(list.data).toHaveLength(1);
    const comment = await w.app.request("GET /repos/{owner}/{repo}/issues/comments/{comment_id}", { ...R, comment_id: c.id });
    expect(comment.data.reactions).toMatchObject({ total_count: 1, "+1": 1 });
    expect(await statusOf(w.app.request("POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", { ...R, comment_id: c.id, content: "thumbsup" as "+1" }))).toBe(422);
  });
});

describe("labels", () => {
  it("creates, conflicts case-insensitively, updates, adds to and removes from issues", async () => {
    const made = await w.app.request("POST /repos/{owner}/{repo}/labels", { ...R, name: "sev:1", color: "B60205", description: "Critical" });
    expect(made.status).toBe(201);
    expect(made.data).toMatchObject({ name: "sev:1", color: "b60205", description: "Critical" });
    const dup = await w.app.request("POST /repos/{owner}/{repo}/labels", { ...R, name: "SEV:1", color: "000000" })
      .catch((x: { status: number; response: { data: unknown } }) => x);
    expect(dup).toMatchObject({ status: 422, response: { data: { message: "Validation Failed", errors: [{ resource: "Label", code: "already_exists", field: "name" }] } } });
    expect(await statusOf(w.app.request("POST /repos/{owner}/{repo}/labels", { ...R, name: "bad", color: "red" }))).toBe(422);
    expect(await statusOf(w.as("tess").request("POST /repos/{owner}/{repo}/labels", { ...R, name: "t" }))).toBe(403);

    w.gh.openIssue("acme/shop", "outsider", { title: "t", body: "b" });
    const added = await w.app.request("POST /repos/{owner}/{repo}/issues/{issue_number}/labels", { ...R, issue_number: 1, labels: ["sev:1", "status:triage"] });
    expect(added.data.map((l) => l.name)).toEqual(["sev:1", "status:triage"]);
    const renamed = await w.app.request("PATCH /repos/{owner}/{repo}/labels/{name}", { ...R, name: "sev:1", new_name: "sev:critical", color: "ff0000" });
    expect(renamed.data).toMatchObject({ name: "sev:critical", color: "ff0000" });
    expect(w.gh.issue("acme/shop", 1)?.labels).toEqual(["sev:critical", "status:triage"]);
    const left = await w.app.request("DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}", { ...R, issue_number: 1, name: "status:triage" });
    expect(left.data.map((l) => l.name)).toEqual(["sev:critical"]);
    expect(await statusOf(w.app.request("DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}", { ...R, issue_number: 1, name: "status:triage" }))).toBe(404);
    for (let i = 0; i < 40; i++) w.gh.createLabel("acme/shop", `l${i}`);
    expect(await w.app.paginate("GET /repos/{owner}/{repo}/labels", { ...R, per_page: 15 })).toHaveLength(42);
  });
});

describe("assignees and permissions", () => {
  it("adds and removes assignees, ignoring the non-assignable", async () => {
    w.gh.openIssue("acme/shop", "outsider", { title: "t", body: "b" });
    const add = await w.app.request("POST /repos/{owner}/{repo}/issues/{issue_number}/assignees", { ...R, issue_number: 1, assignees: ["wren", "ghost"] });
    expect(add.status).toBe(201);
    expect(add.data.assignees?.map((a) => a.login)).toEqual(["wren"]);
    const del = await w.app.request("DELETE /repos/{owner}/{repo}/issues/{issue_number}/assignees", { ...R, issue_number: 1, assignees: ["wren"] });
    expect(del.data.assignees).toEqual([]);
    expect(await statusOf(w.app.request("GET /repos/{owner}/{repo}/assignees/{assignee}", { ...R, assignee: "wren" }))).toBe(204);
    expect(await statusOf(w.app.request("GET /repos/{owner}/{repo}/assignees/{assignee}", { ...R, assignee: "acme" }))).toBe(204);
    expect(await statusOf(w.app.request("GET /repos/{owner}/{repo}/assignees/{assignee}", { ...R, assignee: "ghost" }))).toBe(404);
  });

  it("reports role_name and the legacy permission", async () => {
    const perm = async (username: string): Promise<[string, string]> => {
      const { data } = await w.app.request("GET /repos/{owner}/{repo}/collaborators/{username}/permission", { ...R, username });
      return [data.permission, data.role_name];
    };
    expect(await perm("acme")).toEqual(["admin", "admin"]);
    expect(await perm("mia")).toEqual(["write", "maintain"]);
    expect(await perm("wren")).toEqual(["write", "write"]);
    expect(await perm("tess")).toEqual(["read", "triage"]);
    expect(await perm("rhea")).toEqual(["read", "read"]);
    expect(await perm("stranger")).toEqual(["read", "read"]); // public repository
    w.gh.addRepo("acme/secret", { private: true });
    const secret = await w.app.request("GET /repos/{owner}/{repo}/collaborators/{username}/permission", { owner: "acme", repo: "secret", username: "stranger" });
    expect(secret.data).toMatchObject({ permission: "none", user: { login: "stranger" } });
  });
});

describe("contents", () => {
  it("serves base64 files with an ETag, 304 on If-None-Match (free), raw on request, 404 when absent", async () => {
    w.gh.putFile("acme/shop", ".github/firebreak.yml", "max_parallel_interventions: 3\n");
    const first = await w.app.request("GET /repos/{owner}/{repo}/contents/{path}", { ...R, path: ".github/firebreak.yml" });
    const data = first.data as { type: string; encoding: string; content: string; sha: string; name: string; path: string };
    expect(data).toMatchObject({ type: "file", encoding: "base64", name: "firebreak.yml", path: ".github/firebreak.yml" });
    expect(Buffer.from(data.content, "base64").toString()).toBe("max_parallel_interventions: 3\n");
    expect(data.sha).toMatch(/^[0-9a-f]{40}$/);
    const etag = first.headers.etag!;
    expect(etag).toMatch(/^"[0-9a-f]+"$/);
    const used = first.headers["x-ratelimit-used"];

    const cached = await statusOf(w.app.request("GET /repos/{owner}/{repo}/contents/{path}", { ...R, path: ".github/firebreak.yml", headers: { "if-none-match": etag } }));
    expect(cached).toBe(304);
    const after = await w.app.request("GET /rate_limit");
    expect(String(after.data.rate.used)).toBe(used); // 304 cost nothing

    w.gh.putFile("acme/shop", ".github/firebreak.yml", "max_parallel_interventions: 4\n");
    const changed = await w.app.request("GET /repos/{owner}/{repo}/contents/{path}", { ...R, path: ".github/firebreak.yml", headers: { "if-none-match": etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);

    const raw = await w.app.request("GET /repos/{owner}/{repo}/contents/{path}", { ...R, path: ".github/firebreak.yml", mediaType: { format: "raw" } });
    expect(raw.data).toBe("max_parallel_interventions: 4\n");
    const raw2 = await w.app.request("GET /repos/{owner}/{repo}/contents/{path}", { ...R, path: ".github/firebreak.yml", headers: { accept: "application/vnd.github.raw" } });
    expect(raw2.data).toBe("max_parallel_interventions: 4\n");
    expect(await statusOf(w.app.request("GET /repos/{owner}/{repo}/contents/{path}", { ...R, path: "missing.yml" }))).toBe(404);
    expect(await statusOf(w.app.request("GET /repos/{owner}/{repo}/contents/{path}", { ...R, path: ".github/firebreak.yml", ref: "other" }))).toBe(404);
    const dir = await w.app.request("GET /repos/{owner}/{repo}/contents/{path}", { ...R, path: ".github" });
    expect((dir.data as { name: string }[]).map((e) => e.name)).toEqual(["firebreak.yml"]);
  });
});

describe("releases and check runs", () => {
  it("creates and lists releases newest first", async () => {
    w.gh.publishRelease("acme/shop", { tag: "v1.0.0", at: new Date("2025-02-28T12:00:00Z") });
    const made = await w.as("wren").request("POST /repos/{owner}/{repo}/releases", { ...R, tag_name: "v1.1.0", name: "Theme 1.1", body: "new checkout" });
    expect(made.status).toBe(201);
    expect(made.data).toMatchObject({ tag_name: "v1.1.0", name: "Theme 1.1", draft: false, author: { login: "wren" }, html_url: `${w.url}/acme/shop/releases/tag/v1.1.0` });
    const list = await w.app.paginate("GET /repos/{owner}/{repo}/releases", { ...R, per_page: 1 });
    expect(list.map((r) => r.tag_name)).toEqual(["v1.1.0", "v1.0.0"]);
    expect(list[1]?.published_at).toBe("2025-02-28T12:00:00Z");
    expect(await statusOf(w.as("tess").request("POST /repos/{owner}/{repo}/releases", { ...R, tag_name: "v2" }))).toBe(403);
  });

  it("lets only the app write check runs", async () => {
    const made = await w.app.request("POST /repos/{owner}/{repo}/check-runs", { ...R, name: "Tracking QA", head_sha: "abc123", status: "in_progress" });
    expect(made.status).toBe(201);
    const done = await w.app.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
      ...R, check_run_id: made.data.id, conclusion: "failure", output: { title: "2 tags missing", summary: "| step | … |" },
    });
    expect(done.data).toMatchObject({ status: "completed", conclusion: "failure", output: { title: "2 tags missing" } });
    expect(w.gh.checkRuns("acme/shop")).toMatchObject([{ name: "Tracking QA", headSha: "abc123", conclusion: "failure" }]);
    expect(await statusOf(w.as("acme").request("POST /repos/{owner}/{repo}/check-runs", { ...R, name: "x", head_sha: "y" }))).toBe(403);
  });
});

describe("fault injection", () => {
  it("fails the next matching request with 502, then succeeds; octokit's retry plugin rides over it", async () => {
    w.gh.failNext({ method: "GET", path: /\/issues$/ }, { status: 502 });
    expect(await statusOf(w.app.request("GET /repos/{owner}/{repo}", R))).toBe(200); // does not match
    expect(await statusOf(w.app.request("GET /repos/{owner}/{repo}/issues", R))).toBe(502);
    expect(await statusOf(w.app.request("GET /repos/{owner}/{repo}/issues", R))).toBe(200);

    const Retrying = Octokit.plugin(retry);
    const o = new Retrying({ baseUrl: w.url, auth: w.gh.appToken, retry: { retryAfterBaseValue: 1 } });
    w.gh.failNext({ path: /\/issues$/ }, { status: 503, times: 2 });
    w.gh.resetRequests();
    const made = await o.request("POST /repos/{owner}/{repo}/issues", { ...R, title: "after faults" });
    expect(made.status).toBe(201);
    expect(w.gh.requests.map((r) => r.status)).toEqual([503, 503, 201]);
    expect(w.gh.issues("acme/shop")).toHaveLength(1); // faults before the write change nothing
  });

  it("can apply the write and still answer 502 (the duplicate-create hazard)", async () => {
    w.gh.failNext({ method: "POST" }, { status: 502, applied: true });
    expect(await statusOf(w.app.request("POST /repos/{owner}/{repo}/issues", { ...R, title: "ghost" }))).toBe(502);
    expect(w.gh.issues("acme/shop").map((i) => i.title)).toEqual(["ghost"]);
  });

  it("answers rate limits the way octokit's throttling understands", async () => {
    w.gh.failNext({}, { status: 429 });
    const e429 = await w.app.request("GET /repos/{owner}/{repo}", R).catch((x: { status: number; response: { headers: Record<string, string> } }) => x);
    expect(e429).toMatchObject({ status: 429, response: { headers: { "retry-after": "1" } } });

    const Throttled = Octokit.plugin(throttling);
    const waits: number[] = [];
    const o = new Throttled({
      baseUrl: w.url, auth: w.gh.appToken,
      throttle: { onRateLimit: (after: number) => { waits.push(after); return true; }, onSecondaryRateLimit: () => false },
    });
    w.gh.failNext({ path: /^\/repos\/acme\/shop$/ }, { status: 403 });
    const { status } = await o.request("GET /repos/{owner}/{repo}", R);
    expect(status).toBe(200);
    expect(waits).toHaveLength(1);
  });

  it("enforces the primary rate limit", async () => {
    await w.gh.stop();
    w = await (await import("./helpers.js")).world({ rateLimit: 2 });
    await w.app.request("GET /repos/{owner}/{repo}", R);
    await w.app.request("GET /repos/{owner}/{repo}", R);
    const e = await w.app.request("GET /repos/{owner}/{repo}", R).catch((x: { status: number; response: { headers: Record<string, string> } }) => x);
    expect(e).toMatchObject({ status: 403, response: { headers: { "x-ratelimit-remaining": "0" } } });
    expect(await statusOf(w.as("tess").request("GET /repos/{owner}/{repo}", R))).toBe(200); // per token
  });
});
