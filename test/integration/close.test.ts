// Closing well, through the real Probot app with nock asserting every GitHub request: the
// resolution gate, dismissal, the postmortem (once, however often the close arrives), its own
// gate, and repeats. Incident bodies are written by the real core, as Firebreak would.
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseBody, renderBody } from "../../src/core/card.js";
import { DEFAULT_CONFIG } from "../../src/core/config.js";
import type { EngineInput, IncidentEvent } from "../../src/core/decide/types.js";
import { withPostmortem } from "../../src/core/decide/follow-ups.js";
import { decide } from "../../src/core/decide/decide.js";
import type { CommentView, IncidentState, IssueView } from "../../src/core/model/incident.js";
import { commentViewSchema, issueViewSchema } from "../../src/core/model/incident.js";
import { shippedTemplates } from "../../src/templates.js";
import { API, commentEvent, commentJson, EDITED_BY_FIREBREAK, ISSUE_PATH, issuesEvent, REPO } from "../support/payloads.js";
import type { IssueShape } from "../support/payloads.js";
import { testApp } from "../support/probot.js";

const repoPath = `/repos/${REPO.owner}/${REPO.repo}`;
const templates = shippedTemplates();
const CLOSED_AT = "2026-11-24T15:00:00Z";

const OWNER_CMD = commentJson(5001, "/owner @octocat", { at: "2026-11-24T10:30:00Z" });
const RESOLVE_CMD = commentJson(
  5002,
  [
    "/resolve",
    "cause: the new cookie banner blocked the Meta pixel until consent",
    "layer: measurement",
    "evidence: Events Manager shows purchases back at 14:05 after the fix",
    "fix: banner now sets the consent default before the pixel loads",
  ].join("\n"),
  { at: "2026-11-24T14:05:00Z" },
);

let unmatched: string[] = [];
const onNoMatch = (req: { method?: string; path?: string }) => unmatched.push(`${req.method ?? "?"} ${req.path ?? "?"}`);

beforeEach(() => {
  nock.disableNetConnect();
  unmatched = [];
  nock.emitter.on("no match", onNoMatch);
});
afterEach(() => {
  nock.emitter.removeListener("no match", onNoMatch);
  nock.cleanAll();
  nock.enableNetConnect();
});

// ---------------------------------------------------------------------------------------
// Incidents as the real core leaves them.

interface Issue {
  view: IssueView;
  state?: IncidentState;
  /** The draft the core planned on the last step, if any. */
  postmortem?: { title: string; body: string; labels: string[]; assignees: string[] };
}

function viewOf(shape: IssueShape): IssueView {
  return issueViewSchema.parse(issuesEvent("opened", shape).issue);
}

/** Runs one event through the core and applies its PATCH to the issue, as GitHub would. */
function step(issue: Issue, event: IncidentEvent, log: Record<string, unknown>[] = [], postmortemNumber = 2): Issue {
  const input: EngineInput = {
    event,
    issue: issue.view,
    config: DEFAULT_CONFIG,
    formTemplate: templates.form,
    shippedForm: templates.form,
    log: log.map((c) => commentViewSchema.parse(c)) satisfies CommentView[],
    mayCommand: () => true,
    isBot: (login) => login.endsWith("[bot]"),
    postmortemTemplate: templates.postmortem,
  };
  if (event.kind === "declare") delete input.log;
  let result = decide(input);
  const draft = result.plan.postmortem;
  if (draft) result = withPostmortem(input, result, postmortemNumber);
  const u = result.plan.update;
  const view: IssueView = {
    ...issue.view,
    ...(u?.body !== undefined ? { body: u.body } : {}),
    ...(u?.labels ? { labels: u.labels } : {}),
    ...(u?.assignees ? { assignees: u.assignees } : {}),
    ...(u?.state ? { state: u.state } : {}),
  };
  return { view, ...(result.state ? { state: result.state } : {}), ...(draft ? { postmortem: draft } : {}) };
}

const declared = (shape: IssueShape = {}): Issue => {
  const view = viewOf(shape);
  return step({ view }, { kind: "declare", at: view.created_at, actor: view.user?.login ?? "ghost" });
};

/** Declared, owned by octocat and resolved through `/owner` and `/resolve` comments. */
function resolved(shape: IssueShape = {}, log = [OWNER_CMD, RESOLVE_CMD]): Issue {
  const at = String(log.at(-1)?.created_at);
  return step(declared(shape), { kind: "commands", at }, log);
}

/** Resolved, then closed: the card links postmortem #`pm`; returns the postmortem's draft too. */
function closedWithPostmortem(shape: IssueShape = {}, pm = 2, closedAt = CLOSED_AT): Issue {
  const issue = resolved(shape);
  return step({ ...issue, view: { ...issue.view, state: "closed" } }, { kind: "closed", at: closedAt, actor: "Codertocat", reason: "completed" }, [OWNER_CMD, RESOLVE_CMD], pm);
}

function payloadShape(issue: Issue, extra: IssueShape = {}): IssueShape {
  return { body: issue.view.body, labels: issue.view.labels, assignees: issue.view.assignees, ...extra };
}

// ---------------------------------------------------------------------------------------
// GitHub, as nock.

interface Recorder {
  /** Every request but cold file reads and label sync: what the budget counts. */
  counted: string[];
  all: string[];
}

/** Records requests; config/template files are cold 404s (outside the budget). */
function github(): { scope: nock.Scope; rec: Recorder } {
  const rec: Recorder = { counted: [], all: [] };
  const record = (req: { method: string; path: string }) => {
    const call = `${req.method} ${decodeURIComponent(req.path.split("?")[0] ?? "")}`;
    rec.all.push(call);
    // The GraphQL "who last edited this body" read (SPEC §13) is paid once per incident by a
    // process that did not write the card itself (these tests start cold); the App's memory
    // answers it afterwards, so the warm budgets below leave it out. The trust tests count it.
    if (req.path === "/graphql") return;
    if (!req.path.includes("/contents/") && !/\/labels(\?|$)/.test(req.path)) rec.counted.push(call);
  };
  // `persist()` applies to a whole scope: the scenario's own interceptors get a scope of their own.
  const always = nock(API).persist();
  always.get(/\/contents\//).reply(404, { message: "Not Found" });
  // The cards in these payloads were written by Firebreak (SPEC §13: one GraphQL query says so in a cold process).
  always.post("/graphql").reply(200, EDITED_BY_FIREBREAK);

  always.on("request", record);
  const scope = nock(API);
  scope.on("request", record);
  return { scope, rec };
}

/** GitHub's answer to a PATCH: the issue with the change applied. */
function patched(base: Record<string, unknown>, body: Record<string, unknown>, updatedAt: string): Record<string, unknown> {
  const labels = Array.isArray(body.labels) ? { labels: (body.labels as string[]).map((name) => ({ name, description: "styled" })) } : {};
  const assignees = Array.isArray(body.assignees) ? { assignees: (body.assignees as string[]).map((login) => ({ login })) } : {};
  return { ...base, ...body, ...labels, ...assignees, updated_at: updatedAt };
}

const issueJson = (shape: IssueShape) => issuesEvent("opened", shape).issue as Record<string, unknown>;
const listQuery = { labels: "postmortem", state: "all", sort: "created", direction: "desc", per_page: "100" };
const commentsQuery = { per_page: "100", page: "1" };

// ---------------------------------------------------------------------------------------
// Editing a postmortem as its owner would.

function answer(body: string, question: string, text: string): string {
  const at = body.indexOf(`### ${question}`);
  expect(at).toBeGreaterThanOrEqual(0);
  const placeholder = body.indexOf("_Answer here._", at);
  return body.slice(0, placeholder) + text + body.slice(placeholder + "_Answer here._".length);
}

function tick(body: string, start: string, suffix = ""): string {
  const line = new RegExp(`^- \\[ \\] (${start}[^\\n]*)$`, "m");
  expect(body).toMatch(line);
  return body.replace(line, (_m, text: string) => `- [x] ${text}${suffix}`);
}

function complete(body: string): string {
  let b = answer(body, "What happened?", "The theme update's cookie banner blocked the Meta pixel until consent.");
  b = answer(b, "What did it cost?", "About $10,000 of Advantage+ spend optimised on missing purchases.");
  b = answer(b, "Why was it not detected sooner?", "No alert compares platform purchases with store orders.");
  b = answer(b, "What system change makes recurrence less likely or less costly?", "A release guardrail: tracking QA on every theme release.");
  b = tick(b, "Cause confirmed");
  b = tick(b, "Operational confidence");
  b = tick(b, "Process fix", " https://github.com/Codertocat/Hello-World/pull/42");
  return tick(b, "Response reviewed");
}

// ---------------------------------------------------------------------------------------

describe("the resolution gate", () => {
  it("reopens an incident closed as completed without /resolve and says once what to record", async () => {
    const { receive } = testApp();
    const incident = step(declared(), { kind: "commands", at: "2026-11-24T10:30:00Z" }, [OWNER_CMD]);
    const payload = issuesEvent("closed", payloadShape(incident, { updatedAt: CLOSED_AT }));
    const sent: { patch?: Record<string, unknown>; replies: string[] } = { replies: [] };
    const { scope, rec } = github();
    scope
      .get(`${ISSUE_PATH}/comments`)
      .query(commentsQuery)
      .reply(200, [OWNER_CMD])
      .patch(ISSUE_PATH, (b: Record<string, unknown>) => ((sent.patch = b), true))
      .reply(200, (_u, b) => patched(payload.issue!, b as Record<string, unknown>, "2026-11-24T15:00:01Z"))
      .post(`${ISSUE_PATH}/comments`, (b: { body: string }) => (sent.replies.push(b.body), true))
      .reply(201, { id: 9100 });

    await receive("issues", payload);

    expect(sent.patch).toMatchObject({ state: "open", state_reason: "reopened" });
    expect(sent.replies).toHaveLength(1);
    expect(sent.replies[0]).toContain("no recorded resolution");
    for (const field of ["/resolve", "cause:", "layer:", "evidence:", "fix:"]) expect(sent.replies[0]).toContain(field);
    expect(sent.replies[0]).toMatch(/<!-- firebreak:reply gate-\d+ -->/);
    expect(rec.counted).toEqual([
      `GET ${ISSUE_PATH}/comments`,
      `POST ${ISSUE_PATH}/comments`,
      `PATCH ${ISSUE_PATH}`,
    ]);
    expect(unmatched).toEqual([]);
  });

  it("reopens a forged card: the body says resolved but the log holds no /resolve comment", async () => {
    const { receive } = testApp();
    const honest = declared();
    const forgedState: IncidentState = {
      ...honest.state!,
      status: "resolved",
      resolution: { cause: "typed into the body", evidence: "none", at: "2026-11-24T11:00:00Z", by: "Codertocat", commentId: 5002 },
      times: { resolved: "2026-11-24T11:00:00Z" },
      applied: [5002],
    };
    const body = renderBody(forgedState, parseBody(honest.view.body).userText, { config: DEFAULT_CONFIG, now: "2026-11-24T11:00:00Z" });
    expect(parseBody(body).state?.status).toBe("resolved");
    const labels = honest.view.labels.map((l) => (l === "status:triage" ? "status:resolved" : l));
    const payload = issuesEvent("closed", { body, labels, updatedAt: CLOSED_AT });
    const sent: { patch?: Record<string, unknown>; replies: string[] } = { replies: [] };
    const { scope, rec } = github();
    scope
      .get(`${ISSUE_PATH}/comments`)
      .query(commentsQuery)
      .reply(200, [commentJson(5003, "the pixel looks fine again to me", { at: "2026-11-24T12:00:00Z" })])
      .patch(ISSUE_PATH, (b: Record<string, unknown>) => ((sent.patch = b), true))
      .reply(200, (_u, b) => patched(payload.issue!, b as Record<string, unknown>, "2026-11-24T15:00:01Z"))
      .post(`${ISSUE_PATH}/comments`, (b: { body: string }) => (sent.replies.push(b.body), true))
      .reply(201, { id: 9100 });

    await receive("issues", payload);

    expect(sent.patch).toMatchObject({ state: "open", state_reason: "reopened" });
    // The forged record is repaired from the log: no resolution, status and label back to triage.
    const repaired = parseBody(String(sent.patch?.body)).state;
    expect(repaired?.resolution).toBeUndefined();
    expect(repaired?.status).toBe("triage");
    expect(sent.patch?.labels).toContain("status:triage");
    expect(sent.replies).toHaveLength(1);
    expect(sent.replies[0]).toContain("no recorded resolution");
    expect(rec.counted).not.toContain(`POST ${repoPath}/issues`);
    expect(unmatched).toEqual([]);
  });

  it("dismisses an incident closed as not planned: no postmortem, no status label, no reply", async () => {
    const { receive } = testApp();
    const incident = step(declared(), { kind: "commands", at: "2026-11-24T10:30:00Z" }, [OWNER_CMD]);
    const payload = issuesEvent("closed", payloadShape(incident, { stateReason: "not_planned", updatedAt: CLOSED_AT }));
    let patch: Record<string, unknown> = {};
    const { scope, rec } = github();
    scope
      .get(`${ISSUE_PATH}/comments`)
      .query(commentsQuery)
      .reply(200, [OWNER_CMD])
      .patch(ISSUE_PATH, (b: Record<string, unknown>) => ((patch = b), true))
      .reply(200, (_u, b) => patched(payload.issue!, b as Record<string, unknown>, "2026-11-24T15:00:01Z"));

    await receive("issues", payload);

    expect(patch.labels).toEqual(["incident", "sev:2", "layer:measurement"]);
    expect(patch).not.toHaveProperty("state");
    const state = parseBody(String(patch.body)).state;
    expect(state?.status).toBe("dismissed");
    expect(state?.timeline.at(-1)).toMatchObject({ text: "Dismissed (closed as not planned)", by: "Codertocat" });
    expect(rec.counted).toEqual([`GET ${ISSUE_PATH}/comments`, `PATCH ${ISSUE_PATH}`]);
    expect(unmatched).toEqual([]);
  });
});

describe("closing a resolved incident", () => {
  function closeMocks(scope: nock.Scope, payload: Record<string, unknown> & { issue?: Record<string, unknown> }, found: Record<string, unknown>[]) {
    const sent: { created?: Record<string, unknown>; patches: Record<string, unknown>[] } = { patches: [] };
    scope
      .get(`${ISSUE_PATH}/comments`)
      .query(commentsQuery)
      .reply(200, [OWNER_CMD, RESOLVE_CMD])
      .get(`${repoPath}/issues`)
      .query(listQuery)
      .reply(200, found)
      .patch(ISSUE_PATH, (b: Record<string, unknown>) => (sent.patches.push(b), true))
      .reply(200, (_u, b) => patched(payload.issue!, b as Record<string, unknown>, "2026-11-24T15:00:02Z"));
    if (found.length === 0) {
      scope
        .post(`${repoPath}/issues`, (b: Record<string, unknown>) => ((sent.created = b), true))
        .reply(201, (_u, b) => {
          const draft = b as { body: string; labels: string[]; title: string };
          return { ...issueJson({ number: 2, body: draft.body, labels: draft.labels, author: "firebreak[bot]" }), title: draft.title };
        });
    }
    return sent;
  }

  it("opens one postmortem (labels, owner, due date, links both ways) and closes the card, within 4 calls", async () => {
    const { receive } = testApp();
    const incident = resolved();
    expect(incident.state?.status).toBe("resolved");
    const payload = issuesEvent("closed", payloadShape(incident, { updatedAt: CLOSED_AT }));
    const { scope, rec } = github();
    const sent = closeMocks(scope, payload, []);

    await receive("issues", payload);

    const created = sent.created as { title: string; body: string; labels: string[]; assignees: string[] };
    expect(created.labels).toEqual(["postmortem", "layer:measurement", "sev:2"]);
    expect(created.assignees).toEqual(["octocat"]);
    expect(created.title).toContain("Postmortem:");
    expect(created.body).toContain("<!-- firebreak:postmortem incident=1 -->");
    expect(created.body).toMatch(/^Due: 2026-11-29$/m);
    expect(created.body).toMatch(/#1\b/);

    expect(sent.patches).toHaveLength(1);
    const patch = sent.patches[0]!;
    expect(patch.labels).toEqual(["incident", "sev:2", "layer:measurement", "status:closed"]);
    expect(patch).not.toHaveProperty("state");
    const state = parseBody(String(patch.body)).state;
    expect(state).toMatchObject({ status: "closed", postmortem: { issue: 2, complete: false }, times: { closed: "2026-11-24T15:00:00Z" } });
    expect(String(patch.body)).toContain("**Postmortem** #2 — open");

    // SPEC §10: closing a resolved incident, postmortem included, costs at most 4 calls.
    expect(rec.counted).toEqual([
      `GET ${ISSUE_PATH}/comments`,
      `GET ${repoPath}/issues`,
      `POST ${repoPath}/issues`,
      `PATCH ${ISSUE_PATH}`,
    ]);
    expect(rec.counted.length).toBeLessThanOrEqual(4);
    expect(unmatched).toEqual([]);
  });

  it("looks up the permission of the /resolve author the gate trusts, even when the record applied it long ago", async () => {
    const { receive } = testApp();
    // A responder whose access comes from the permission lookup, not from the payload's association.
    const resolveByPriya = { ...RESOLVE_CMD, user: { login: "priya-data", type: "User" }, author_association: "CONTRIBUTOR" };
    const incident = resolved({}, [OWNER_CMD, resolveByPriya]);
    expect(incident.state?.resolution?.commentId).toBe(5002);
    const payload = issuesEvent("closed", payloadShape(incident, { updatedAt: CLOSED_AT }));
    const { scope, rec } = github();
    const sent: { created?: Record<string, unknown> } = {};
    scope
      .get(`${ISSUE_PATH}/comments`)
      .query(commentsQuery)
      .reply(200, [OWNER_CMD, resolveByPriya])
      .get(`${repoPath}/collaborators/priya-data/permission`)
      .reply(200, { permission: "read", role_name: "triage", user: { login: "priya-data" } })
      .get(`${repoPath}/issues`)
      .query(listQuery)
      .reply(200, [])
      .post(`${repoPath}/issues`, (b: Record<string, unknown>) => ((sent.created = b), true))
      .reply(201, (_u, b) => ({ ...issueJson({ number: 2, body: (b as { body: string }).body, author: "firebreak[bot]" }), title: "Postmortem" }))
      .patch(ISSUE_PATH)
      .reply(200, (_u, b) => patched(payload.issue!, b as Record<string, unknown>, "2026-11-24T15:00:02Z"));

    await receive("issues", payload);

    expect(rec.counted).toContain(`GET ${repoPath}/collaborators/priya-data/permission`);
    expect(sent.created).toBeDefined();
    expect(unmatched).toEqual([]);
  });

  it("opens it once when the same close arrives three times: the record, then the marker, is found", async () => {
    const first = testApp();
    const incident = resolved();
    const payload = issuesEvent("closed", payloadShape(incident, { updatedAt: CLOSED_AT }));
    const { scope, rec } = github();
    const sent = closeMocks(scope, payload, []);
    await first.receive("issues", payload);
    expect(sent.created).toBeDefined();

    // Redelivered to the same process: the card it wrote already records the postmortem.
    scope.get(`${ISSUE_PATH}/comments`).query(commentsQuery).reply(200, [OWNER_CMD, RESOLVE_CMD]);
    await first.receive("issues", payload);

    // Redelivered to another instance that never saw the first: the postmortem's marker is found.
    const second = testApp();
    const createdIssue = issueJson({ number: 2, body: String(sent.created!.body), labels: ["postmortem", "layer:measurement", "sev:2"], author: "firebreak[bot]" });
    const again = closeMocks(scope, payload, [createdIssue]);
    await second.receive("issues", payload);

    expect(rec.all.filter((c) => c === `POST ${repoPath}/issues`)).toHaveLength(1);
    expect(again.created).toBeUndefined();
    // The other instance writes the same card the first one wrote: both link postmortem #2.
    expect(again.patches).toHaveLength(1);
    expect(again.patches[0]!.body).toBe(sent.patches[0]!.body);
    expect(parseBody(String(again.patches[0]!.body)).state?.postmortem).toEqual({ issue: 2, complete: false });
    expect(first.app.results.map((r) => r.action)).toEqual(["postmortem-opened", "ignored"]);
    expect(second.app.results.map((r) => r.action)).toEqual(["postmortem-opened"]);
    expect(rec.counted).toEqual([
      `GET ${ISSUE_PATH}/comments`,
      `GET ${repoPath}/issues`,
      `POST ${repoPath}/issues`,
      `PATCH ${ISSUE_PATH}`,
      `GET ${ISSUE_PATH}/comments`,
      `GET ${ISSUE_PATH}/comments`,
      `GET ${repoPath}/issues`,
      `PATCH ${ISSUE_PATH}`,
    ]);
    expect(unmatched).toEqual([]);
  });

  it("/postmortem opens the postmortem early, acknowledged with a reaction", async () => {
    const { receive } = testApp();
    const incident = declared();
    const command = commentJson(5001, "/postmortem", { at: "2026-11-24T11:00:00Z" });
    const sent: { created?: { labels: string[]; body: string; assignees?: string[] }; patch?: Record<string, unknown>; reactions: string[] } = { reactions: [] };
    const payload = commentEvent("/postmortem", { ...payloadShape(incident), commentAt: "2026-11-24T11:00:00Z" });
    const { scope, rec } = github();
    scope
      .get(`${ISSUE_PATH}/comments`)
      .query(commentsQuery)
      .reply(200, [command])
      .get(`${repoPath}/issues`)
      .query(listQuery)
      .reply(200, [])
      .post(`${repoPath}/issues`, (b: { labels: string[]; body: string }) => ((sent.created = b), true))
      .reply(201, (_u, b) => issueJson({ number: 2, body: (b as { body: string }).body, labels: ["postmortem"], author: "firebreak[bot]" }))
      .patch(ISSUE_PATH, (b: Record<string, unknown>) => ((sent.patch = b), true))
      .reply(200, (_u, b) => patched(payload.issue!, b as Record<string, unknown>, "2026-11-24T11:00:02Z"))
      .post(`${repoPath}/issues/comments/5001/reactions`, (b: { content: string }) => (sent.reactions.push(b.content), true))
      .reply(201, { id: 1, content: "+1" });

    await receive("issue_comment", payload);

    expect(sent.created?.labels).toEqual(["postmortem", "layer:measurement", "sev:2"]);
    expect(sent.created).not.toHaveProperty("assignees"); // no owner yet
    expect(sent.created?.body).toContain("<!-- firebreak:postmortem incident=1 -->");
    const state = parseBody(String(sent.patch?.body)).state;
    expect(state).toMatchObject({ status: "triage", postmortem: { issue: 2, complete: false } });
    expect(sent.reactions).toEqual(["+1"]);
    expect(rec.counted.filter((c) => c === `POST ${repoPath}/issues`)).toHaveLength(1);
    expect(unmatched).toEqual([]);
  });
});

describe("the postmortem's own gate", () => {
  const incident = closedWithPostmortem();
  const draft = incident.postmortem!;
  const pmShape = (body: string, extra: IssueShape = {}): IssueShape => ({
    number: 2,
    body,
    labels: draft.labels,
    assignees: draft.assignees,
    author: "firebreak[bot]",
    ...extra,
  });

  it("ignores the postmortem's own issues.opened without a single API call", async () => {
    const { receive, app } = testApp();
    // No interceptor at all: any request would be a "no match".
    const opened = issuesEvent("opened", pmShape(draft.body), { sender: { login: "firebreak[bot]", type: "Bot" } });
    await receive("issues", opened);
    expect(app.results).toMatchObject([{ action: "ignored", notes: ["an event Firebreak caused itself"] }]);
    expect(unmatched).toEqual([]);
  });

  it("reopens a postmortem closed with gaps and lists exactly what is missing", async () => {
    const { receive } = testApp();
    let body = answer(draft.body, "What happened?", "The cookie banner blocked the pixel until consent.");
    body = answer(body, "What did it cost?", "About $10,000 of misallocated spend.");
    body = tick(body, "Cause confirmed");
    body = tick(body, "Response reviewed");
    const payload = issuesEvent("closed", pmShape(body, { updatedAt: "2026-11-27T09:00:00Z", closedAt: "2026-11-27T09:00:00Z" }));
    const sent: { patch?: Record<string, unknown>; replies: string[] } = { replies: [] };
    const { scope, rec } = github();
    scope
      .patch(`${repoPath}/issues/2`, (b: Record<string, unknown>) => ((sent.patch = b), true))
      .reply(200, (_u, b) => patched(payload.issue!, b as Record<string, unknown>, "2026-11-27T09:00:01Z"))
      .post(`${repoPath}/issues/2/comments`, (b: { body: string }) => (sent.replies.push(b.body), true))
      .reply(201, { id: 9200 });

    await receive("issues", payload);

    expect(sent.patch).toEqual({ state: "open", state_reason: "reopened" });
    expect(sent.replies).toHaveLength(1);
    const listed = sent.replies[0]!.split("\n").filter((l) => l.startsWith("- "));
    expect(listed).toEqual([
      "- Answer “Why was it not detected sooner?”",
      "- Answer “What system change makes recurrence less likely or less costly?”",
      "- Tick “Operational confidence restored (business, team and data trusted again)”",
      "- Tick “Process fix installed — a monitor, checklist, owner rule or release guardrail”",
    ]);
    expect(rec.counted).toEqual([`POST ${repoPath}/issues/2/comments`, `PATCH ${repoPath}/issues/2`]);
    expect(unmatched).toEqual([]);
  });

  it("records 'postmortem complete' on the incident's card when the postmortem closes complete", async () => {
    const { receive } = testApp();
    const payload = issuesEvent("closed", pmShape(complete(draft.body), { updatedAt: "2026-11-28T09:00:00Z", closedAt: "2026-11-28T09:00:00Z" }));
    const incidentJson = issueJson(payloadShape(incident, { state: "closed", stateReason: "completed", closedAt: CLOSED_AT, updatedAt: CLOSED_AT }));
    let patch: Record<string, unknown> = {};
    const { scope, rec } = github();
    scope
      .get(ISSUE_PATH)
      .reply(200, incidentJson)
      .patch(ISSUE_PATH, (b: Record<string, unknown>) => ((patch = b), true))
      .reply(200, (_u, b) => patched(incidentJson, b as Record<string, unknown>, "2026-11-28T09:00:01Z"));

    await receive("issues", payload);

    const state = parseBody(String(patch.body)).state;
    expect(state).toMatchObject({ status: "postmortem-complete", postmortem: { issue: 2, complete: true } });
    expect(state?.timeline.at(-1)).toMatchObject({ at: "2026-11-28T09:00:00Z", text: "Postmortem #2 complete" });
    expect(String(patch.body)).toContain("🏁 Closed — postmortem complete");
    expect(String(patch.body)).toContain("**Postmortem** #2 — complete");
    expect(patch).not.toHaveProperty("state");
    expect(rec.counted).toEqual([`GET ${ISSUE_PATH}`, `PATCH ${ISSUE_PATH}`]);
    expect(unmatched).toEqual([]);
  });
});

describe("repeat incidents", () => {
  it("labels a new incident in a closed incident's family as a repeat, links it and tells the earlier postmortem", async () => {
    const { receive } = testApp();
    // #7: the same layer (measurement) and channel (Meta), closed six weeks earlier, postmortem #8 done.
    const earlier = closedWithPostmortem({ number: 7, author: "monalisa", createdAt: "2026-10-01T08:00:00Z" }, 8, "2026-10-13T12:00:00Z");
    expect(earlier.state?.status).toBe("closed");
    const fix = "https://github.com/Codertocat/Hello-World/pull/42";
    // When #8 closed complete, Firebreak recorded its process fix on #7's card: one list then serves the lookup.
    const completed = { ...earlier.state!, status: "postmortem-complete" as const, postmortem: { issue: 8, complete: true, fix } };
    const earlierBody = renderBody(completed, parseBody(earlier.view.body).userText, { config: DEFAULT_CONFIG, now: "2026-10-16T12:00:00Z" })!;
    const earlierIncident = issueJson(payloadShape(earlier, { body: earlierBody, number: 7, author: "monalisa", createdAt: "2026-10-01T08:00:00Z", state: "closed", stateReason: "completed", closedAt: "2026-10-13T12:00:00Z", updatedAt: "2026-10-16T12:00:01Z" }));

    const payload = issuesEvent("opened");
    const sent: { patch?: Record<string, unknown>; notices: string[] } = { notices: [] };
    const { scope, rec } = github();
    scope
      .get(`${repoPath}/releases`)
      .query(true)
      .reply(200, [])
      .get(`${repoPath}/issues`)
      .query((q) => q.state === "closed" && q.labels === "incident" && typeof q.since === "string" && q.since.startsWith("2026-05-28"))
      .reply(200, [earlierIncident])
      .patch(ISSUE_PATH, (b: Record<string, unknown>) => ((sent.patch = b), true))
      .reply(200, (_u, b) => patched(payload.issue!, b as Record<string, unknown>, "2026-11-24T10:20:01Z"))
      .post(`${repoPath}/issues/8/comments`, (b: { body: string }) => (sent.notices.push(b.body), true))
      .reply(201, { id: 9300 });

    await receive("issues", payload);

    expect(sent.patch?.labels).toEqual(["incident", "sev:2", "layer:measurement", "status:triage", "repeat"]);
    const state = parseBody(String(sent.patch?.body)).state;
    expect(state?.repeatOf).toEqual({ issue: 7, postmortem: 8, fix });
    expect(String(sent.patch?.body)).toContain(`**Repeat** of #7 (postmortem #8); its process fix: ${fix.replace("://", "\u2060://")}`);
    expect(sent.notices).toHaveLength(1);
    expect(sent.notices[0]).toContain("**Repeat:** incident [#1]");
    expect(sent.notices[0]).toContain(`The process fix recorded for #7 — ${fix.replace("://", "\u2060://")} — did not prevent it.`);
    expect(sent.notices[0]).toContain("<!-- firebreak:reply repeat-1 -->");
    // SPEC §10: a declaration costs at most 4 calls, the repeat notice included.
    expect(rec.counted).toEqual([`GET ${repoPath}/releases`, `GET ${repoPath}/issues`, `PATCH ${ISSUE_PATH}`, `POST ${repoPath}/issues/8/comments`]);
    expect(unmatched).toEqual([]);
  });
});
