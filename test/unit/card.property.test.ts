// Random and hostile user text through the declaration, the commands and the card renderer:
// never a throw, always a body within GitHub's limits that decodes back to the same record and
// leaves the user's text byte for byte as it was (SPEC §5, §9, §12).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BODY_LIMIT, CARD_LIMIT, parseBody, renderBody } from "../../src/core/card.js";
import { CARD_END } from "../../src/core/model/markers.js";
import { DEFAULT_CONFIG } from "../../src/core/config.js";
import type { EngineInput } from "../../src/core/decide/types.js";
import { decide } from "../../src/core/decide/decide.js";
import { formFields } from "../../src/core/declaration/template.js";
import type { CommentView, IncidentState, IssueView } from "../../src/core/model/incident.js";
import { shippedTemplates } from "../../src/templates.js";
import { declaredIncident } from "../support/incident-factory.js";

const templates = shippedTemplates();

/** Text people paste: markup, mentions, markers, odd Unicode, and random strings. */
const hostile = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: "grapheme", maxLength: 120 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 80 }) },
  {
    weight: 4,
    arbitrary: fc
      .array(
        fc.constantFrom(
          "@octocat",
          "@acme/leads",
          "@@everyone",
          "mail@example.com",
          "<script>alert(1)</script>",
          "<img src=x onerror=alert(1)>",
          "</details>",
          "<!--",
          "-->",
          "<!-- firebreak:card:start (managed by Firebreak: edits inside this section are replaced) -->",
          CARD_END,
          "<!-- firebreak:state:v1 AAAA -->",
          "| a | b |",
          "\\|",
          "`",
          "```",
          "~~~",
          "> ",
          "### ",
          "- [X] ",
          "\n",
          "\r\n",
          "\r",
          "\u2028",
          "\u0000",
          "\u202e",
          "\ud800",
          "\ufeff",
          "🔥",
          "Z\u0351\u0352",
          "  ",
          "\t",
          "/owner @x",
          "$2,000/hour",
        ),
        { maxLength: 12 },
      )
      .map((parts) => parts.join("")),
  },
);

/** A submitted form: the shipped headings with hostile answers, sometimes out of order or repeated. */
const formBody = fc
  .array(
    fc.tuple(
      fc.constantFrom(...(formFields(templates.form) ?? [])),
      fc.oneof(hostile, fc.constant("_No response_")),
      fc.subarray(["Meta", "Google", "Whole site", "SEV1 — critical", "- [X] Waiting costs materially more", "Measurement", "2026-11-24 09:00 CET"]),
    ),
    { maxLength: 14 },
  )
  .chain((sections) =>
    fc.constantFrom("\n", "\r\n").map((eol) =>
      sections.map(([field, answer, extra]) => [`### ${field.label}`, "", answer, ...extra].join(eol)).join(`${eol}${eol}`),
    ),
  );

const anyBody = fc.oneof(formBody, hostile, fc.string({ unit: "binary", maxLength: 400 }));

function issueWith(body: string, labels = ["incident"]): IssueView {
  return {
    number: 7,
    title: "Checkout down",
    body,
    state: "open",
    html_url: "https://github.com/acme/shop/issues/7",
    created_at: "2026-11-24T10:20:00Z",
    updated_at: "2026-11-24T10:20:00Z",
    user: { login: "dana-detects" },
    author_association: "MEMBER",
    labels,
    assignees: [],
  };
}

function engineInput(issue: IssueView, event: EngineInput["event"], log: CommentView[] = []): EngineInput {
  return {
    event,
    issue,
    config: DEFAULT_CONFIG,
    formTemplate: templates.form,
    shippedForm: templates.form,
    log,
    mayCommand: () => true,
    isBot: (login) => login.endsWith("[bot]"),
    postmortemTemplate: templates.postmortem,
  };
}

function visibleCard(body: string): string {
  const section = body.slice(0, body.indexOf(CARD_END));
  return section.slice(0, section.indexOf("<!-- firebreak:state:"));
}

function expectCardRoundTrip(body: string | undefined, state: IncidentState | undefined, userText: string): void {
  expect(body).toBeDefined();
  expect(body!.length).toBeLessThanOrEqual(BODY_LIMIT);
  expect(body!.indexOf(CARD_END) + CARD_END.length).toBeLessThanOrEqual(CARD_LIMIT);
  const parsed = parseBody(body);
  expect(parsed.hasCard).toBe(true);
  expect(parsed.userText).toBe(userText);
  expect(parsed.state).toEqual(state);
  // Code spans are Firebreak's own (user backticks become quotes) and mention nobody.
  expect(visibleCard(body!).replace(/`[^`\n]*`/g, "")).not.toMatch(/@[A-Za-z0-9]/);
}

describe("declaration + card with random and hostile user text", () => {
  it("declares any body into a card that decodes to the same record, below the user's unchanged text", () => {
    fc.assert(
      fc.property(anyBody, (body) => {
        const result = decide(engineInput(issueWith(body), { kind: "declare", at: "2026-11-24T10:20:00Z", actor: "dana-detects" }));
        expect(["declared", "routine-variance"]).toContain(result.action);
        expectCardRoundTrip(result.plan.update?.body, result.state, body);
      }),
      { numRuns: 3000 },
    );
  });

  it("keeps the record and the user's text through commands carrying hostile arguments", () => {
    const commandWith = fc.constantFrom(
      (t: string) => `/change ${t}`,
      (t: string) => `/contain ${t}`,
      (t: string) => `/check ${t}`,
      (t: string) => `/update\nsymptom: ${t}\nnext: ${t}\nscope: ${t}`,
      (t: string) => `/resolve\ncause: ${t}\nevidence: ${t}\nfix: ${t}`,
      (t: string) => `/not-incident ${t}`,
      (t: string) => `/layer ${t}`,
      (t: string) => `/owner ${t}`,
    );
    fc.assert(
      fc.property(formBody, fc.array(fc.tuple(commandWith, hostile), { minLength: 1, maxLength: 6 }), (body, cmds) => {
        const declared = decide(engineInput(issueWith(body), { kind: "declare", at: "2026-11-24T10:20:00Z", actor: "dana-detects" }));
        const issue = { ...issueWith(declared.plan.update?.body ?? body, declared.plan.update?.labels ?? ["incident"]) };
        const log = cmds.map(([make, text], i) => ({
          id: 100 + i,
          body: make(text),
          user: { login: "olga-owner" },
          author_association: "MEMBER",
          created_at: new Date(Date.parse("2026-11-24T10:30:00Z") + i * 60_000).toISOString(),
        }));
        const result = decide(engineInput(issue, { kind: "commands", at: "2026-11-24T11:00:00Z" }, log));
        const written = result.plan.update?.body ?? issue.body;
        expectCardRoundTrip(written, result.state, body);
        // Every comment is applied once: a second pass over the same log writes nothing.
        const next = { ...issue, body: written, labels: result.plan.update?.labels ?? issue.labels, assignees: result.plan.update?.assignees ?? issue.assignees };
        const again = decide(engineInput(next, { kind: "commands", at: "2026-11-24T11:05:00Z" }, log));
        expect(again.plan.update).toBeUndefined();
        expect(again.plan.replies).toEqual([]);
        expect(again.plan.reactions).toEqual([]);
      }),
      { numRuns: 1500 },
    );
  });
});

describe("renderBody with hostile text in every field", () => {
  const at = "2026-11-24T10:00:00.000Z";
  const stateWith = (t: string[]): IncidentState =>
    declaredIncident({
      declaration: { symptom: t[0]!, scope: [t[1]!.slice(0, 100)], scopeDetail: t[2]!, whatChanged: t[3]!, containment: t[4]!, cost: { amount: 10, per: "hour", text: t[5]!.slice(0, 200) } },
      layer: { likely: "measurement", source: "suggested", reason: t[6]! },
      roles: { ownerNote: t[7]! },
      check: { text: t[8]!, by: "olga-owner", at },
      containment: [{ at, by: "olga-owner", text: t[9]! }],
      interventions: [{ n: 1, text: t[10]!, by: "olga-owner", at }],
      updates: [{ at, by: "olga-owner", fields: { symptom: t[11]!, next: t[12]! }, missing: [] }],
      resolution: { cause: t[13]!, evidence: t[14]!, fix: t[15]!, at, by: "olga-owner", commentId: 1 },
      releases: [{ tag: "v1", name: t[16]!.slice(0, 300), url: "https://github.com/acme/shop/releases/tag/v1", at: "2026-11-24T04:30:00.000Z" }],
      repeatOf: { issue: 3, fix: t[17]! },
      timeline: [{ at, text: t[18]!, by: "olga-owner" }],
    });

  it("round-trips the record and the user's text, mentions nobody and keeps table rows intact", () => {
    fc.assert(
      fc.property(fc.array(hostile, { minLength: 19, maxLength: 19 }), anyBody, (texts, userText) => {
        const state = stateWith(texts);
        const body = renderBody(state, userText, { config: DEFAULT_CONFIG, now: "2026-11-24T12:00:00.000Z" });
        expectCardRoundTrip(body, state, userText);
        for (const row of visibleCard(body!).split("\n").filter((l) => l.startsWith("| "))) {
          expect(row.match(/(?<!\\)\|/g)).toHaveLength(4);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("never sends a body over GitHub's limit, never touches the user's text, and always has room below 60,000 characters", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: "binary", minLength: 200, maxLength: 4000 }), { minLength: 19, maxLength: 19 }),
        fc.nat({ max: BODY_LIMIT }),
        fc.string({ maxLength: 40 }),
        (texts, length, tail) => {
          const state = stateWith(texts);
          const userText = `${"u".repeat(length)}${tail}`;
          const body = renderBody(state, userText, { config: DEFAULT_CONFIG, now: "2026-11-24T12:00:00.000Z" });
          if (userText.length <= 60_000) expect(body).toBeDefined();
          if (body === undefined) return;
          expect(body.length).toBeLessThanOrEqual(BODY_LIMIT);
          const parsed = parseBody(body);
          expect(parsed.userText).toBe(userText);
          expect(parsed.state?.status).toBe(state.status);
          expect(parsed.state?.severity).toBe(state.severity);
        },
      ),
      { numRuns: 150 },
    );
  });
});
