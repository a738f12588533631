// SPEC §13 "Outsiders cost little": 10,000 random comments, hand changes, closes and edits by
// someone without permission, thrown at one incident through the core exactly as the shell
// hands them over (permission resolved, Firebreak's own replies in the log, the record trusted
// only while its section is the one Firebreak wrote). Its labels, assignees, open state and
// record never change (people's other labels and assignees are theirs to set); the only writes are refusals, at most one per comment.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cardSection, parseBody } from "../../src/core/card.js";
import { DEFAULT_CONFIG } from "../../src/core/config.js";
import { decide } from "../../src/core/decide/decide.js";
import type { EngineInput, IncidentEvent } from "../../src/core/decide/types.js";
import type { CommentView, IssueView } from "../../src/core/model/incident.js";
import { issueViewSchema } from "../../src/core/model/incident.js";
import { REPLY_MARKER } from "../../src/core/model/markers.js";
import { shippedTemplates } from "../../src/templates.js";
import { declaredIssue } from "../support/incident.js";
import { issuesEvent } from "../support/payloads.js";

const BOT = "firebreak[bot]";
const OUTSIDER = "mallory";
const templates = shippedTemplates();
const AT = "2026-11-24T12:00:00Z";

const lines = fc.constantFrom(
  "/severity 1",
  "/not-incident it is fine",
  "/owner @mallory",
  "/responder @mallory measurement",
  "/layer delivery high",
  "/contain paused everything",
  "/change cut the budget",
  "/check look at it @mallory in 30m",
  "/resolve\ncause: nothing\nlayer: delivery\nevidence: trust me",
  "/escalate",
  "/postmortem",
  "/sevrity 1",
  REPLY_MARKER("notify-sev2"),
  "<!-- firebreak:postmortem incident=1 -->",
  "<!-- firebreak:state:v1 AAAA -->",
  "@oncall please",
  "just a comment",
);
const text = fc.oneof(fc.string({ maxLength: 60 }), fc.array(lines, { minLength: 1, maxLength: 4 }).map((l) => l.join("\n")));
const labels = fc.constantFrom("incident", "sev:1", "sev:2", "sev:3", "layer:delivery", "layer:measurement", "status:resolved", "status:closed", "repeat", "bug");

type Move =
  | { kind: "comment"; body: string; association: string }
  | { kind: "label"; label: string; added: boolean }
  | { kind: "assignee"; login: string; added: boolean }
  | { kind: "closed"; reason: "completed" | "not_planned" }
  | { kind: "reopened" }
  | { kind: "edited"; text: string; keepCard: boolean };

const move: fc.Arbitrary<Move> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("comment" as const), body: text, association: fc.constantFrom("NONE", "CONTRIBUTOR", "FIRST_TIMER", "MEMBER", "COLLABORATOR") }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("label" as const), label: labels, added: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("assignee" as const), login: fc.constantFrom(OUTSIDER, "alice"), added: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("closed" as const), reason: fc.constantFrom("completed" as const, "not_planned" as const) }) },
  { weight: 1, arbitrary: fc.constant({ kind: "reopened" as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("edited" as const), text, keepCard: fc.boolean() }) },
);

const RUNS = 200;
const MOVES = 50;

describe("outsiders change nothing (SPEC §13)", () => {
  it(`${RUNS * MOVES} random moves by someone without permission leave Firebreak's labels, the open state and the record as they were`, () => {
    const declared = declaredIssue();
    const start = issueViewSchema.parse(issuesEvent("opened", { body: declared.body, labels: declared.labels }).issue);
    const record = parseBody(start.body).state;
    const written = cardSection(start.body);
    let moves = 0;
    fc.assert(
      fc.property(fc.array(move, { minLength: MOVES, maxLength: MOVES }), (script) => {
        let issue: IssueView = start;
        const log: CommentView[] = [];
        let id = 9000;
        for (const [i, m] of script.entries()) {
          moves += 1;
          const at = new Date(Date.parse(AT) + i * 60_000).toISOString();
          let event: IncidentEvent;
          let commentId: number | undefined;
          if (m.kind === "comment") {
            commentId = ++id;
            log.push({ id: commentId, body: m.body, user: { login: OUTSIDER }, author_association: m.association, created_at: at });
            event = { kind: "commands", at };
          } else if (m.kind === "label") {
            issue = { ...issue, labels: m.added ? [...new Set([...issue.labels, m.label])] : issue.labels.filter((l) => l !== m.label) };
            event = { kind: "label", at, actor: OUTSIDER, label: m.label, added: m.added };
          } else if (m.kind === "assignee") {
            issue = { ...issue, assignees: m.added ? [...new Set([...issue.assignees, m.login])] : issue.assignees.filter((a) => a !== m.login) };
            event = { kind: "assignee", at, actor: OUTSIDER, login: m.login, added: m.added };
          } else if (m.kind === "closed") {
            issue = { ...issue, state: "closed", state_reason: m.reason, closed_at: at };
            event = { kind: "closed", at, actor: OUTSIDER, reason: m.reason };
          } else if (m.kind === "reopened") {
            issue = { ...issue, state: "open", state_reason: "reopened" };
            event = { kind: "reopened", at, actor: OUTSIDER };
          } else {
            const previousBody = issue.body;
            issue = { ...issue, body: m.keepCard ? `${issue.body}\n${m.text}` : `${m.text}\n${issue.body}` };
            event = { kind: "edited", at, actor: OUTSIDER, previousBody };
          }
          const input: EngineInput = {
            event,
            issue,
            config: DEFAULT_CONFIG,
            formTemplate: templates.form,
            shippedForm: templates.form,
            log: [...log],
            // The shell's permission lookups said no for the outsider; Firebreak itself may.
            mayCommand: (login) => login === BOT,
            isBot: (login) => login.endsWith("[bot]"),
            isSelf: (login) => login === BOT,
            // As the App judges it: the record is Firebreak's while its section is the one it wrote.
            recordTrusted: cardSection(issue.body) === written,
            ...(record ? { lastWritten: record } : {}),
            postmortemTemplate: templates.postmortem,
          };
          const { plan } = decide(input);
          expect(plan.reactions).toEqual([]);
          expect(plan.postmortem).toBeUndefined();
          expect(plan.notices).toEqual([]);
          expect(plan.replies.length).toBeLessThanOrEqual(1);
          if (m.kind !== "comment") expect(plan.replies).toEqual([]);
          const u = plan.update ?? {};
          issue = {
            ...issue,
            ...(u.body !== undefined ? { body: u.body } : {}),
            ...(u.labels ? { labels: u.labels } : {}),
            ...(u.assignees ? { assignees: u.assignees } : {}),
            ...(u.state ? { state: u.state } : {}),
          };
          for (const reply of plan.replies) log.push({ id: ++id, body: `${reply.body}\n\n${REPLY_MARKER(reply.key)}`, user: { login: BOT }, created_at: at });
          // Firebreak's own labels only: people's other labels and assignees are theirs (SPEC §12).
          expect(issue.labels.filter((l) => l !== "bug").sort(), `after ${m.kind}`).toEqual([...declared.labels].sort());
          expect(issue.state).toBe("open");
          expect(parseBody(issue.body).state, `record after ${m.kind}`).toEqual(record);
        }
      }),
      { numRuns: RUNS },
    );
    expect(moves).toBe(RUNS * MOVES);
  }, 300_000);
});
