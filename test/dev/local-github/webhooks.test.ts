import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { world, type World } from "./helpers.js";

const SECRET = "s3cret";
const R = { owner: "acme", repo: "shop" };

interface Received { headers: IncomingHttpHeaders; raw: string; event: string; payload: Record<string, unknown> & { action?: string } }

/** A tiny receiver that records every delivery; `respond` decides the status and delay. */
async function receiver(respond: (r: Received) => { status: number; delayMs?: number } = () => ({ status: 200 })) {
  const got: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const r: Received = { headers: req.headers, raw, event: String(req.headers["x-github-event"]), payload: JSON.parse(raw) as Received["payload"] };
      got.push(r);
      const { status, delayMs = 0 } = respond(r);
      setTimeout(() => res.writeHead(status).end("ok"), delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { got, url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const verified = (r: Received): boolean => {
  const expected = Buffer.from(`sha256=${createHmac("sha256", SECRET).update(r.raw).digest("hex")}`);
  const given = Buffer.from(String(r.headers["x-hub-signature-256"]));
  return given.length === expected.length && timingSafeEqual(given, expected);
};
const kinds = (got: Received[]): string[] => got.map((r) => `${r.event}.${r.payload.action}`);

let w: World;
let hook: Awaited<ReturnType<typeof receiver>>;
beforeEach(async () => {
  hook = await receiver();
  w = await world({ webhook: { url: hook.url, secret: SECRET } });
});
afterEach(async () => {
  await w.gh.stop();
  await hook.close();
});

describe("webhook deliveries", () => {
  it("sends issues.opened then one issues.labeled per label, signed, with GitHub's payload shape", async () => {
    w.gh.createLabel("acme/shop", "incident", "d73a4a", "A marketing incident");
    w.gh.createLabel("acme/shop", "sev:2");
    const issue = w.gh.openIssue("acme/shop", "rhea", { title: "Meta CPA doubled", body: "### Symptom\n\nCPA x2", labels: ["incident", "sev:2", "not-a-label"] });
    await w.gh.idle();

    expect(kinds(hook.got)).toEqual(["issues.opened", "issues.labeled", "issues.labeled"]);
    expect(hook.got.every(verified)).toBe(true);
    const [opened, l1, l2] = hook.got;
    expect(opened!.headers).toMatchObject({ "content-type": "application/json", "user-agent": "GitHub-Hookshot/local", "x-github-event": "issues" });
    expect(String(opened!.headers["x-github-delivery"])).toMatch(/^[0-9a-f-]{36}$/);
    expect(opened!.payload).toMatchObject({
      action: "opened",
      issue: {
        number: issue.number, title: "Meta CPA doubled", body: "### Symptom\n\nCPA x2", state: "open", comments: 0,
        user: { login: "rhea", type: "User" }, author_association: "COLLABORATOR",
        labels: [{ name: "incident", color: "d73a4a", description: "A marketing incident" }, { name: "sev:2" }],
        html_url: `${w.url}/acme/shop/issues/1`,
      },
      repository: { full_name: "acme/shop", name: "shop", owner: { login: "acme" }, id: expect.any(Number), default_branch: "main" },
      sender: { login: "rhea" },
      installation: { id: 1, node_id: expect.any(String) },
    });
    expect(l1!.payload).toMatchObject({ action: "labeled", label: { name: "incident" } });
    expect(l2!.payload).toMatchObject({ action: "labeled", label: { name: "sev:2" } });
    expect(w.gh.deliveries.map((d) => [d.event, d.action, d.status])).toEqual([["issues", "opened", 200], ["issues", "labeled", 200], ["issues", "labeled", 200]]);
    expect(w.gh.deliveries[0]?.id).toBe(opened!.headers["x-github-delivery"]);
  });

  it("reports edits, label and assignee changes, closing and reopening", async () => {
    w.gh.openIssue("acme/shop", "rhea", { title: "t", body: "b" });
    await w.app.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", {
      ...R, issue_number: 1, title: "t2", body: "b2", labels: ["status:triage"], assignees: ["wren"],
    });
    w.gh.removeLabel("acme/shop", 1, "tess", "status:triage");
    w.gh.setAssignees("acme/shop", 1, "tess", []);
    w.gh.closeIssue("acme/shop", 1, "tess", "not_planned");
    w.gh.reopenIssue("acme/shop", 1, "tess");
    await w.gh.idle();
    expect(kinds(hook.got)).toEqual([
      "issues.opened", "issues.edited", "issues.labeled", "issues.assigned",
      "issues.unlabeled", "issues.unassigned", "issues.closed", "issues.reopened",
    ]);
    const p = (i: number): Received["payload"] => hook.got[i]!.payload;
    expect(p(1)).toMatchObject({ changes: { title: { from: "t" }, body: { from: "b" } }, issue: { title: "t2" }, sender: { login: "firebreak[bot]", type: "Bot" } });
    expect(p(3)).toMatchObject({ assignee: { login: "wren" } });
    expect(p(4)).toMatchObject({ label: { name: "status:triage" }, sender: { login: "tess" } });
    expect(p(6)).toMatchObject({ issue: { state: "closed", state_reason: "not_planned" } });
    expect(p(7)).toMatchObject({ issue: { state: "open", state_reason: "reopened" } });
  });

  it("sends issue_comment created, edited (with changes) and deleted, and release published", async () => {
    w.gh.openIssue("acme/shop", "rhea", { title: "t", body: "b" });
    const c = w.gh.comment("acme/shop", 1, "tess", "/severity 1");
    w.gh.editComment("acme/shop", c.id, "tess", "/severity 2");
    await w.as("tess").request("DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}", { ...R, comment_id: c.id });
    w.gh.publishRelease("acme/shop", { tag: "v2.0.0", name: "Theme 2" });
    await w.gh.idle();
    expect(kinds(hook.got)).toEqual(["issues.opened", "issue_comment.created", "issue_comment.edited", "issue_comment.deleted", "release.published"]);
    expect(hook.got[1]!.payload).toMatchObject({
      comment: { id: c.id, body: "/severity 1", user: { login: "tess" }, author_association: "COLLABORATOR" },
      issue: { number: 1, comments: 1 }, sender: { login: "tess" },
    });
    expect(hook.got[2]!.payload).toMatchObject({ changes: { body: { from: "/severity 1" } }, comment: { body: "/severity 2" } });
    expect(hook.got[3]!.payload).toMatchObject({ issue: { comments: 0 } });
    expect(hook.got[4]!.payload).toMatchObject({ release: { tag_name: "v2.0.0", name: "Theme 2", draft: false }, sender: { login: "acme" } });
  });

  it("does not block the REST response and keeps per-repository order", async () => {
    await hook.close();
    hook = await receiver((r) => ({ status: 200, delayMs: r.payload.action === "opened" ? 600 : 0 }));
    w.gh.setWebhook({ url: hook.url, secret: SECRET });
    const t0 = Date.now();
    await w.app.request("POST /repos/{owner}/{repo}/issues", { ...R, title: "a", labels: ["incident"] });
    await w.app.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...R, issue_number: 1, body: "hi" });
    expect(Date.now() - t0).toBeLessThan(500); // did not wait for the slow receiver
    await w.gh.idle();
    expect(kinds(hook.got)).toEqual(["issues.opened", "issues.labeled", "issue_comment.created"]);
  });

  it("records failed deliveries and does not retry them", async () => {
    await hook.close();
    hook = await receiver(() => ({ status: 500 }));
    w.gh.setWebhook({ url: hook.url, secret: SECRET });
    w.gh.openIssue("acme/shop", "rhea", { title: "t", body: "b" });
    await w.gh.idle();
    w.gh.setWebhook({ url: "http://127.0.0.1:1/nowhere", secret: SECRET });
    w.gh.comment("acme/shop", 1, "rhea", "x");
    await w.gh.idle();
    expect(hook.got).toHaveLength(1);
    expect(w.gh.deliveries).toMatchObject([{ event: "issues", status: 500 }, { event: "issue_comment", status: 0, error: expect.any(String) }]);
  });

  it("sends nothing when people act in ways GitHub ignores", async () => {
    w.gh.openIssue("acme/shop", "rhea", { title: "t", body: "b" });
    // an outsider's label change is silently dropped: no event
    await w.as("outsider").request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...R, issue_number: 1, labels: ["x"] });
    await w.app.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...R, issue_number: 1, body: "b" }); // no change
    await w.gh.idle();
    expect(kinds(hook.got)).toEqual(["issues.opened"]);
  });
});
