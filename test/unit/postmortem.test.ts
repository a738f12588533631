import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FirebreakConfig } from "../../src/core/config.js";
import { DEFAULT_CONFIG, resolveConfig } from "../../src/core/config.js";
import type { IncidentState, Intervention } from "../../src/core/model/incident.js";
import { incidentStateSchema } from "../../src/core/model/incident.js";
import { parsePostmortemMarker, parsePostmortemMeta, postmortemMarker } from "../../src/core/model/markers.js";
import { peakParallelInterventions } from "../../src/core/postmortem/blocks.js";
import { mermaidLabel } from "../../src/core/postmortem/chart.js";
import type { PostmortemDraft } from "../../src/core/postmortem/draft.js";
import { draftPostmortem } from "../../src/core/postmortem/draft.js";
import {
  CLOSING_CHECKLIST,
  POSTMORTEM_QUESTIONS,
  REPEAT_QUESTION,
  postmortemDue,
  postmortemGapItems,
  postmortemGaps,
  processFixLink,
  repeatQuestion,
} from "../../src/core/postmortem/gate.js";
import { closedIncident, declaredIncident } from "../support/incident-factory.js";

const SHIPPED = readFileSync(new URL("../../templates/postmortem.md", import.meta.url), "utf8");
const INCIDENT = { number: 42, title: "Meta purchases down 60% after theme release", url: "https://github.com/acme/shop/issues/42" };
const CLOSED_AT = "2026-11-25T09:00:00.000Z";

function draft(state: IncidentState = closedIncident(), opts: { config?: FirebreakConfig; template?: string; now?: string; title?: string } = {}): PostmortemDraft {
  return draftPostmortem({
    incident: { ...INCIDENT, ...(opts.title === undefined ? {} : { title: opts.title }) },
    state,
    config: opts.config ?? DEFAULT_CONFIG,
    template: opts.template ?? SHIPPED,
    now: opts.now ?? CLOSED_AT,
  });
}

const ALL_QUESTIONS = POSTMORTEM_QUESTIONS.map((q) => `Answer “${q}”`);
const ALL_BOXES = CLOSING_CHECKLIST.map((item) => `Tick “${item.label}”`);

/** Replaces the placeholder under a question with an answer. */
function answer(body: string, question: string, text: string): string {
  const at = body.indexOf(`### ${question}`);
  expect(at).toBeGreaterThanOrEqual(0);
  const placeholder = body.indexOf("_Answer here._", at);
  return body.slice(0, placeholder) + text + body.slice(placeholder + "_Answer here._".length);
}

function tick(body: string, key: string, suffix = ""): string {
  const lines = body.split("\n");
  const i = lines.findIndex((l) => l.startsWith("- [ ]") && l.toLowerCase().includes(key));
  expect(i).toBeGreaterThanOrEqual(0);
  lines[i] = lines[i]!.replace("- [ ]", "- [x]") + suffix;
  return lines.join("\n");
}

function complete(body: string): string {
  let b = body;
  for (const q of POSTMORTEM_QUESTIONS) b = answer(b, q, "A real answer with evidence.");
  b = tick(b, "cause confirmed");
  b = tick(b, "operational confidence");
  b = tick(b, "process fix", " https://github.com/acme/shop/pull/77");
  b = tick(b, "response reviewed");
  return b;
}

// ---------------------------------------------------------------------------------------
// Mermaid: a checker for the subset of gantt syntax the draft writes, strict about what
// Mermaid's lexer treats as syntax inside a task name.

const GANTT_KEYWORDS = /^(gantt|title|section|dateformat|axisformat|tickinterval|excludes|includes|todaymarker|inclusiveenddates|topaxis|weekday|weekend|click|call|href|acctitle|accdescr|displaymode)\b/i;
const CHART_DATE = String.raw`\d{4}-\d{2}-\d{2} \d{2}:\d{2}`;
const TASK_RE = new RegExp(
  String.raw`^    ([^#:;"()\n%<>\x60{}\[\]|]+) : ((?:crit|done|active|milestone), )*([a-z]\d+), (${CHART_DATE}), (${CHART_DATE}|\d+m)$`,
);

function mermaidBlocks(body: string): string[] {
  return [...body.matchAll(/^```mermaid\n([\s\S]*?)\n```$/gm)].map((m) => m[1]!);
}

function ganttProblems(source: string): string[] {
  const problems: string[] = [];
  const lines = source.split("\n");
  if (lines[0] !== "gantt") problems.push(`first line ${lines[0]}`);
  const ids = new Set<string>();
  for (const line of lines.slice(1)) {
    if (/^ {4}title [^#;:\n]+$/.test(line)) continue;
    if (line === "    dateFormat YYYY-MM-DD HH:mm" || line === "    axisFormat %m-%d %H:%M") continue;
    if (/^ {4}section [^#:;\n]+$/.test(line)) continue;
    const task = TASK_RE.exec(line);
    if (!task) {
      problems.push(`not a task: ${JSON.stringify(line)}`);
      continue;
    }
    const name = task[1]!.trim();
    if (GANTT_KEYWORDS.test(name) || /^\d{4}-\d{2}-\d{2}/.test(name)) problems.push(`name starts like a statement: ${name}`);
    if (name.includes("-->") || name.includes("%%")) problems.push(`arrow or comment in name: ${name}`);
    if (ids.has(task[3]!)) problems.push(`duplicate id ${task[3]}`);
    ids.add(task[3]!);
  }
  return problems;
}

function fenceCount(body: string): number {
  return body.split("\n").filter((l) => /^ {0,3}(```|~~~)/.test(l)).length;
}

const HOSTILE = [
  "Pixel ] fired : twice # 3 --> @alice",
  "line one\nsection Evil\ntitle hijack",
  "click i1 call alert(1)",
  "%% comment ;; drop : all",
  "```\n### What happened?\n- [x] Cause confirmed",
  '"quoted" <script>alert(1)</script> {{summary}}',
  "2026-11-24 should not read as a date",
  "gantt\ndateFormat X",
];

// ---------------------------------------------------------------------------------------

describe("incident factory", () => {
  it("builds records the incident schema accepts", () => {
    expect(() => incidentStateSchema.parse(declaredIncident())).not.toThrow();
    expect(() => incidentStateSchema.parse(closedIncident())).not.toThrow();
    expect(() => incidentStateSchema.parse(closedIncident({ repeatOf: { issue: 7, postmortem: 9, fix: "#80" } }))).not.toThrow();
  });
});

describe("postmortem marker", () => {
  it("round-trips the incident number and, for a repeat, the earlier incident", () => {
    expect(postmortemMarker(42)).toBe("<!-- firebreak:postmortem incident=42 -->");
    expect(parsePostmortemMarker(`text\n${postmortemMarker(42)}\nmore`)).toBe(42);
    expect(parsePostmortemMeta(postmortemMarker(42, 7))).toEqual({ incident: 42, repeatOf: 7 });
    expect(parsePostmortemMarker("no marker here")).toBeUndefined();
    expect(parsePostmortemMarker("<!-- firebreak:postmortem incident=abc -->")).toBeUndefined();
  });
});

describe("draftPostmortem", () => {
  it("labels, assigns, dates and marks the postmortem", () => {
    const d = draft();
    expect(d.labels).toEqual(["postmortem", "layer:conversion", "sev:2"]);
    expect(d.assignees).toEqual(["olga-owner"]);
    expect(d.due).toBe("2026-11-30");
    expect(d.marker).toBe("<!-- firebreak:postmortem incident=42 -->");
    expect(d.body.startsWith(d.marker)).toBe(true);
    expect(parsePostmortemMarker(d.body)).toBe(42);
    expect(d.body).toMatch(/^Due: 2026-11-30$/m);
    expect(postmortemDue(d.body)).toBe("2026-11-30");
    expect(d.body).toContain("Postmortem of incident #42 — Meta purchases down 60% after theme release.");
    expect(d.title).toBe("Postmortem: Meta purchases down 60% after theme release (#42)");
    expect(d.body).not.toMatch(/\{\{\s*[a-z_]+\s*\}\}/);
    expect(d.body).not.toContain("firebreak-template");
  });

  it("takes the likely layer when none is confirmed, and no layer label when neither is known", () => {
    expect(draft(declaredIncident()).labels).toEqual(["postmortem", "layer:measurement", "sev:2"]);
    expect(draft(declaredIncident({ severity: 1, layer: { likely: undefined, confidence: undefined, source: undefined } })).labels).toEqual([
      "postmortem",
      "sev:1",
    ]);
  });

  it("uses the repository's label names and due days", () => {
    const { config } = resolveConfig({
      labels: { postmortem: "pm", severity: { 2: "P2" }, layer: { conversion: "area/conversion" } },
      postmortem: { due_days: 10 },
    });
    const d = draft(closedIncident(), { config });
    expect(d.labels).toEqual(["pm", "area/conversion", "P2"]);
    expect(d.due).toBe("2026-12-05");
  });

  it("counts the due date in UTC days from the event", () => {
    expect(draft(closedIncident(), { now: "2026-12-29T23:59:00Z" }).due).toBe("2027-01-03");
    expect(draft(closedIncident(), { now: "2026-11-25T09:00:00+09:00" }).due).toBe("2026-11-30");
  });

  it("assigns nobody without an owner, or when the owner could not be assigned on the incident", () => {
    expect(draft(declaredIncident()).assignees).toEqual([]);
    expect(draft(closedIncident({ roles: { ownerNote: "not a collaborator" } })).assignees).toEqual([]);
  });

  it("prefills the facts from the incident record", () => {
    const body = draft().body;
    // timeline: every entry, in UTC
    for (const [n, at] of [
      [1, "2026-11-24 09:00 UTC"],
      [7, "2026-11-24 14:02 UTC"],
      [8, "2026-11-25 09:00 UTC"],
    ] as const) {
      expect(body).toContain(`| ${n} | ${at} |`);
    }
    // roles
    expect(body).toContain("- **Detector:** `dana-detects`");
    expect(body).toContain("- **Owner:** `olga-owner`");
    expect(body).toContain("- **Responders:** `rui-tracking` (measurement), `sam-shop`");
    expect(body).toContain("- **Comms:** `cleo-comms`");
    // likely vs confirmed
    expect(body).toContain("- **Likely (triage):** **measurement** (high confidence, from the form)");
    expect(body).toContain("- **Confirmed:** **conversion**");
    expect(body).toContain("Triage guessed wrong: likely **measurement**, confirmed **conversion**.");
    // detection lag: 05:00 → 08:40
    expect(body).toContain("**3h 40m** from start (2026-11-24 05:00 UTC) to detection (2026-11-24 08:40 UTC).");
    // interventions and the most in parallel (#3 still active at close)
    expect(body).toContain("Most running at once: **3** (#1, #2, #3, from 2026-11-24 10:30 UTC) — above the 2 allowed in parallel");
    expect(body).toContain("- #3 Switch GA4 tag to server-side — `rui-tracking`, 2026-11-24 10:30 UTC → still active at close");
    // updates that lacked fields
    expect(body).toContain("1 of 2 status updates lacked fields:");
    expect(body).toContain("- 2026-11-24 09:45 UTC by `olga-owner` — missing: layer, next");
    // cost: €400/hour × 9h 02m (start → resolution)
    expect(body).toContain("≈ €3,613 (at €400/hour, over 9h 02m)");
    // cause and evidence
    expect(body).toContain("- **Cause:** Theme v4.2 broke the checkout button on iOS Safari");
  });

  it("says so when facts are absent rather than inventing them", () => {
    const body = draft(declaredIncident({ declaration: { startedAt: undefined, started: "yesterday evening" } })).body;
    expect(body).toContain("No interventions were logged");
    expect(body).toContain("No status updates were posted");
    expect(body).toContain("No cost rate was given on the form");
    expect(body).toContain("Unknown: the start time “yesterday evening” could not be read as a time.");
    expect(body).toContain("- **Confirmed:** not recorded");
    expect(body).toContain("- **Cause:** not recorded");
    expect(body).toContain("**closed:** still open when this postmortem was opened");
  });

  it("says triage guessed right when the likely layer was confirmed", () => {
    expect(draft(closedIncident({ layer: { confirmed: "measurement" } })).body).toContain("- Triage guessed right.");
  });

  it("never mentions anyone live", () => {
    const state = closedIncident({
      declaration: { symptom: "@alice says purchases dropped; cc @acme/marketing" },
      timeline: [{ at: "2026-11-24T09:00:00.000Z", text: "ping @bob", by: "bob" }],
      interventions: [{ n: 1, text: "ask @carol to pause", by: "carol", at: "2026-11-24T09:30:00.000Z" }],
    });
    const d = draft(state, { title: "@everyone checkout down" });
    expect(d.body).not.toMatch(/@[A-Za-z0-9]/);
    expect(d.title).not.toMatch(/@[A-Za-z0-9]/);
  });

  it("draws the timeline as a Mermaid gantt chart", () => {
    const blocks = mermaidBlocks(draft().body);
    expect(blocks).toHaveLength(1);
    const chart = blocks[0]!;
    expect(ganttProblems(chart)).toEqual([]);
    expect(chart).toContain("    Undetected : crit, p1, 2026-11-24 05:00, 2026-11-24 08:40");
    expect(chart).toContain("    Change 3 Switch GA4 tag to server-side : active, i3, 2026-11-24 10:30, 2026-11-25 09:00");
    expect(chart).toContain("    8 Closed : milestone, t8, 2026-11-25 09:00, 0m");
  });

  it("keeps the Mermaid chart well-formed whatever the user wrote", () => {
    const state = closedIncident({
      timeline: HOSTILE.map((text, i) => ({ at: `2026-11-24T1${i}:00:00.000Z`, text, by: "mallory" })),
      interventions: HOSTILE.map((text, i) => ({ n: i + 1, text, by: "mallory", at: `2026-11-24T1${i}:05:00.000Z` })),
    });
    const body = draft(state).body;
    const blocks = mermaidBlocks(body);
    expect(blocks).toHaveLength(1);
    expect(ganttProblems(blocks[0]!)).toEqual([]);
    expect(fenceCount(body) % 2).toBe(0);
    // nobody's text became a heading, a ticked box or a placeholder
    expect(postmortemGaps(body)).toEqual([...ALL_QUESTIONS, ...ALL_BOXES]);
    expect(body).not.toContain("<script>");
  });

  it("has a chart checker that catches what breaks Mermaid", () => {
    const ok = "gantt\n    dateFormat YYYY-MM-DD HH:mm\n    1 Declared : milestone, t1, 2026-11-24 09:00, 0m";
    expect(ganttProblems(ok)).toEqual([]);
    for (const name of ["a : b", "x # y", "section z", "click me", "2026-11-24 x", "a (b)", "a --> b"]) {
      expect(ganttProblems(`gantt\n    ${name} : milestone, t1, 2026-11-24 09:00, 0m`)).not.toEqual([]);
    }
    expect(ganttProblems("gantt\n    a : t1, 2026-11-24 09:00, 0m\n    b : t1, 2026-11-24 09:00, 0m")).toEqual(["duplicate id t1"]);
  });

  it("makes every label safe for Mermaid", () => {
    expect(mermaidLabel("a ] b : c # d --> e")).toBe("a b c d -- e");
    expect(mermaidLabel("x\ny;z%%w")).toBe("x y z w");
    expect(mermaidLabel("x".repeat(100))).toHaveLength(60);
  });

  it("keeps the gate's contract even with an empty template: marker, due line, link, every question and box", () => {
    const d = draft(closedIncident(), { template: "" });
    expect(parsePostmortemMarker(d.body)).toBe(42);
    expect(postmortemDue(d.body)).toBe(d.due);
    expect(d.body).toContain("#42");
    expect(postmortemGaps(d.body)).toEqual([
      ...POSTMORTEM_QUESTIONS.map((q) => `Answer “${q}”`),
      ...CLOSING_CHECKLIST.map((item) => `Tick “${item.label}”`),
    ]);
  });

  it("adds the repeat's fact line, its fifth question and a marker naming the earlier incident", () => {
    const state = closedIncident({ repeatOf: { issue: 7, postmortem: 9, fix: "https://github.com/acme/shop/pull/12" } });
    const d = draft(state);
    expect(d.marker).toBe("<!-- firebreak:postmortem incident=42 repeat-of=7 -->");
    expect(d.body).toContain("**Repeat** of #7 (postmortem #9) — its process fix: https\u2060://github.com/acme/shop/pull/12.");
    expect(d.body).toContain(`### ${repeatQuestion(7)}\n\n_Answer here._`);
    expect(d.body.indexOf(repeatQuestion(7))).toBeLessThan(d.body.indexOf("### Closing checklist"));
    expect(draft().body).not.toContain(REPEAT_QUESTION.slice(0, 20));
  });

  it("keeps the gate's contract whatever a repository's template leaves out", () => {
    const template = "# Our postmortem for {{incident}}\n\n{{summary}}\n\n{{unknown_thing}}\n";
    const d = draft(closedIncident({ repeatOf: { issue: 7 } }), { template });
    expect(d.body).toContain("{{unknown_thing}}");
    expect(d.body).toMatch(/^Due: 2026-11-30$/m);
    expect(parsePostmortemMarker(d.body)).toBe(42);
    expect(postmortemGaps(d.body)).toEqual([...ALL_QUESTIONS, `Answer “${repeatQuestion(7)}”`, ...ALL_BOXES]);
    expect(postmortemGaps(complete(answer(d.body, repeatQuestion(7), "It only covered iOS.")))).toEqual([]);
  });

  it("adds missing questions before a custom checklist and missing boxes into it", () => {
    const template = "Due: {{due}} for {{incident}}\n\n### What happened?\n\n_Answer here._\n\n## Checklist\n\n- [ ] Cause confirmed with evidence\n- [ ] Finance informed\n";
    const body = draft(closedIncident(), { template }).body;
    expect(body.match(/^Due:/gm)).toHaveLength(1);
    expect(body).not.toContain("Postmortem of incident #42.");
    expect(body.indexOf("### What did it cost?")).toBeLessThan(body.indexOf("## Checklist"));
    expect(body.indexOf("- [ ] Response reviewed")).toBeGreaterThan(body.indexOf("## Checklist"));
    expect(postmortemGaps(body)).toEqual([...ALL_QUESTIONS, ...ALL_BOXES, "Tick “Finance informed”"]);
  });

  it("fits GitHub's body limit by shortening lists, never by dropping the gate", () => {
    const many = Array.from({ length: 500 }, (_, i) => ({
      at: new Date(Date.parse("2026-11-24T09:00:00Z") + i * 60_000).toISOString(),
      text: `Entry ${i} ${"long words ".repeat(30)}`,
      by: "olga-owner",
    }));
    const d = draft(closedIncident({ timeline: many }));
    expect(d.body.length).toBeLessThanOrEqual(65_536);
    expect(d.body).toMatch(/\| … \| \| \d+ earlier entries are in the incident's comments \| \|/);
    expect(d.body).toContain("| 500 |");
    expect(postmortemGaps(d.body)).toEqual([...ALL_QUESTIONS, ...ALL_BOXES]);
    expect(fenceCount(d.body) % 2).toBe(0);
  });
});

describe("peakParallelInterventions", () => {
  const i = (n: number, at: string, doneAt?: string): Intervention => ({
    n,
    text: `change ${n}`,
    by: "olga-owner",
    at: `2026-11-24T${at}:00.000Z`,
    ...(doneAt ? { doneAt: `2026-11-24T${doneAt}:00.000Z` } : {}),
  });
  const close = "2026-11-24T18:00:00.000Z";

  it.each([
    { name: "none", list: [], count: 0, ns: [] },
    { name: "one", list: [i(1, "10:00", "11:00")], count: 1, ns: [1] },
    { name: "back to back do not overlap", list: [i(1, "10:00", "11:00"), i(2, "11:00", "12:00")], count: 1, ns: [1] },
    { name: "two overlapping", list: [i(1, "10:00", "11:00"), i(2, "10:30", "12:00")], count: 2, ns: [1, 2] },
    {
      name: "three at the peak, fewer later",
      list: [i(1, "09:30", "12:00"), i(2, "10:00", "11:00"), i(3, "10:30"), i(4, "13:00", "14:00")],
      count: 3,
      ns: [1, 2, 3],
    },
    { name: "still active runs until the close", list: [i(1, "10:00"), i(2, "17:59", "17:59")], count: 2, ns: [1, 2] },
    { name: "started after the close counts alone", list: [i(1, "10:00", "11:00"), i(2, "19:00")], count: 1, ns: [1] },
    { name: "done before it began counts as a moment", list: [i(1, "10:00", "09:00"), i(2, "10:00", "11:00")], count: 2, ns: [1, 2] },
  ])("$name", ({ list, count, ns }) => {
    const peak = peakParallelInterventions(list, close);
    expect(peak.count).toBe(count);
    expect(peak.interventions).toEqual(ns);
  });

  it("ignores times that do not parse", () => {
    expect(peakParallelInterventions([{ n: 1, text: "x", by: "a", at: "yesterday" }], close).count).toBe(0);
  });
});

describe("postmortemGaps", () => {
  const fresh = draft().body;

  it("lists all four questions and all four boxes on a fresh draft", () => {
    expect(postmortemGaps(fresh)).toEqual([...ALL_QUESTIONS, ...ALL_BOXES]);
    expect(postmortemGapItems(fresh).map((g) => g.kind)).toEqual([...Array(4).fill("question"), ...Array(4).fill("checklist")]);
  });

  it("lists nothing once every question is answered and every box ticked", () => {
    expect(postmortemGaps(complete(fresh))).toEqual([]);
  });

  it("lists exactly what is still missing", () => {
    let b = answer(fresh, "What happened?", "The theme release removed the checkout button's handler on iOS.");
    b = answer(b, "Why was it not detected sooner?", "Nobody watched iOS conversion rate separately.");
    b = tick(b, "cause confirmed");
    b = tick(b, "response reviewed");
    expect(postmortemGaps(b)).toEqual([
      "Answer “What did it cost?”",
      "Answer “What system change makes recurrence less likely or less costly?”",
      `Tick “${CLOSING_CHECKLIST[1]!.label}”`,
      `Tick “${CLOSING_CHECKLIST[2]!.label}”`,
    ]);
  });

  it("asks the repeat question when the marker or the caller says it is a repeat", () => {
    const repeat = draft(closedIncident({ repeatOf: { issue: 7 } })).body;
    const done = complete(repeat);
    expect(postmortemGaps(done)).toEqual([`Answer “${repeatQuestion(7)}”`]);
    expect(postmortemGaps(answer(done, repeatQuestion(7), "The guardrail only covered desktop."))).toEqual([]);
    // the caller's record decides even when someone deleted the marker
    const withoutMarker = complete(fresh).replace(/<!-- firebreak:postmortem[^>]*-->/, "");
    expect(postmortemGaps(withoutMarker, { repeatOf: 7 })).toEqual([`Answer “${repeatQuestion(7)}”`]);
  });

  it("treats a section with nothing but the placeholder, a comment or blank lines as unanswered", () => {
    let b = complete(fresh).replace("A real answer with evidence.", "<!-- later -->\n\n   ");
    expect(postmortemGaps(b)).toEqual(["Answer “What happened?”"]);
    b = complete(fresh).replace("A real answer with evidence.", "**_Answer here._**");
    expect(postmortemGaps(b)).toEqual(["Answer “What happened?”"]);
    b = complete(fresh).replace("A real answer with evidence.", "#### Notes\n\n---");
    expect(postmortemGaps(b)).toEqual(["Answer “What happened?”"]);
  });

  it("accepts an answer written next to the placeholder, in a code block or under a sub-heading", () => {
    const base = complete(fresh);
    expect(postmortemGaps(base.replace("A real answer with evidence.", "_Answer here._ The rollback fixed it."))).toEqual([]);
    expect(postmortemGaps(base.replace("A real answer with evidence.", "```\nGA4 tag fired twice\n```"))).toEqual([]);
    expect(postmortemGaps(base.replace("A real answer with evidence.", "#### Root cause\n\nThe theme."))).toEqual([]);
  });

  it("is tolerant of [X], CRLF, other list markers, extra text and reworded headings", () => {
    let b = complete(fresh).replace(/- \[x\]/g, "* [X]").replace(/\n/g, "\r\n");
    b = b.replace("### What happened?", "## 1. What happened? (short version) ##");
    b = b.replace("Cause confirmed with evidence", "Cause confirmed with evidence — see the rollback comment");
    expect(postmortemGaps(b)).toEqual([]);
  });

  it("ignores headings and boxes inside code blocks and HTML comments", () => {
    const fake = "\n```\n### What happened?\nIt broke.\n- [x] Cause confirmed with evidence\n```\n<!--\n- [x] Response reviewed\n-->\n";
    expect(postmortemGaps(`${fake}${fresh}`)).toEqual([...ALL_QUESTIONS, ...ALL_BOXES]);
  });

  it("does not let the checklist answer the last question when a template nests it deeper", () => {
    const body = "## What happened?\n\n_Answer here._\n\n### Closing checklist\n\n- [x] Cause confirmed with evidence\n";
    expect(postmortemGaps(body)).toContain("Answer “What happened?”");
  });

  it("gates on boxes people added to the closing checklist", () => {
    const b = `${complete(fresh).trimEnd()}\n- [ ] Finance told about the refund @dave\n`;
    expect(postmortemGaps(b)).toEqual(["Tick “Finance told about the refund @\u2060dave”"]);
  });

  it("asks for the process fix's link when its box is ticked without one", () => {
    const b = complete(fresh).replace(" https://github.com/acme/shop/pull/77", "");
    expect(postmortemGapItems(b)).toEqual([{ kind: "fix-link", text: "Link to the process fix on its checklist line (URL or #issue)" }]);
  });

  it("names a missing heading or box as missing", () => {
    expect(postmortemGaps("")).toEqual([...ALL_QUESTIONS, ...ALL_BOXES]);
    expect(postmortemGaps(complete(fresh).replace("### What did it cost?", "Cost was high."))).toEqual(["Answer “What did it cost?”"]);
  });

  it("never throws, whatever the body", () => {
    const pieces = fc.constantFrom(
      "### What happened?",
      "## What did it cost? ##",
      "_Answer here._",
      "- [ ] ",
      "- [x] ",
      "* [X] Process fix installed — link: ",
      "```",
      "~~~",
      "<!--",
      "-->",
      "\r\n",
      "\n",
      "#",
      "[a](",
      "https://",
      "#12",
      "Closing checklist",
      "   ",
      "\u202e",
      postmortemMarker(3, 2),
    );
    const body = fc.array(fc.oneof(pieces, fc.string(), fc.string({ unit: "grapheme" })), { maxLength: 60 }).map((parts) => parts.join(""));
    fc.assert(
      fc.property(body, fc.option(fc.nat(), { nil: undefined }), (b, repeatOf) => {
        const gaps = postmortemGaps(b, repeatOf === undefined ? {} : { repeatOf });
        expect(Array.isArray(gaps)).toBe(true);
        expect(gaps.length).toBeGreaterThanOrEqual(0);
        processFixLink(b);
        parsePostmortemMarker(b);
      }),
      { numRuns: 500 },
    );
  });

  it("keeps a fresh draft fully gated and its chart well-formed whatever text the incident holds", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.constantFrom(...HOSTILE)), { minLength: 1, maxLength: 8 }), (texts) => {
        const state = closedIncident({
          timeline: texts.map((text, i) => ({ at: `2026-11-24T1${i}:00:00.000Z`, text, by: "mallory" })),
          interventions: texts.map((text, i) => ({ n: i + 1, text, by: "mallory", at: `2026-11-24T1${i}:30:00.000Z` })),
          declaration: { symptom: texts.join("\n") },
        });
        const body = draft(state, { title: texts[0] }).body;
        expect(postmortemGaps(body)).toEqual([...ALL_QUESTIONS, ...ALL_BOXES]);
        for (const chart of mermaidBlocks(body)) expect(ganttProblems(chart)).toEqual([]);
        expect(fenceCount(body) % 2).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});

describe("processFixLink", () => {
  const line = (rest: string, box = "x") => `### Closing checklist\n\n- [${box}] Process fix installed — a monitor, checklist, owner rule or release guardrail — link: ${rest}\n`;

  it.each([
    { rest: "https://github.com/acme/shop/pull/77", link: "https://github.com/acme/shop/pull/77" },
    { rest: "https://example.com/monitors/42.", link: "https://example.com/monitors/42" },
    { rest: "[iOS checkout monitor](https://grafana.example.com/d/abc?x=1)", link: "https://grafana.example.com/d/abc?x=1" },
    { rest: "<https://example.com/runbook>", link: "https://example.com/runbook" },
    { rest: "[guardrail](https://en.wikipedia.org/wiki/Canary_(release))", link: "https://en.wikipedia.org/wiki/Canary_(release)" },
    { rest: '[monitor](<https://example.com/m/1> "the monitor")', link: "https://example.com/m/1" },
    { rest: "#77", link: "#77" },
    { rest: "acme/guardrails#12", link: "acme/guardrails#12" },
    { rest: "", link: undefined },
    { rest: "(to do)", link: undefined },
  ])("$rest → $link", ({ rest, link }) => {
    expect(processFixLink(line(rest))).toBe(link);
  });

  it("prefers what follows `link:` over other references on the line", () => {
    const body = "- [x] Process fix installed (see #3 for the debate) — link: #80\n";
    expect(processFixLink(body)).toBe("#80");
  });

  it("reads a link written on the indented line below", () => {
    expect(processFixLink(`${line("", "x")}  https://example.com/alert\n`)).toBe("https://example.com/alert");
  });

  it("finds nothing without the checklist line", () => {
    expect(processFixLink("We added https://example.com/x somewhere")).toBeUndefined();
    expect(processFixLink(draft().body)).toBeUndefined();
  });
});
