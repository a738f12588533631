// Commands through the real Probot app: exact GitHub requests, the call count per command
// (budget: ≤ 3, + 1 for a reply, + 1 for a permission lookup) and the resulting card.
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseBody } from "../../src/core/card.js";
import type { IncidentState } from "../../src/core/model/incident.js";
import { API, commentEvent, commentJson, EDITED_BY_FIREBREAK, ISSUE_PATH, REPO } from "../support/payloads.js";
import { declaredIssue } from "../support/incident.js";
import { testApp } from "../support/probot.js";

const repoPath = `/repos/${REPO.owner}/${REPO.repo}`;

beforeEach(() => nock.disableNetConnect());
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

interface Recorded {
  calls: string[];
  patch?: Record<string, unknown>;
  replies: string[];
  reactions: number[];
}

/** Mocks GitHub for one command comment; records what Firebreak sent. */
function github(opts: { comments: Record<string, unknown>[]; permission?: { login: string; role: string }; labels?: string[] }): Recorded {
  const rec: Recorded = { calls: [], replies: [], reactions: [] };
  const issue = declaredIssue();
  const scope = nock(API);
  // Config, labels and a cold App's one question of who last edited the body (a running App
  // remembers the bodies it wrote, SPEC §13) are outside the per-command budget counted here.
  scope.on("request", (req: { method: string; path: string }) => {
    if (!req.path.includes("/contents/") && !req.path.includes("/labels") && req.path !== "/graphql") rec.calls.push(`${req.method} ${req.path.split("?")[0]}`);
  });
  scope.post("/graphql").reply(200, EDITED_BY_FIREBREAK).persist();
  scope.get(/\/contents\//).reply(404, {}).persist();
  scope.get(`${repoPath}/labels`).query(true).reply(200, []).persist();
  scope.post(`${repoPath}/labels`).reply(201, {}).persist();
  scope.get(`${ISSUE_PATH}/comments`).query(true).reply(200, opts.comments);
  scope.get(`${repoPath}/issues`).query((q) => q.state === "closed").optionally().reply(200, []);
  if (opts.permission) {
    scope
      .get(`${repoPath}/collaborators/${opts.permission.login}/permission`)
      .reply(200, { permission: opts.permission.role === "read" ? "read" : "write", role_name: opts.permission.role, user: { login: opts.permission.login } });
  }
  scope
    .patch(ISSUE_PATH, (b: Record<string, unknown>) => ((rec.patch = b), true))
    .optionally()
    .reply(200, (_u, b) => ({ number: 1, title: "t", html_url: "https://github.com/x", created_at: "2026-11-24T10:20:00Z", updated_at: "2026-11-24T10:31:00Z", state: "open", body: issue.body, labels: [], assignees: [], user: { login: "Codertocat" }, ...(b as object), ...(typeof (b as { assignees?: unknown }).assignees === "object" ? { assignees: ((b as { assignees: string[] }).assignees).map((login) => ({ login })) } : {}) }));
  scope.post(`${ISSUE_PATH}/comments`, (b: { body: string }) => (rec.replies.push(b.body), true)).optionally().times(5).reply(201, { id: 1 });
  scope.post(/\/issues\/comments\/\d+\/reactions/, () => true).optionally().times(25).reply(201, (uri) => {
    rec.reactions.push(Number(/comments\/(\d+)/.exec(uri)?.[1]));
    return { id: 1, content: "+1" };
  });
  return rec;
}

async function command(body: string, opts: { commenter?: string; association?: string; permission?: string; extraComments?: Record<string, unknown>[] } = {}) {
  const { receive } = testApp();
  const commenter = opts.commenter ?? "Codertocat";
  const association = opts.association ?? "OWNER";
  const rec = github({
    comments: [...(opts.extraComments ?? []), commentJson(5001, body, { login: commenter, association })],
    ...(opts.permission ? { permission: { login: commenter, role: opts.permission } } : {}),
  });
  const issue = declaredIssue();
  await receive("issue_comment", commentEvent(body, { body: issue.body, labels: issue.labels, commenter, commenterAssociation: association }));
  const state = rec.patch?.body ? parseBody(String(rec.patch.body)).state : undefined;
  return { rec, state };
}

type Row = { name: string; body: string; check: (s: IncidentState | undefined, rec: Recorded) => void; calls: number };

const accepted: Row[] = [
  { name: "/owner", body: "/owner @octocat", calls: 3, check: (s, r) => (expect(s?.roles.owner).toBe("octocat"), expect(s?.status).toBe("investigating"), expect(r.patch?.assignees).toEqual(["octocat"]), expect(r.patch?.labels).toContain("status:investigating")) },
  { name: "/responder", body: "/responder @hubot measurement", calls: 3, check: (s) => expect(s?.roles.responders).toEqual([{ login: "hubot", layer: "measurement" }]) },
  { name: "/comms", body: "/comms @monalisa", calls: 3, check: (s) => expect(s?.roles.comms).toBe("monalisa") },
  { name: "/severity", body: "/severity 1", calls: 3, check: (s, r) => (expect(s?.severity).toBe(1), expect(r.patch?.labels).toContain("sev:1"), expect(r.patch?.labels).not.toContain("sev:2"), expect(s?.timeline.at(-1)?.text).toBe("Severity SEV2 → SEV1")) },
  // A layer change also looks for repeats in the new family (SPEC §12): one list more.
  { name: "/layer", body: "/layer delivery high", calls: 4, check: (s, r) => (expect(s?.layer).toMatchObject({ likely: "delivery", confidence: "high", source: "command" }), expect(r.patch?.labels).toContain("layer:delivery")) },
  { name: "/contain", body: "/contain paused Advantage+ budget increases", calls: 3, check: (s, r) => (expect(s?.status).toBe("contained"), expect(s?.containment[0]?.text).toBe("paused Advantage+ budget increases"), expect(r.patch?.labels).toContain("status:contained")) },
  { name: "/check", body: "/check compare Shopify orders with Meta purchases @hubot in 30m", calls: 3, check: (s) => expect(s?.check).toMatchObject({ text: "compare Shopify orders with Meta purchases", assignee: "hubot", due: "2026-11-24T11:00:00.000Z" }) },
  { name: "/change", body: "/change rolled back theme 2.3", calls: 3, check: (s) => expect(s?.interventions).toMatchObject([{ n: 1, text: "rolled back theme 2.3" }]) },
  { name: "/update complete", body: "/update\nsymptom: purchases back to 90%\nscope: Meta only\nlayer: measurement\nconfidence: high\nowner: @octocat\nnext: verify CAPI dedup", calls: 3, check: (s, r) => (expect(s?.updates[0]?.missing).toEqual([]), expect(r.replies).toEqual([])) },
  { name: "/resolve", body: "/resolve\ncause: cookie banner blocked the pixel before consent\nlayer: measurement\nevidence: Events Manager shows PageView back at 14:05\nfix: rollback of theme 2.3", calls: 3, check: (s, r) => (expect(s?.status).toBe("resolved"), expect(s?.resolution).toMatchObject({ cause: "cookie banner blocked the pixel before consent", layer: "measurement", commentId: 5001 }), expect(r.patch?.labels).toContain("status:resolved")) },
  { name: "/not-incident", body: "/not-incident weekly seasonality, matches last year", calls: 3, check: (s, r) => (expect(s?.status).toBe("routine-variance"), expect(r.patch?.labels).toEqual(["routine-variance"])) },
];

describe("accepted commands", () => {
  for (const row of accepted) {
    it(`${row.name}: applies, acknowledges with +1 and stays within ${row.calls} calls`, async () => {
      const { rec, state } = await command(row.body);
      row.check(state, rec);
      expect(rec.reactions).toEqual([5001]);
      expect(rec.calls.length).toBeLessThanOrEqual(row.calls + (rec.replies.length > 0 ? 1 : 0));
      expect(rec.calls).toContain("GET /repos/Codertocat/Hello-World/issues/1/comments");
    });
  }

  it("/update with fields missing records the update and names exactly what is missing", async () => {
    const { rec, state } = await command("/update\nsymptom: purchases still down 60%");
    expect(state?.updates[0]).toMatchObject({ fields: { symptom: "purchases still down 60%", layer: "measurement" }, missing: ["confidence", "owner", "next"] });
    expect(rec.replies).toHaveLength(1);
    expect(rec.replies[0]).toContain("Still unknown: **confidence, owner, next**");
    expect(rec.calls).toHaveLength(4);
  });

  it("/change beyond max_parallel_interventions warns that stacked changes blur which one worked", async () => {
    const { rec, state } = await command("/change paused campaign A\n/change cut budget on B by 50%\n/change swapped creative on C");
    expect(state?.interventions).toHaveLength(3);
    expect(state?.maxParallel).toBe(3);
    expect(rec.replies).toHaveLength(1);
    expect(rec.replies[0]).toContain("3 interventions are active at once (limit 2)");
    expect(rec.replies[0]).toContain("#3 swapped creative on C");
  });

  it("/help replies with the command list", async () => {
    const { rec } = await command("/help");
    expect(rec.replies[0]).toContain("`/owner @user`");
    expect(rec.replies[0]).toContain("`/resolve");
  });

  it("runs several commands from one comment in order, ignoring quoted lines and code blocks", async () => {
    const { state } = await command("/owner @octocat\n> /severity 1\n```\n/layer delivery\n```\n/contain paused spend on Meta prospecting");
    expect(state?.roles.owner).toBe("octocat");
    expect(state?.severity).toBe(2);
    expect(state?.layer.likely).toBe("measurement");
    expect(state?.status).toBe("contained");
  });
});

describe("refused and malformed commands", () => {
  it("refuses a commenter without triage permission once, politely, changing nothing (permission looked up by role_name)", async () => {
    const { rec } = await command("/severity 1", { commenter: "drive-by", association: "NONE", permission: "read" });
    expect(rec.patch?.labels).toBeUndefined();
    expect(rec.reactions).toEqual([]);
    expect(rec.replies).toHaveLength(1);
    expect(rec.replies[0]).toContain("only people with triage permission");
    expect(rec.calls).toContain("GET /repos/Codertocat/Hello-World/collaborators/drive-by/permission");
  });

  it("accepts a triage-role contributor after one permission lookup", async () => {
    const { state, rec } = await command("/severity 3", { commenter: "triager", association: "CONTRIBUTOR", permission: "triage" });
    expect(state?.severity).toBe(3);
    expect(rec.calls.length).toBeLessThanOrEqual(4);
  });

  for (const [body, message] of [
    ["/owner octocat", "expected a GitHub user as @login"],
    ["/severity 7", "severity is 1, 2 or 3"],
    ["/layer vibes", "is not a layer"],
    ["/resolve\ncause: pixel removed", "needs `evidence:`"],
    ["/change done 9", "there is no intervention #9"],
  ] as const) {
    it(`${body.split("\n")[0]} answers with what is wrong and no reaction`, async () => {
      const { rec } = await command(body);
      expect(rec.reactions).toEqual([]);
      expect(rec.replies).toHaveLength(1);
      expect(rec.replies[0]).toContain(message);
    });
  }

  it("answers a near miss with 'did you mean' and leaves other /words as plain text", async () => {
    const { rec } = await command("/onwer @octocat");
    expect(rec.replies[0]).toContain("did you mean `/owner`");
  });
});

describe("the log decides", () => {
  it("applies every unapplied command in the log, oldest first, and acknowledges each", async () => {
    const { rec, state } = await command("/contain paused prospecting", {
      extraComments: [commentJson(4001, "/owner @octocat", { at: "2026-11-24T10:25:00Z" }), commentJson(4002, "just discussing", { at: "2026-11-24T10:26:00Z" })],
    });
    expect(state?.roles.owner).toBe("octocat");
    expect(state?.status).toBe("contained");
    expect(state?.applied).toEqual([4001, 5001]);
    expect(rec.reactions.sort()).toEqual([4001, 5001]);
  });

  it("a comment without a command costs no API call at all", async () => {
    const { receive, app } = testApp();
    const issue = declaredIssue();
    await receive("issue_comment", commentEvent("I think /checkout is down for everyone", { body: issue.body, labels: issue.labels }));
    expect(app.results).toEqual([]);
    expect(nock.pendingMocks()).toEqual([]);
  });
});
