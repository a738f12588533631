// Declaring an incident through the real Probot app, with nock asserting every GitHub request.
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseBody } from "../../src/core/card.js";
import { API, FULL_FORM, ISSUE_PATH, issuesEvent, REPO } from "../support/payloads.js";
import { testApp } from "../support/probot.js";

const repoPath = `/repos/${REPO.owner}/${REPO.repo}`;

function coldReads(scope: nock.Scope): nock.Scope {
  return scope
    .get(`${repoPath}/contents/.github%2Ffirebreak.yml`)
    .reply(404, { message: "Not Found" })
    .get(`${repoPath}/contents/.github%2FISSUE_TEMPLATE%2Fmarketing-incident.yml`)
    .reply(404, { message: "Not Found" });
}

/** The two lists a declaration reads: releases before the start, closed incidents for repeats (both empty). */
function declarationReads(scope: nock.Scope): nock.Scope {
  return scope.get(`${repoPath}/releases`).query(true).reply(200, []).get(`${repoPath}/issues`).query(true).reply(200, []);
}

beforeEach(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe("declaring an incident from the issue form", () => {
  it("labels it, suggests nothing over the reporter's layer and writes the card in one PATCH", async () => {
    const { receive } = testApp();
    let patched: Record<string, unknown> = {};
    const scope = coldReads(nock(API))
      .get(`${repoPath}/releases`)
      .query(true)
      .reply(200, [
        { tag_name: "v2.3.0", name: "Theme 2.3 — new cookie banner", html_url: "https://github.com/o/r/releases/v2.3.0", published_at: "2026-11-24T07:30:00Z", draft: false },
        { tag_name: "v2.2.0", name: "Old", html_url: "https://github.com/o/r/releases/v2.2.0", published_at: "2026-11-20T07:30:00Z", draft: false },
      ])
      .get(`${repoPath}/issues`)
      .query((q) => q.state === "closed")
      .reply(200, [])
      .patch(ISSUE_PATH, (body: Record<string, unknown>) => {
        patched = body;
        return true;
      })
      // GitHub created the labels on first use: grey and without a description.
      .reply(200, (_uri, body) => ({
        ...(issuesEvent("opened").issue as object),
        ...(body as object),
        labels: ((body as { labels: string[] }).labels ?? []).map((name) => ({ name, color: "ededed", description: null })),
        assignees: [],
      }))
      .patch(`${repoPath}/labels/incident`, { color: "b60205", description: "Marketing incident managed by Firebreak" })
      .reply(200, {})
      .patch(`${repoPath}/labels/sev%3A2`, (b: { color: string }) => b.color === "d93f0b")
      .reply(200, {})
      .patch(`${repoPath}/labels/layer%3Ameasurement`)
      .reply(200, {})
      .patch(`${repoPath}/labels/status%3Atriage`)
      .reply(200, {});

    await receive("issues", issuesEvent("opened"));
    scope.done();

    expect(patched.labels).toEqual(["incident", "sev:2", "layer:measurement", "status:triage"]);
    expect(patched).not.toHaveProperty("assignees");
    const body = String(patched.body);
    expect(body.endsWith(FULL_FORM)).toBe(true);
    const { state } = parseBody(body);
    expect(state?.status).toBe("triage");
    expect(state?.roles.detector).toBe("Codertocat");
    expect(state?.layer).toMatchObject({ likely: "measurement", source: "form" });
    expect(state?.releases.map((r) => r.tag)).toEqual(["v2.3.0"]);
    expect(state?.declaration.cost).toMatchObject({ amount: 2000, per: "hour" });
    expect(body).toContain("### Incident status: 🟠 Triage");
  });

  it("holds an issue with no threshold box ticked as routine variance, with one comment saying why", async () => {
    const { receive } = testApp();
    const body = FULL_FORM.replace(/- \[X\]/g, "- [ ]");
    let patched: Record<string, unknown> = {};
    let comment = "";
    const scope = declarationReads(coldReads(nock(API)))
      .patch(ISSUE_PATH, (b: Record<string, unknown>) => ((patched = b), true))
      .reply(200, (_uri, b) => ({ ...(issuesEvent("opened").issue as object), ...(b as object), labels: [], assignees: [] }))
      .post(`${ISSUE_PATH}/comments`, (b: { body: string }) => ((comment = b.body), true))
      .reply(201, { id: 9 });

    await receive("issues", issuesEvent("opened", { body }));
    scope.done();
    expect(patched.labels).toEqual(["routine-variance"]);
    expect(comment).toContain("No incident threshold was ticked");
    expect(comment).toContain("/escalate");
    expect(comment).toContain("<!-- firebreak:reply routine-variance -->");
  });

  it("declares a hand-labelled issue that is not a form and lists the missing triage items", async () => {
    const { receive } = testApp();
    let patched: Record<string, unknown> = {};
    const scope = declarationReads(coldReads(nock(API)))
      .patch(ISSUE_PATH, (b: Record<string, unknown>) => ((patched = b), true))
      .reply(200, (_uri, b) => ({ ...(issuesEvent("opened").issue as object), ...(b as object), labels: [], assignees: [] }));

    await receive("issues", issuesEvent("labeled", { body: "Checkout is broken on iOS since the deploy!" }, { label: { name: "incident" } }));
    scope.done();
    const { state, userText } = parseBody(String(patched.body));
    expect(userText).toBe("Checkout is broken on iOS since the deploy!");
    expect(state?.status).toBe("triage");
    expect(state?.declaration.isForm).toBe(false);
    expect(state?.declaration.missing.length).toBeGreaterThan(0);
    expect(String(patched.body)).toContain("The declaration lacks:");
  });

  it("makes no second card and no writes when issues.opened is redelivered or labeled arrives after it", async () => {
    const { receive } = testApp();
    const scope = declarationReads(coldReads(nock(API)))
      .patch(ISSUE_PATH)
      .once()
      .reply(200, (_uri, b) => ({ ...(issuesEvent("opened").issue as object), ...(b as object), labels: [], assignees: [], updated_at: "2026-11-24T10:20:01Z" }));

    const opened = issuesEvent("opened");
    await receive("issues", opened);
    await receive("issues", issuesEvent("labeled", {}, { label: { name: "incident" } }));
    await receive("issues", opened);
    scope.done();
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("ignores its own issues.edited event without a single API call", async () => {
    const { receive, app } = testApp();
    await receive("issues", issuesEvent("edited", {}, { sender: { login: "firebreak[bot]", type: "Bot" } }));
    await receive("issues", issuesEvent("labeled", {}, { label: { name: "sev:1" }, sender: { login: "firebreak[bot]", type: "Bot" } }));
    expect(app.results.map((r) => r.action)).toEqual(["ignored"]);
  });
});
