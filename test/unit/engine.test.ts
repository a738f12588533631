// The pure core: decide(event, issue, record, config) → (new record, plan of writes). Table-driven
// per command, the state machine of SPEC §12, hand changes of labels and assignees, idempotency.
import { describe, expect, it } from "vitest";
import { parseBody, renderBody } from "../../src/core/card.js";
import type { FirebreakConfig } from "../../src/core/config.js";
import { DEFAULT_CONFIG, resolveConfig } from "../../src/core/config.js";
import type { EngineInput, EngineResult, IncidentEvent } from "../../src/core/decide/types.js";
import { decide } from "../../src/core/decide/decide.js";
import type { CommentView, IncidentState, IssueView } from "../../src/core/model/incident.js";
import { desiredLabels } from "../../src/core/model/labels.js";
import type { Plan } from "../../src/core/model/plan.js";
import { planWrites } from "../../src/core/model/plan.js";
import { REPLY_MARKER } from "../../src/core/model/markers.js";
import { shippedTemplates } from "../../src/templates.js";
import { closedIncident, declaredIncident } from "../support/incident-factory.js";
import { FULL_FORM } from "../support/payloads.js";

const USER_TEXT = "### What are you seeing?\n\nMeta-reported purchases down 60%";
const AT = "2026-11-24T10:30:00Z";
const OUTSIDER = "drive-by";
const BOT = "firebreak[bot]";

function issueFor(state: IncidentState, over: Partial<IssueView> = {}, config: FirebreakConfig = DEFAULT_CONFIG): IssueView {
  const body = renderBody(state, USER_TEXT, { config, now: state.declaredAt });
  if (body === undefined) throw new Error("no body");
  return {
    number: 7,
    title: "Meta purchases down",
    body,
    state: "open",
    state_reason: null,
    html_url: "https://github.com/acme/shop/issues/7",
    created_at: "2026-11-24T09:00:00Z",
    updated_at: "2026-11-24T09:00:00Z",
    closed_at: null,
    user: { login: "dana-detects" },
    author_association: "MEMBER",
    labels: desiredLabels(state, ["bug", "team:growth"], config),
    assignees: state.roles.owner ? [state.roles.owner] : [],
    ...over,
  };
}

function comment(id: number, body: string, opts: { login?: string; at?: string; association?: string } = {}): CommentView {
  return { id, body, user: { login: opts.login ?? "olga-owner" }, author_association: opts.association ?? "MEMBER", created_at: opts.at ?? AT };
}

/** The replies a plan posted, as Firebreak's comments in the log the next event reads. */
function posted(plan: Plan, from = 9000): CommentView[] {
  return plan.replies.map((r, i) => comment(from + i, `${r.body}\n\n${REPLY_MARKER(r.key)}`, { login: "firebreak[bot]", association: "NONE" }));
}

function input(issue: IssueView, event: IncidentEvent, log: CommentView[] = [], config: FirebreakConfig = DEFAULT_CONFIG): EngineInput {
  return {
    event,
    issue,
    config,
    formTemplate: shippedTemplates().form,
    shippedForm: shippedTemplates().form,
    log,
    mayCommand: (login) => login !== OUTSIDER,
    isBot: (login) => login.endsWith("[bot]"),
    isSelf: (login) => login === "firebreak[bot]",
    postmortemTemplate: shippedTemplates().postmortem,
  };
}

function commands(state: IncidentState, log: CommentView[], config: FirebreakConfig = DEFAULT_CONFIG, over: Partial<IssueView> = {}): EngineResult {
  return decide(input(issueFor(state, over, config), { kind: "commands", at: AT }, log, config));
}

/** The issue as GitHub holds it after the plan's PATCH. */
function applied(issue: IssueView, plan: Plan): IssueView {
  const u = plan.update ?? {};
  return {
    ...issue,
    body: u.body ?? issue.body,
    labels: u.labels ?? issue.labels,
    assignees: u.assignees ?? issue.assignees,
    state: u.state ?? issue.state,
    ...(u.state_reason ? { state_reason: u.state_reason } : {}),
  };
}

/** The record the plan writes, as the next event will read it. */
function written(result: EngineResult): IncidentState | undefined {
  return result.plan.update?.body ? parseBody(result.plan.update.body).state : undefined;
}

interface Row {
  name: string;
  body: string;
  state?: IncidentState;
  check(after: IncidentState, result: EngineResult): void;
  reply?: string;
}

const withIntervention = declaredIncident({ interventions: [{ n: 1, text: "Paused Meta prospecting", by: "olga-owner", at: "2026-11-24T09:30:00.000Z" }], maxParallel: 1 });

const accepted: Row[] = [
  { name: "/owner", body: "/owner @olga-owner", check: (s, r) => (expect(s.roles.owner).toBe("olga-owner"), expect(s.status).toBe("investigating"), expect(r.plan.update?.assignees).toEqual(["olga-owner"])) },
  { name: "/responder", body: "/responder @rui-tracking measurement", check: (s) => expect(s.roles.responders).toEqual([{ login: "rui-tracking", layer: "measurement" }]) },
  { name: "/comms", body: "/comms @cleo-comms", check: (s) => expect(s.roles.comms).toBe("cleo-comms") },
  { name: "/severity", body: "/severity 1", check: (s, r) => (expect(s.severity).toBe(1), expect(r.plan.update?.labels).toContain("sev:1"), expect(r.plan.update?.labels).not.toContain("sev:2"), expect(s.timeline.at(-1)).toMatchObject({ text: "Severity SEV2 → SEV1", by: "olga-owner", at: AT })) },
  { name: "/layer", body: "/layer delivery low", check: (s, r) => (expect(s.layer).toMatchObject({ likely: "delivery", confidence: "low", source: "command" }), expect(r.plan.update?.labels).toContain("layer:delivery"), expect(r.plan.update?.labels).not.toContain("layer:measurement")) },
  {
    name: "/update",
    body: "/update\nsymptom: purchases under-reported on iOS\nnext: compare with Shopify orders",
    reply: "Still unknown: **owner**",
    check: (s) => (expect(s.updates.at(-1)).toMatchObject({ by: "olga-owner", fields: { symptom: "purchases under-reported on iOS", next: "compare with Shopify orders", layer: "measurement" }, missing: ["owner"] }), expect(s.check?.text).toBe("compare with Shopify orders")),
  },
  { name: "/contain", body: "/contain paused Advantage+ budget increases", check: (s, r) => (expect(s.status).toBe("contained"), expect(s.times.contained).toBe(AT), expect(r.plan.update?.labels).toContain("status:contained")) },
  { name: "/check", body: "/check compare Shopify orders with Meta purchases @rui-tracking in 30m", check: (s) => expect(s.check).toEqual({ text: "compare Shopify orders with Meta purchases", by: "olga-owner", at: AT, assignee: "rui-tracking", due: "2026-11-24T11:00:00.000Z" }) },
  { name: "/change", state: declaredIncident({ maxParallel: 0 }), body: "/change rolled back theme 2.3", check: (s) => (expect(s.interventions).toMatchObject([{ n: 1, text: "rolled back theme 2.3", by: "olga-owner" }]), expect(s.maxParallel).toBe(1)) },
  { name: "/change done", state: withIntervention, body: "/change done 1", check: (s) => expect(s.interventions[0]?.doneAt).toBe(AT) },
  {
    name: "/resolve",
    body: "/resolve\ncause: consent banner blocked the pixel\nlayer: measurement\nevidence: tag assistant shows no fbq before consent\nfix: default consent mode restored",
    check: (s, r) => (expect(s.status).toBe("resolved"), expect(s.resolution).toMatchObject({ cause: "consent banner blocked the pixel", evidence: "tag assistant shows no fbq before consent", layer: "measurement", fix: "default consent mode restored", commentId: 5001 }), expect(s.layer.confirmed).toBe("measurement"), expect(r.plan.update?.labels).toContain("status:resolved")),
  },
  { name: "/escalate", state: declaredIncident({ status: "routine-variance" }), body: "/escalate", check: (s, r) => (expect(s.status).toBe("triage"), expect(r.plan.update?.labels).toEqual(expect.arrayContaining(["incident", "sev:2", "status:triage"])), expect(r.plan.update?.labels).not.toContain("routine-variance")) },
  { name: "/not-incident", body: "/not-incident seasonal dip, same as last year", check: (s, r) => (expect(s.status).toBe("routine-variance"), expect(r.plan.update?.labels?.sort()).toEqual(["bug", "routine-variance", "team:growth"])) },
  { name: "/postmortem", body: "/postmortem", check: (_s, r) => (expect(r.plan.postmortem?.labels).toEqual(["postmortem", "layer:measurement", "sev:2"]), expect(r.plan.postmortem?.body).toContain("#7")) },
  { name: "/help", body: "/help", reply: "`/owner @user`", check: (s) => expect(s.status).toBe("triage") },
];

describe("decide: accepted commands change the record and get a reaction", () => {
  for (const row of accepted) {
    it(row.name, () => {
      const before = row.state ?? declaredIncident();
      const result = commands(before, [comment(5001, row.body)]);
      expect(result.action).toBe("command");
      expect(result.plan.reactions).toEqual([5001]);
      expect(result.state?.applied).toEqual([...before.applied, 5001]);
      row.check(result.state!, result);
      expect(written(result)).toEqual(result.state);
      if (row.reply) {
        expect(result.plan.replies).toHaveLength(1);
        expect(result.plan.replies[0]?.key).toBe("c5001");
        expect(result.plan.replies[0]?.body).toContain(row.reply);
      } else {
        expect(result.plan.replies).toEqual([]);
      }
    });
  }
});

describe("decide: malformed commands get a reply and no reaction", () => {
  const malformed: [string, string, IncidentState?][] = [
    ["/owner octocat", "expected a GitHub user as @login"],
    ["/owner", "expected a GitHub user as @login"],
    ["/severity 7", "severity is 1, 2 or 3"],
    ["/layer vibes", "is not a layer"],
    ["/responder @rui astrology", "unknown layer"],
    ["/update\nconfidence: maybe", "confidence is low, medium or high"],
    ["/contain x", "say what was paused or protected"],
    ["/check ab", "say what the next check is"],
    ["/change done 9", "there is no intervention #9"],
    ["/change done", "name the intervention's number"],
    ["/resolve\ncause: pixel removed", "needs `evidence:`"],
    ["/resolve", "needs `cause:` and `evidence:`"],
    ["/not-incident", "give the reason"],
    ["/owner @olga-owner", "works on incidents", declaredIncident({ status: "routine-variance" })],
    ["/not-incident it was nothing", "stays an incident", closedIncident()],
  ];
  for (const [body, message, state] of malformed) {
    it(`${body.replace(/\n/g, " ⏎ ")} → "${message}"`, () => {
      const before = state ?? declaredIncident();
      const result = commands(before, [comment(5001, body)]);
      expect(result.plan.reactions).toEqual([]);
      expect(result.plan.replies).toHaveLength(1);
      expect(result.plan.replies[0]?.body).toContain(message);
      // Nothing but the bookkeeping changed.
      const { applied, replied, ...rest } = result.state!;
      const { applied: _a, replied: _r, ...restBefore } = before;
      expect(rest).toEqual(restBefore);
      expect(applied).toContain(5001);
      expect(replied).toContain("c5001");
      expect(result.plan.update?.labels).toBeUndefined();
      expect(result.plan.postmortem).toBeUndefined();
    });
  }

  it("applies the good commands of a comment and reports the bad ones in one reply", () => {
    const result = commands(declaredIncident(), [comment(5001, "/owner @olga-owner\n/severity 9\n/contain paused spend")]);
    expect(result.state?.roles.owner).toBe("olga-owner");
    expect(result.state?.status).toBe("contained");
    expect(result.plan.reactions).toEqual([5001]);
    expect(result.plan.replies).toHaveLength(1);
    expect(result.plan.replies[0]?.body).toContain("severity is 1, 2 or 3");
  });

  it("answers a near miss with 'did you mean' and no reaction", () => {
    const result = commands(declaredIncident(), [comment(5001, "/onwer @olga-owner")]);
    expect(result.plan.reactions).toEqual([]);
    expect(result.plan.replies[0]?.body).toContain("did you mean `/owner`");
    expect(result.state?.roles.owner).toBeUndefined();
  });
});

describe("decide: unauthorised commenters", () => {
  it("get one polite refusal, no reaction and no change", () => {
    const before = declaredIncident();
    const result = commands(before, [comment(5001, "/severity 1\n/owner @drive-by\n/resolve\ncause: x\nevidence: y", { login: OUTSIDER, association: "NONE" })]);
    expect(result.plan.reactions).toEqual([]);
    expect(result.plan.replies).toEqual([{ key: "c5001", body: expect.stringContaining("only people with triage permission") }]);
    expect(result.state).toMatchObject({ severity: 2, status: "triage" });
    expect(result.state?.roles.owner).toBeUndefined();
    expect(result.state?.resolution).toBeUndefined();
    expect(result.plan.update?.labels).toBeUndefined();
    expect(result.plan.update?.assignees).toBeUndefined();
  });

  it("are refused once per comment, however often the event arrives", () => {
    const log = [comment(5001, "/severity 1", { login: OUTSIDER })];
    const first = commands(declaredIncident(), log);
    // SPEC §13: a refusal changes no record; Firebreak's refusal in the log marks the comment answered.
    const again = decide(input(applied(issueFor(declaredIncident()), first.plan), { kind: "commands", at: AT }, [...log, ...posted(first.plan)]));
    expect(first.plan.replies).toHaveLength(1);
    expect(again.plan.replies).toEqual([]);
    expect(again.plan.update).toBeUndefined();
  });
});

describe("the state machine (SPEC §12)", () => {
  it("triage → investigating when an owner is set", () => {
    expect(commands(declaredIncident(), [comment(1, "/owner @olga-owner")]).state?.status).toBe("investigating");
  });

  it("an owner does not move a contained incident back", () => {
    expect(commands(declaredIncident({ status: "contained" }), [comment(1, "/owner @olga-owner")]).state?.status).toBe("contained");
  });

  it("investigating → contained on /contain", () => {
    const result = commands(declaredIncident({ status: "investigating", roles: { owner: "olga-owner" } }), [comment(1, "/contain paused spend")]);
    expect(result.state?.status).toBe("contained");
    expect(result.plan.update?.labels).toContain("status:contained");
    expect(result.plan.update?.labels).not.toContain("status:investigating");
  });

  it("→ resolved only with cause and evidence", () => {
    const causeOnly = commands(declaredIncident({ status: "contained" }), [comment(1, "/resolve\ncause: pixel removed")]);
    expect(causeOnly.state?.status).toBe("contained");
    expect(causeOnly.state?.resolution).toBeUndefined();
    const both = commands(declaredIncident({ status: "contained" }), [comment(1, "/resolve\ncause: pixel removed\nevidence: no fbq hits after 05:50")]);
    expect(both.state?.status).toBe("resolved");
    expect(both.state?.times.resolved).toBe(AT);
  });

  it("a later /resolve amends the record without moving the status", () => {
    const first = commands(declaredIncident(), [comment(1, "/resolve\ncause: pixel removed\nevidence: no hits", { at: "2026-11-24T10:00:00Z" })]);
    const second = decide(input(applied(issueFor(declaredIncident()), first.plan), { kind: "commands", at: AT }, [
      comment(1, "/resolve\ncause: pixel removed\nevidence: no hits", { at: "2026-11-24T10:00:00Z" }),
      comment(2, "/resolve\nfix: restored the snippet\nlayer: measurement"),
    ]));
    expect(second.state?.status).toBe("resolved");
    expect(second.state?.resolution).toMatchObject({ cause: "pixel removed", evidence: "no hits", fix: "restored the snippet", layer: "measurement", at: "2026-11-24T10:00:00Z", commentId: 2 });
  });

  describe("closing", () => {
    const resolveComment = comment(6001, "/resolve\ncause: theme broke checkout\nevidence: rollback restored it", { at: "2026-11-24T14:00:00Z" });
    const resolvedFromLog = () => {
      const r = commands(declaredIncident({ status: "contained", roles: { owner: "olga-owner" } }), [resolveComment]);
      return { state: r.state!, issue: applied(issueFor(declaredIncident({ status: "contained", roles: { owner: "olga-owner" } })), r.plan) };
    };
    const closeEvent = (reason: string | null): IncidentEvent => ({ kind: "closed", at: "2026-11-25T09:00:00Z", actor: "olga-owner", reason });

    it("a resolved incident closed as completed → closed, postmortem opened", () => {
      const { issue } = resolvedFromLog();
      const result = decide(input({ ...issue, state: "closed", state_reason: "completed" }, closeEvent("completed"), [resolveComment]));
      expect(result.action).toBe("postmortem-opened");
      expect(result.state?.status).toBe("closed");
      expect(result.state?.times.closed).toBe("2026-11-25T09:00:00Z");
      expect(result.plan.postmortem).toBeDefined();
      expect(result.plan.update?.labels).toContain("status:closed");
      expect(result.plan.update?.state).toBeUndefined();
    });

    it("closed as completed without a recorded cause is reopened with what to record", () => {
      const issue = issueFor(declaredIncident({ status: "contained" }), { state: "closed", state_reason: "completed" });
      const result = decide(input(issue, closeEvent("completed"), []));
      expect(result.action).toBe("reopened");
      expect(result.plan.update).toMatchObject({ state: "open", state_reason: "reopened" });
      expect(result.plan.replies[0]?.body).toContain("/resolve");
      expect(result.plan.postmortem).toBeUndefined();
      expect(result.state?.status).toBe("contained");
    });

    it("a resolution whose /resolve comment is gone from the log does not pass the gate (the log decides)", () => {
      const { issue } = resolvedFromLog();
      const result = decide(input({ ...issue, state: "closed" }, closeEvent("completed"), []));
      expect(result.action).toBe("reopened");
      expect(result.plan.postmortem).toBeUndefined();
    });

    it("a resolution forged into the body by hand does not pass the gate", () => {
      const forged = closedIncident({ status: "resolved", times: { closed: undefined } });
      const result = decide(input(issueFor(forged, { state: "closed" }), closeEvent("completed"), [comment(9001, "looks resolved to me")]));
      expect(result.action).toBe("reopened");
    });

    it("with gate_incident_close off, closing without a cause closes it, without a postmortem", () => {
      const config = resolveConfig({ gate_incident_close: false }).config;
      const issue = issueFor(declaredIncident({ status: "contained" }), { state: "closed" }, config);
      const result = decide(input(issue, closeEvent("completed"), [], config));
      expect(result.state?.status).toBe("closed");
      expect(result.plan.update?.state).toBeUndefined();
      expect(result.plan.postmortem).toBeUndefined();
    });

    for (const reason of ["not_planned", "duplicate"]) {
      it(`closed as ${reason} → dismissed, no postmortem`, () => {
        const issue = issueFor(declaredIncident({ status: "investigating" }), { state: "closed", state_reason: reason });
        const result = decide(input(issue, closeEvent(reason), []));
        expect(result.state?.status).toBe("dismissed");
        expect(result.plan.postmortem).toBeUndefined();
        expect(result.plan.update?.state).toBeUndefined();
        expect(result.plan.update?.labels).toEqual(expect.arrayContaining(["incident", "sev:2"]));
        expect(result.plan.update?.labels?.some((l) => l.startsWith("status:"))).toBe(false);
      });
    }

    it("closing an already closed incident again opens nothing", () => {
      const state = closedIncident();
      const result = decide(input(issueFor(state, { state: "closed" }), closeEvent("completed"), [comment(9001, "/resolve\ncause: a\nevidence: b")]));
      expect(result.action).toBe("ignored");
      expect(result.plan.postmortem).toBeUndefined();
      expect(result.plan.update).toBeUndefined();
    });
  });

  for (const status of ["closed", "postmortem-complete", "dismissed"] as const) {
    it(`a person reopening a ${status} incident returns it to investigating`, () => {
      const state = closedIncident({ status });
      const result = decide(input(issueFor(state), { kind: "reopened", at: "2026-11-26T09:00:00Z", actor: "olga-owner" }));
      expect(result.state?.status).toBe("investigating");
      expect(result.state?.timeline.at(-1)).toMatchObject({ text: "Reopened", by: "olga-owner" });
      expect(result.plan.update?.labels).toContain("status:investigating");
    });
  }

  it("/escalate turns routine variance into an incident in triage, and notifies as declared", () => {
    const config = resolveConfig({ notify: { 2: ["acme/marketing-leads"] } }).config;
    const result = commands(declaredIncident({ status: "routine-variance" }), [comment(1, "/escalate")], config);
    expect(result.state?.status).toBe("triage");
    expect(result.state?.declaredAt).toBe(AT);
    expect(result.plan.replies.map((r) => r.key)).toEqual(["notify-sev2"]);
  });

  it("/escalate on an incident already being worked changes nothing but is acknowledged", () => {
    const result = commands(declaredIncident({ status: "contained" }), [comment(1, "/escalate")]);
    expect(result.state?.status).toBe("contained");
    expect(result.plan.reactions).toEqual([1]);
    expect(result.plan.update?.labels).toBeUndefined();
  });

  it("/not-incident turns an incident into routine variance, and commands then explain why they do nothing", () => {
    const first = commands(declaredIncident(), [comment(1, "/not-incident seasonal dip")]);
    expect(first.state?.status).toBe("routine-variance");
    const later = decide(input(applied(issueFor(declaredIncident()), first.plan), { kind: "commands", at: AT }, [comment(1, "/not-incident seasonal dip"), comment(2, "/severity 1")]));
    expect(later.state?.severity).toBe(2);
    expect(later.plan.replies[0]?.body).toContain("`/escalate`");
  });
});

describe("hand changes of labels and assignees", () => {
  const label = (name: string, added: boolean, actor: string): IncidentEvent => ({ kind: "label", at: AT, actor, label: name, added });

  it("an authorised `sev:1` added by hand sets severity 1 on the timeline", () => {
    const state = declaredIncident();
    const issue = issueFor(state);
    const result = decide(input({ ...issue, labels: [...issue.labels, "sev:1"] }, label("sev:1", true, "olga-owner")));
    expect(result.state?.severity).toBe(1);
    expect(result.state?.timeline.at(-1)).toEqual({ at: AT, by: "olga-owner", text: "Severity SEV2 → SEV1" });
    expect(result.plan.update?.labels).toContain("sev:1");
    expect(result.plan.update?.labels).not.toContain("sev:2");
  });

  it("an authorised `layer:` label added by hand sets the likely layer", () => {
    const issue = issueFor(declaredIncident());
    const result = decide(input({ ...issue, labels: [...issue.labels, "layer:delivery"] }, label("layer:delivery", true, "olga-owner")));
    expect(result.state?.layer).toMatchObject({ likely: "delivery", source: "label" });
    expect(result.plan.update?.labels).not.toContain("layer:measurement");
  });

  it("an unauthorised label change is undone: the labels are restored to the record", () => {
    const state = declaredIncident();
    const issue = issueFor(state);
    const result = decide(input({ ...issue, labels: [...issue.labels, "sev:1"] }, label("sev:1", true, OUTSIDER)));
    expect(result.state?.severity).toBe(2);
    expect(result.plan.update?.labels?.sort()).toEqual(issue.labels.sort());
  });

  it("a Firebreak label removed by hand is put back", () => {
    const issue = issueFor(declaredIncident());
    const result = decide(input({ ...issue, labels: issue.labels.filter((l) => l !== "status:triage") }, label("status:triage", false, "olga-owner")));
    expect(result.plan.update?.labels).toContain("status:triage");
  });

  it("an authorised assignee added by hand becomes the owner", () => {
    const issue = issueFor(declaredIncident());
    const result = decide(input({ ...issue, assignees: ["sam-shop"] }, { kind: "assignee", at: AT, actor: "olga-owner", login: "sam-shop", added: true }));
    expect(result.state?.roles.owner).toBe("sam-shop");
    expect(result.state?.status).toBe("investigating");
    expect(result.plan.update?.assignees ?? ["sam-shop"]).toEqual(["sam-shop"]);
  });

  it("an assignee added by someone unauthorised does not become the owner", () => {
    const issue = issueFor(declaredIncident({ roles: { owner: "olga-owner" }, status: "investigating" }));
    const result = decide(input({ ...issue, assignees: ["olga-owner", "drive-by"] }, { kind: "assignee", at: AT, actor: OUTSIDER, login: "drive-by", added: true }));
    expect(result.state?.roles.owner).toBe("olga-owner");
  });

  it("keeps labels and assignees that Firebreak does not own", () => {
    const state = declaredIncident({ roles: { owner: "olga-owner" }, status: "investigating" });
    const issue = issueFor(state, { assignees: ["olga-owner", "helper"] });
    const result = commands(state, [comment(1, "/severity 1\n/owner @sam-shop")], DEFAULT_CONFIG, { assignees: ["olga-owner", "helper"] });
    expect(result.plan.update?.labels).toEqual(expect.arrayContaining(["bug", "team:growth", "sev:1"]));
    expect(result.plan.update?.assignees?.sort()).toEqual(["helper", "sam-shop"]);
    expect(issue.labels).toContain("bug");
  });
});

describe("acknowledgements after the card (crash safety)", () => {
  const withRollup = (c: CommentView, plusOnes: number): CommentView => ({ ...c, reactions: { "+1": plusOnes } });
  const owner = comment(4101, "/owner @olga-owner", { at: "2026-11-24T10:00:00Z" });

  it("records the comments it acknowledges with the card that applies them", () => {
    const first = commands(declaredIncident(), [withRollup(owner, 0)]);
    expect(first.plan.reactions).toEqual([4101]);
    expect(written(first)?.unacked).toEqual([4101]);
  });

  it("reacts again when the log shows no +1 (the process died after the card), and writes no card for it", () => {
    const first = commands(declaredIncident(), [withRollup(owner, 0)]);
    const issue = applied(issueFor(declaredIncident()), first.plan);
    const next = decide(input(issue, { kind: "commands", at: "2026-11-24T11:00:00Z" }, [withRollup(owner, 0)]));
    expect(next.plan.reactions).toEqual([4101]);
    expect(next.plan.update).toBeUndefined();
  });

  it("lets an acknowledged comment drop from the list, without a write of its own", () => {
    const first = commands(declaredIncident(), [withRollup(owner, 0)]);
    const issue = applied(issueFor(declaredIncident()), first.plan);
    const quiet = decide(input(issue, { kind: "commands", at: "2026-11-24T11:00:00Z" }, [withRollup(owner, 1)]));
    expect(quiet.plan).toEqual({ issue: 7, reactions: [], replies: [], notices: [] });
    const contain = comment(4102, "/contain paused the Meta campaigns", { at: "2026-11-24T10:30:00Z" });
    const busy = decide(input(issue, { kind: "commands", at: "2026-11-24T11:00:00Z" }, [withRollup(owner, 1), withRollup(contain, 0)]));
    expect(busy.plan.reactions).toEqual([4102]);
    expect(written(busy)?.unacked).toEqual([4102]);
  });
});

describe("idempotency", () => {
  const log = [
    comment(4001, "/owner @olga-owner", { at: "2026-11-24T10:00:00Z" }),
    comment(4002, "just discussing", { at: "2026-11-24T10:05:00Z" }),
    comment(4003, "/change paused A\n/change paused B\n/change paused C", { at: "2026-11-24T10:10:00Z" }),
    comment(4004, "/severity 1", { login: OUTSIDER, at: "2026-11-24T10:15:00Z" }),
    comment(4005, "/sevrity 1", { at: "2026-11-24T10:20:00Z" }),
    comment(4006, "/resolve\ncause: pixel removed\nevidence: no hits", { at: "2026-11-24T10:25:00Z" }),
  ];

  it("applying the same log twice changes nothing and plans no writes", () => {
    const config = resolveConfig({ notify: { 2: ["acme/leads"] } }).config;
    const issue = issueFor(declaredIncident(), {}, config);
    const first = decide(input(issue, { kind: "commands", at: AT }, log, config));
    expect(planWrites(first.plan)).toBeGreaterThan(3);
    expect(first.plan.reactions).toEqual([4001, 4003, 4006]);
    expect(first.plan.replies.map((r) => r.key).sort()).toEqual(["c4003", "c4004", "c4005", "c4006", "notify-sev2"]);
    const second = decide(input(applied(issue, first.plan), { kind: "commands", at: "2026-11-24T11:00:00Z" }, [...log, ...posted(first.plan)], config));
    expect(second.state).toEqual(written(first));
    expect(second.plan).toEqual({ issue: 7, reactions: [], replies: [], notices: [] });
    expect(planWrites(second.plan)).toBe(0);
    expect(second.action).toBe("reconciled");
  });

  it("applies the log oldest first whatever order it arrives in", () => {
    const shuffled = [log[5]!, log[2]!, log[0]!, log[4]!, log[3]!, log[1]!];
    const a = commands(declaredIncident(), log).state!;
    const b = commands(declaredIncident(), shuffled).state!;
    expect(b).toEqual(a);
  });

  it("does not plan a reply whose key is already in `replied`", () => {
    const state = declaredIncident({ replied: ["c5001"] });
    const result = commands(state, [comment(5001, "/severity 7")]);
    expect(result.plan.replies).toEqual([]);
    expect(result.state?.replied.filter((k) => k === "c5001")).toHaveLength(1);
  });

  it("skips comments already applied, by id or folded into appliedThrough", () => {
    const byId = commands(declaredIncident({ applied: [5001] }), [comment(5001, "/severity 1")]);
    expect(byId.state?.severity).toBe(2);
    expect(byId.plan.reactions).toEqual([]);
    const folded = commands(declaredIncident({ appliedThrough: 5001 }), [comment(5000, "/severity 1"), comment(5001, "/severity 3"), comment(5002, "/contain paused spend")]);
    expect(folded.state?.severity).toBe(2);
    expect(folded.state?.status).toBe("contained");
    expect(folded.plan.reactions).toEqual([5002]);
  });

  it("a redelivered declaration writes nothing", () => {
    const issue = issueFor(declaredIncident());
    const result = decide(input(issue, { kind: "declare", at: AT, actor: "dana-detects" }));
    expect(result.action).toBe("ignored");
    expect(planWrites(result.plan)).toBe(0);
  });
});

describe("notify", () => {
  const config = resolveConfig({ notify: { 1: ["alice", "acme/marketing-leads"], 2: ["bob"] } }).config;

  it("mentions the configured people once when the incident reaches a severity", () => {
    const result = commands(declaredIncident({ notified: [2] }), [comment(1, "/severity 1")], config);
    const notice = result.plan.replies.find((r) => r.key === "notify-sev1");
    expect(notice?.body).toBe("SEV1 incident — @alice @acme/marketing-leads for your attention.");
    expect(result.state?.notified).toEqual([2, 1]);
  });

  it("does not mention them again when the severity comes back", () => {
    const state = declaredIncident({ notified: [2, 1], severity: 2 });
    const result = commands(state, [comment(1, "/severity 1"), comment(2, "/severity 2", { at: "2026-11-24T10:40:00Z" })], config);
    expect(result.plan.replies).toEqual([]);
  });

  it("mentions at declaration, and nobody for a severity without a list", () => {
    const declared = decide({
      ...input(
        { ...issueFor(declaredIncident()), body: FULL_FORM, labels: ["incident"] },
        { kind: "declare", at: "2026-11-24T10:20:00Z", actor: "dana-detects" },
        [],
        config,
      ),
    });
    expect(declared.action).toBe("declared");
    expect(declared.plan.replies).toEqual([{ key: "notify-sev2", body: "SEV2 incident — @bob for your attention." }]);
    const quiet = commands(declaredIncident({ severity: 3 }), [comment(1, "/contain paused spend")], config);
    expect(quiet.plan.replies).toEqual([]);
    expect(quiet.state?.notified).toEqual([]);
  });

  it("never notifies for routine variance", () => {
    const result = commands(declaredIncident({ status: "routine-variance" }), [comment(1, "just a note /severity")], config);
    expect(result.plan.replies).toEqual([]);
  });
});

describe("comments that are not commands", () => {
  it("skips comments by bots, even with commands in them", () => {
    const result = commands(declaredIncident(), [comment(1, "/severity 1", { login: BOT }), comment(2, "/severity 3", { login: "dependabot[bot]" })]);
    expect(result.state?.severity).toBe(2);
    expect(result.state?.applied).toEqual([]);
    expect(result.plan.reactions).toEqual([]);
    expect(result.plan.replies).toEqual([]);
  });

  it("ignores discussion, quoted commands and commands in code blocks", () => {
    const result = commands(declaredIncident(), [comment(1, "I think /checkout is down\n> /severity 1\n```\n/layer delivery\n```")]);
    expect(result.state?.severity).toBe(2);
    expect(result.state?.applied).toEqual([]);
    expect(planWrites(result.plan)).toBe(0);
  });

  it("ignores pull requests and issues that are not incidents", () => {
    const pr = decide(input({ ...issueFor(declaredIncident()), pull_request: {} }, { kind: "commands", at: AT }, [comment(1, "/severity 1")]));
    expect(pr.action).toBe("ignored");
    expect(planWrites(pr.plan)).toBe(0);
    const plain = decide(input({ ...issueFor(declaredIncident()), body: "a feature request", labels: ["enhancement"] }, { kind: "commands", at: AT }, [comment(1, "/severity 1")]));
    expect(plain.action).toBe("ignored");
    expect(planWrites(plain.plan)).toBe(0);
  });
});

describe("repairs: the log decides, the body displays", () => {
  it("puts an edited Firebreak section back above the user's new text (an outsider forging an escalation)", () => {
    const held = declaredIncident({ status: "routine-variance" });
    const original = issueFor(held);
    const forged = renderBody({ ...held, status: "triage", severity: 1 }, "### What are you seeing?\n\nedited by the author", { config: DEFAULT_CONFIG, now: AT })!;
    // SPEC §13: what is put back is what Firebreak last wrote (the shell's memory), not the edit's previous body.
    const result = decide({
      ...input({ ...original, body: forged }, { kind: "edited", at: AT, actor: OUTSIDER, previousBody: forged }),
      recordTrusted: false,
      lastWritten: held,
    });
    const restored = parseBody(result.plan.update?.body);
    expect(restored.state?.status).toBe("routine-variance");
    expect(restored.state?.severity).toBe(held.severity);
    // The user's own edit stays.
    expect(restored.userText).toBe("### What are you seeing?\n\nedited by the author");
    expect(result.plan.replies).toEqual([]);
  });

  it("writes nothing when an edit leaves the Firebreak section as it was", () => {
    const state = declaredIncident();
    const issue = issueFor(state);
    const edited = { ...issue, body: issue.body.replace("purchases down 60%", "purchases down 65%") };
    const result = decide(input(edited, { kind: "edited", at: AT, actor: "dana-detects", previousBody: issue.body }));
    expect(result.plan.update).toBeUndefined();
    expect(result.action).toBe("ignored");
  });

  it("does not ask GitHub again, on every event, to assign an owner it refused", () => {
    const refused = declaredIncident({ roles: { detector: "dana-detects", owner: "contractor", ownerNote: "contractor could not be assigned", responders: [] } });
    // GitHub dropped the assignee: the issue has none.
    const result = commands(refused, [comment(6001, "/severity 1")], DEFAULT_CONFIG, { assignees: [] });
    expect(result.plan.update?.assignees).toBeUndefined();
    expect(written(result)?.roles.owner).toBe("contractor");
  });

  it("keeps the record decodable however many responders join (the oldest leave the list)", () => {
    let state = declaredIncident();
    const log = Array.from({ length: 35 }, (_, i) => comment(7000 + i, `/responder @helper-${i}`));
    const result = commands(state, log);
    state = written(result)!;
    expect(state).toBeDefined();
    expect(state.roles.responders).toHaveLength(30);
    expect(state.roles.responders.at(-1)?.login).toBe("helper-34");
  });

  it("catches up a close whose own event was never handled, at the next event that brings the log", () => {
    const state = declaredIncident();
    const issue = issueFor(state, { state: "closed", state_reason: "completed", closed_at: "2026-11-24T10:00:00Z" });
    const result = decide(input(issue, { kind: "commands", at: AT }, [comment(6101, "/contain paused prospecting")]));
    expect(result.action).toBe("reopened");
    expect(result.plan.update).toMatchObject({ state: "open", state_reason: "reopened" });
    expect(result.plan.replies[0]?.body).toContain("no recorded resolution");
  });

  it("declares an outsider's issue as an incident when a responder labels it", () => {
    const outsiderIssue: IssueView = { ...issueFor(declaredIncident()), body: FULL_FORM, user: { login: OUTSIDER }, author_association: "NONE", labels: ["incident"] };
    const byResponder = decide(input(outsiderIssue, { kind: "declare", at: AT, actor: "olga-owner" }));
    expect(byResponder.action).toBe("declared");
    expect(byResponder.state?.roles.detector).toBe(OUTSIDER);
    const byAuthor = decide(input(outsiderIssue, { kind: "declare", at: AT, actor: OUTSIDER }));
    expect(byAuthor.action).toBe("routine-variance");
  });

  it("never repeats a commenter's text as a live mention in an error reply", () => {
    const result = commands(declaredIncident(), [comment(6201, "/responder @hubot @acme/oncall")]);
    expect(result.plan.replies[0]?.body).toContain("unknown layer");
    expect(result.plan.replies[0]?.body).not.toMatch(/@acme/);
  });
});
