// The postmortem (SPEC §6, §7): drafted from the incident record when the incident closes,
// and gated on close until its questions are answered and its closing checklist is ticked.
// Also the repeat logic: which earlier incident a new one repeats, and what its postmortem is told.
import { BODY_LIMIT, estimatedCost } from "./card.js";
import type { FirebreakConfig } from "./config.js";
import type { Layer } from "./model/domain.js";
import type { IncidentState, Intervention, TimelineEntry } from "./model/incident.js";
import { parsePostmortemMeta, postmortemMarker, withoutPostmortemMarker, withoutTemplateDoc } from "./model/markers.js";
import { isDismissedOrVariance } from "./model/status.js";
import { inline, noMentions, person } from "./text/inert.js";
import { lineKinds, linesOf, withoutComments } from "./text/scanner.js";
import { formatElapsed, formatUtc } from "./time.js";

// ---------------------------------------------------------------------------------------
// The questions and the checklist: the gate's vocabulary, shared by the draft and the gaps.

export const POSTMORTEM_QUESTIONS: readonly string[] = [
  "What happened?",
  "What did it cost?",
  "Why was it not detected sooner?",
  "What system change makes recurrence less likely or less costly?",
];

/** The fifth question a repeat's postmortem must answer; `repeatQuestion(n)` names the earlier incident. */
export const REPEAT_QUESTION = "Why did the earlier fix not hold?";

export function repeatQuestion(earlier: number): string {
  return `Why did the earlier fix (from #${earlier}) not hold?`;
}

/** The visible line under each question; a section holding only this is unanswered. */
export const ANSWER_PLACEHOLDER = "_Answer here._";

export interface ChecklistItem {
  /** Words that identify the box even when people reword the rest of its line. */
  key: string;
  /** The line as the template writes it (after `- [ ] `). */
  text: string;
  /** How a gap names it. */
  label: string;
}

export const CLOSING_CHECKLIST: readonly ChecklistItem[] = [
  { key: "cause confirmed", text: "Cause confirmed with evidence", label: "Cause confirmed with evidence" },
  {
    key: "operational confidence",
    text: "Operational confidence restored (business, team and data trusted again)",
    label: "Operational confidence restored (business, team and data trusted again)",
  },
  {
    key: "process fix",
    text: "Process fix installed — a monitor, checklist, owner rule or release guardrail — link:",
    label: "Process fix installed — a monitor, checklist, owner rule or release guardrail",
  },
  {
    key: "response reviewed",
    text: "Response reviewed (parallel changes, communication)",
    label: "Response reviewed (parallel changes, communication)",
  },
];

/** The `Due: YYYY-MM-DD` line of a postmortem (GitHub issues have no due date). */
export function postmortemDue(body: string): string | undefined {
  return /^[ \t]*(?:\*\*)?Due:(?:\*\*)?[ \t]*(\d{4}-\d{2}-\d{2})\b/m.exec(body)?.[1];
}

// ---------------------------------------------------------------------------------------
// Reading a postmortem body: headings, task-list boxes and sections, as GitHub renders them.

interface Heading {
  level: number;
  /** Lower-case words of the heading (see `normalize`). */
  words: string;
  line: number;
}

interface Box {
  checked: boolean;
  text: string;
  line: number;
  /** Indented lines under the item: people put the link there too. */
  more: string[];
}

interface Outline {
  lines: string[];
  /** Whether a line is inside a fenced code block (never a heading or a box there). */
  fenced: boolean[];
  headings: Heading[];
  boxes: Box[];
}

const HEADING_RE = /^ {0,3}(#{1,6})(?:[ \t]+(.*))?$/;
const BOX_RE = /^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+\[([ xX])\](?:[ \t]+(.*))?$/;
function outline(body: string): Outline {
  const lines = linesOf(withoutComments(body));
  const fenced = lineKinds(lines, { unclosed: "rest" }).map((kind) => kind === "code");
  const headings: Heading[] = [];
  const boxes: Box[] = [];
  lines.forEach((line, i) => {
    if (fenced[i]) return;
    const h = HEADING_RE.exec(line);
    if (h) {
      headings.push({ level: h[1]!.length, words: normalize((h[2] ?? "").replace(/(?:^|[ \t]+)#+[ \t]*$/, "")), line: i });
      return;
    }
    const b = BOX_RE.exec(line);
    if (b) boxes.push({ checked: b[1] !== " ", text: (b[2] ?? "").trim(), line: i, more: [] });
  });
  for (const box of boxes) {
    for (let j = box.line + 1; j < lines.length; j++) {
      const next = lines[j]!;
      if (fenced[j] || !/^[ \t]{2,}\S/.test(next) || BOX_RE.test(next)) break;
      box.more.push(next.trim());
    }
  }
  return { lines, fenced, headings, boxes };
}

/** Lower-case words only, so "**What happened?** (short)" still holds "what happened". */
function normalize(text: string): string {
  return text
    .replace(/\(\s*from\s+#\d+\s*\)/gi, " ")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

const QUESTION_KEYS = POSTMORTEM_QUESTIONS.map(normalize);
const REPEAT_KEY = normalize(REPEAT_QUESTION);

function isGateHeading(words: string): boolean {
  return words.includes("checklist") || words.includes(REPEAT_KEY) || QUESTION_KEYS.some((k) => words.includes(k));
}

/**
 * The lines of the section under a heading: up to the next heading of the same or a higher
 * level, or the next question or checklist heading whatever its level (a custom template
 * may nest them differently, and a checklist must never count as an answer).
 */
function sectionLines(o: Outline, index: number): { lines: string[]; fenced: boolean[] } {
  const h = o.headings[index]!;
  let end = o.lines.length;
  for (const next of o.headings.slice(index + 1)) {
    if (next.level <= h.level || isGateHeading(next.words)) {
      end = next.line;
      break;
    }
  }
  return { lines: o.lines.slice(h.line + 1, end), fenced: o.fenced.slice(h.line + 1, end) };
}

const PLACEHOLDER_RE = /(?:\*\*|__|\*|_)?[ \t]*answer here[ \t]*\.?[ \t]*(?:\*\*|__|\*|_)?/gi;

function isAnswered(section: { lines: string[]; fenced: boolean[] }): boolean {
  // Sub-headings are structure, not an answer; code in a fence is an answer.
  const text = section.lines.filter((line, i) => section.fenced[i] || !HEADING_RE.test(line)).join("\n");
  return /[\p{L}\p{N}]/u.test(text.replace(PLACEHOLDER_RE, " "));
}

/** Answered-ness of each question found; a question heading that appears twice is answered if either is. */
function questionStatus(o: Outline, key: string): "answered" | "unanswered" | "absent" {
  let found = false;
  for (let i = 0; i < o.headings.length; i++) {
    if (!o.headings[i]!.words.includes(key)) continue;
    found = true;
    if (isAnswered(sectionLines(o, i))) return "answered";
  }
  return found ? "unanswered" : "absent";
}

function checklistSection(o: Outline): { from: number; to: number } | undefined {
  const index = o.headings.findIndex((h) => h.words.includes("checklist"));
  if (index < 0) return undefined;
  const h = o.headings[index]!;
  const next = o.headings.slice(index + 1).find((n) => n.level <= h.level || isGateHeading(n.words));
  return { from: h.line, to: next?.line ?? o.lines.length };
}

function boxesFor(o: Outline, item: ChecklistItem): Box[] {
  return o.boxes.filter((b) => normalize(b.text).includes(item.key));
}

// ---------------------------------------------------------------------------------------
// The process fix's link.

const MD_LINK_RE = /\[[^\]\n]*\]\(\s*<?(https?:\/\/[^\s)>]+)>?(?:\s+"[^"]*")?\s*\)/i;
const URL_RE = /https?:\/\/[^\s<>()[\]"'`]+/i;
const REF_RE = /(?:^|[^\w&#/.-])((?:[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9_.-]+)?#\d{1,9})\b/;

function linkIn(long: string): string | undefined {
  // A link sits near the start; a bound keeps hostile lines cheap for these patterns.
  const text = long.slice(0, 2_000);
  const md = MD_LINK_RE.exec(text)?.[1];
  if (md) return md;
  const url = URL_RE.exec(text)?.[0];
  if (url) return url.replace(/[.,;:!?]+$/, "");
  return REF_RE.exec(text)?.[1];
}

/** The link (URL or `#ref`) on the "process fix installed" checklist line, if any; a ticked line wins. */
export function processFixLink(body: string): string | undefined {
  const o = outline(body);
  const boxes = boxesFor(o, CLOSING_CHECKLIST[2]!).sort((a, b) => Number(b.checked) - Number(a.checked));
  for (const box of boxes) {
    const all = [box.text, ...box.more].join("\n");
    // What follows "link:" is the answer; the rest of the line may cite other issues.
    const after = /\blink\s*:([\s\S]*)$/i.exec(all)?.[1];
    const found = (after !== undefined ? linkIn(after) : undefined) ?? linkIn(all);
    if (found) return found;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------
// What is still missing before the postmortem may close.

export interface PostmortemGap {
  kind: "question" | "checklist" | "fix-link";
  /** The question, or the box's text: safe to show in a Markdown list item. */
  text: string;
}

/** What is missing, itemised: the engine's reopen reply lists these. */
export function postmortemGapItems(body: string, opts: { repeatOf?: number } = {}): PostmortemGap[] {
  const text = typeof body === "string" ? body : "";
  const o = outline(text);
  const gaps: PostmortemGap[] = [];
  POSTMORTEM_QUESTIONS.forEach((question, i) => {
    if (questionStatus(o, QUESTION_KEYS[i]!) !== "answered") gaps.push({ kind: "question", text: question });
  });
  const repeatOf = opts.repeatOf ?? parsePostmortemMeta(text)?.repeatOf;
  if (repeatOf !== undefined && questionStatus(o, REPEAT_KEY) !== "answered") {
    gaps.push({ kind: "question", text: repeatQuestion(repeatOf) });
  }
  for (const item of CLOSING_CHECKLIST) {
    if (!boxesFor(o, item).some((b) => b.checked)) gaps.push({ kind: "checklist", text: item.label });
  }
  // Boxes people added to the closing checklist gate too: they put them there for a reason.
  const section = checklistSection(o);
  if (section) {
    for (const box of o.boxes) {
      if (box.checked || box.line <= section.from || box.line >= section.to) continue;
      if (CLOSING_CHECKLIST.some((item) => normalize(box.text).includes(item.key))) continue;
      gaps.push({ kind: "checklist", text: inline(box.text, 200) || "(an unticked box without text)" });
    }
  }
  const fixTicked = boxesFor(o, CLOSING_CHECKLIST[2]!).some((b) => b.checked);
  if (fixTicked && processFixLink(text) === undefined) {
    gaps.push({ kind: "fix-link", text: "Link to the process fix on its checklist line (URL or #issue)" });
  }
  return gaps;
}

/**
 * Exactly what is missing, one line each: "Answer “What happened?”", "Tick “Cause confirmed
 * with evidence”", and the process fix's link when its box is ticked without one. Empty when
 * the postmortem may close.
 */
export function postmortemGaps(body: string, opts: { repeatOf?: number } = {}): string[] {
  return postmortemGapItems(body, opts).map((g) =>
    g.kind === "question" ? `Answer “${g.text}”` : g.kind === "checklist" ? `Tick “${g.text}”` : g.text,
  );
}

// ---------------------------------------------------------------------------------------
// Facts from the incident record.

function ms(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : undefined;
}

function utc(iso: string | undefined): string {
  const t = ms(iso);
  if (t === undefined) return iso ? inline(iso, 40) : "—";
  return formatUtc(new Date(t));
}

function span(from: string | undefined, to: string | undefined): string | undefined {
  const a = ms(from);
  const b = ms(to);
  return a === undefined || b === undefined ? undefined : formatElapsed(b - a);
}

export interface ParallelPeak {
  /** Most interventions running at one moment. */
  count: number;
  /** When that peak began. */
  at?: string;
  /** The interventions running then, by number. */
  interventions: number[];
}

/**
 * The most interventions that ran at once. Each runs from `at` to `doneAt`; one still active
 * runs until `until` (the close). One that ends as another starts did not overlap it.
 */
export function peakParallelInterventions(interventions: readonly Intervention[], until: string): ParallelPeak {
  const end = ms(until) ?? Number.POSITIVE_INFINITY;
  const spans = interventions.flatMap((i) => {
    const s = ms(i.at);
    if (s === undefined) return [];
    const e = Math.max(s, ms(i.doneAt) ?? end);
    return [{ n: i.n, at: i.at, s, e }];
  });
  let peak: ParallelPeak = { count: 0, interventions: [] };
  for (const start of [...spans].sort((a, b) => a.s - b.s || a.n - b.n)) {
    const running = spans.filter((o) => o.s <= start.s && (start.s < o.e || o.s === start.s));
    if (running.length > peak.count) {
      peak = { count: running.length, at: start.at, interventions: running.map((r) => r.n).sort((a, b) => a - b) };
    }
  }
  return peak;
}

const SOURCE_TEXT: Record<NonNullable<IncidentState["layer"]["source"]>, string> = {
  form: "from the form",
  suggested: "suggested by Firebreak",
  command: "set with /layer",
  label: "set by label",
};

const OUTCOMES_TEXT: Record<NonNullable<IncidentState["declaration"]["outcomes"]>, string> = {
  business: "business outcomes changed (orders, revenue)",
  "reporting-only": "only platform reporting changed",
  "not-sure": "not sure at declaration",
};

function confirmedLayer(state: IncidentState): Layer | undefined {
  return state.layer.confirmed ?? state.resolution?.layer;
}

function summaryBlock(state: IncidentState, config: FirebreakConfig): string {
  const d = state.declaration;
  const lines: string[] = [];
  lines.push(`- **Symptom:** ${d.symptom ? inline(d.symptom, 600) : "—"}`);
  const scope = d.scope.map((s) => inline(s, 60)).join(", ") || "—";
  lines.push(`- **Scope:** ${scope}${d.scopeDetail ? ` — ${inline(d.scopeDetail, 300)}` : ""}`);
  if (d.outcomes) lines.push(`- **Business outcomes:** ${OUTCOMES_TEXT[d.outcomes]}`);
  lines.push(`- **Severity:** SEV${state.severity} (${inline(config.severities[state.severity].name, 40)})`);
  const started = d.startedAt ? utc(d.startedAt) : d.started ? `“${inline(d.started, 80)}” (as written on the form)` : "—";
  const closed = state.times.closed ? utc(state.times.closed) : "still open when this postmortem was opened";
  lines.push(`- **Started:** ${started} · **declared:** ${utc(state.declaredAt)} · **closed:** ${closed}`);
  const r = state.resolution;
  if (r) {
    lines.push(`- **Cause:** ${inline(r.cause, 600)}`);
    lines.push(`- **Evidence:** ${inline(r.evidence, 600)}`);
    lines.push(`- **Fix:** ${r.fix ? inline(r.fix, 600) : "—"}`);
  } else {
    lines.push("- **Cause:** not recorded (`/resolve` was not run)");
  }
  const contained = state.containment.map((c) => inline(c.text, 200));
  if (d.containment) contained.unshift(inline(d.containment, 200));
  if (contained.length > 0) lines.push(`- **Containment:** ${contained.join("; ")}`);
  if (d.whatChanged || state.releases.length > 0) {
    const releases = state.releases.map((rel) => `release ${inline(rel.name ?? rel.tag, 80)} (${utc(rel.at)})`);
    const parts = [...(d.whatChanged ? [inline(d.whatChanged, 300)] : []), ...releases];
    lines.push(`- **What changed just before:** ${parts.join("; ")}`);
  }
  return lines.join("\n");
}

function rolesBlock(state: IncidentState): string {
  const r = state.roles;
  const responders = r.responders.map((x) => `${person(x.login)}${x.layer ? ` (${x.layer})` : ""}`).join(", ") || "—";
  return [
    `- **Detector:** ${person(r.detector)}`,
    `- **Owner:** ${person(r.owner)}${r.ownerNote ? ` — ${inline(r.ownerNote, 200)}` : ""}`,
    `- **Responders:** ${responders}`,
    `- **Comms:** ${person(r.comms)}`,
  ].join("\n");
}

function layersBlock(state: IncidentState): string {
  const l = state.layer;
  const confirmed = confirmedLayer(state);
  const how = [l.confidence ? `${l.confidence} confidence` : undefined, l.source ? SOURCE_TEXT[l.source] : undefined]
    .filter(Boolean)
    .join(", ");
  const lines = [
    `- **Likely (triage):** ${l.likely ? `**${l.likely}**${how ? ` (${how})` : ""}` : "not set"}`,
    `- **Confirmed:** ${confirmed ? `**${confirmed}**` : "not recorded"}`,
  ];
  if (l.likely && confirmed) {
    lines.push(
      l.likely === confirmed
        ? "- Triage guessed right."
        : `- Triage guessed wrong: likely **${l.likely}**, confirmed **${confirmed}**.`,
    );
  }
  return lines.join("\n");
}

function detectionBlock(state: IncidentState): string {
  const d = state.declaration;
  const detectedAt = d.detectedAt ?? state.declaredAt;
  const detectedHow = d.detectedAt ? "detection" : "detection (taken as the declaration)";
  const lag = span(d.startedAt, detectedAt);
  const first = lag
    ? `**${lag}** from start (${utc(d.startedAt)}) to ${detectedHow} (${utc(detectedAt)}).`
    : d.started
      ? `Unknown: the start time “${inline(d.started, 80)}” could not be read as a time.`
      : "Unknown: the form gave no start time.";
  const from = state.declaredAt;
  const milestones = [
    `detection → declaration ${span(detectedAt, from) ?? "—"}`,
    `declaration → owner ${span(from, state.times.owner) ?? "—"}`,
    `→ containment ${span(from, state.times.contained) ?? "—"}`,
    `→ resolution ${span(from, state.times.resolved) ?? "—"}`,
    `→ close ${span(from, state.times.closed) ?? "—"}`,
  ];
  return `${first}\n\n${milestones.join(" · ")}`;
}

function interventionsBlock(state: IncidentState, config: FirebreakConfig, closedAt: string, limit: number): string {
  const all = state.interventions;
  if (all.length === 0) return "No interventions were logged (`/change`).";
  const peak = peakParallelInterventions(all, closedAt);
  const allowed = config.max_parallel_interventions;
  const over = peak.count > allowed ? ` — above the ${allowed} allowed in parallel: stacked changes blur which one worked` : "";
  const when = peak.count > 1 && peak.at ? ` (${peak.interventions.map((n) => `#${n}`).join(", ")}, from ${utc(peak.at)})` : "";
  const lines = [`Most running at once: **${peak.count}**${when}${over}.`, ""];
  const shown = all.slice(-limit);
  if (all.length > shown.length) lines.push(`- … ${all.length - shown.length} earlier interventions are in the incident's comments`);
  for (const i of shown) {
    const ran = i.doneAt ? `${utc(i.at)} → ${utc(i.doneAt)} (${span(i.at, i.doneAt) ?? "—"})` : `${utc(i.at)} → still active at close`;
    lines.push(`- #${i.n} ${inline(i.text, 200)} — ${person(i.by)}, ${ran}`);
  }
  return lines.join("\n");
}

function updatesBlock(state: IncidentState, limit: number): string {
  if (state.updates.length === 0) return "No status updates were posted (`/update`).";
  const lacking = state.updates.filter((u) => u.missing.length > 0);
  if (lacking.length === 0) return `All ${state.updates.length} status updates had every field.`;
  const shown = lacking.slice(-limit);
  const lines = [`${lacking.length} of ${state.updates.length} status updates lacked fields:`, ""];
  if (lacking.length > shown.length) lines.push(`- … ${lacking.length - shown.length} earlier ones are in the incident's comments`);
  for (const u of shown) lines.push(`- ${utc(u.at)} by ${person(u.by)} — missing: ${u.missing.join(", ")}`);
  return lines.join("\n");
}

function costBlock(state: IncidentState, closedAt: string): string {
  const cost = estimatedCost(state, closedAt);
  if (!cost) return "No cost rate was given on the form, so Firebreak made no estimate.";
  const to = state.times.resolved ? "resolution" : "close";
  return `${cost} — the form's rate times the time from start to ${to}.`;
}

function repeatBlock(state: IncidentState): string {
  const r = state.repeatOf;
  if (!r) return "";
  const pm = r.postmortem ? ` (postmortem #${r.postmortem})` : "";
  const fix = r.fix ? `its process fix: ${inline(r.fix, 300)}` : "no process fix was linked";
  return `**Repeat** of #${r.issue}${pm} — ${fix}. This postmortem also asks why that fix did not hold.`;
}

function repeatQuestionBlock(state: IncidentState): string {
  return state.repeatOf ? `### ${repeatQuestion(state.repeatOf.issue)}\n\n${ANSWER_PLACEHOLDER}\n` : "";
}

function timelineTable(entries: readonly TimelineEntry[], limit: number): string {
  if (entries.length === 0) return "_No timeline entries._";
  const first = Math.max(0, entries.length - limit);
  const rows = ["| # | when (UTC) | what | who |", "|---|---|---|---|"];
  if (first > 0) rows.push(`| … | | ${first} earlier entries are in the incident's comments | |`);
  entries.slice(first).forEach((e, k) => {
    rows.push(`| ${first + k + 1} | ${utc(e.at)} | ${inline(e.text, 200)} | ${person(e.by)} |`);
  });
  return rows.join("\n");
}

// ---------------------------------------------------------------------------------------
// The timeline as a Mermaid gantt chart, which GitHub renders. Its lexer treats `:` `;` `#`
// `%%` `"` and (in some versions) parentheses as syntax, and keywords at the start of a line
// as statements, so labels keep only safe characters and always start with our own word.

const CHART_ENTRIES = 40;

/** Text safe inside a Mermaid gantt task name. */
export function mermaidLabel(text: string, max = 60): string {
  const safe = text
    .replace(/[^\p{L}\p{M}\p{N} .,'/+=*!?_-]+/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
  return safe.length > max ? `${safe.slice(0, max - 1).trimEnd()}…` : safe;
}

function chartTime(iso: string | undefined): string | undefined {
  const t = ms(iso);
  if (t === undefined) return undefined;
  const s = new Date(t).toISOString();
  // Mermaid's dateFormat below; the four-digit year keeps the lexer's date token valid.
  return /^\d{4}-/.test(s) ? `${s.slice(0, 10)} ${s.slice(11, 16)}` : undefined;
}

function timelineChart(state: IncidentState, incident: number, closedAt: string): string {
  const tasks: string[] = [];
  const d = state.declaration;
  const detectedAt = d.detectedAt ?? state.declaredAt;
  const phases: [string, string | undefined, string | undefined, string][] = [
    ["Undetected", d.startedAt, detectedAt, "crit, "],
    ["Detected until declared", detectedAt, state.declaredAt, ""],
    ["Declared until resolved", state.declaredAt, state.times.resolved, ""],
    ["Resolved until closed", state.times.resolved, state.times.closed, "done, "],
  ];
  const phaseLines: string[] = [];
  phases.forEach(([label, from, to, tag], k) => {
    const a = chartTime(from);
    const b = chartTime(to);
    if (a && b && (ms(to) ?? 0) > (ms(from) ?? 0)) phaseLines.push(`    ${label} : ${tag}p${k + 1}, ${a}, ${b}`);
  });
  if (phaseLines.length > 0) tasks.push("    section Phases", ...phaseLines);
  const close = chartTime(closedAt);
  const interventionLines = state.interventions.slice(-CHART_ENTRIES).flatMap((i) => {
    const a = chartTime(i.at);
    const b = chartTime(i.doneAt) ?? close;
    if (!a || !b) return [];
    const end = (ms(i.doneAt) ?? ms(closedAt) ?? 0) > (ms(i.at) ?? 0) ? b : "1m";
    return [`    Change ${i.n} ${mermaidLabel(i.text)} : ${i.doneAt ? "done" : "active"}, i${i.n}, ${a}, ${end}`];
  });
  if (interventionLines.length > 0) tasks.push("    section Interventions", ...interventionLines);
  const first = Math.max(0, state.timeline.length - CHART_ENTRIES);
  const entryLines = state.timeline.slice(first).flatMap((e, k) => {
    const a = chartTime(e.at);
    const n = first + k + 1;
    return a ? [`    ${n} ${mermaidLabel(e.text) || "entry"} : milestone, t${n}, ${a}, 0m`] : [];
  });
  if (entryLines.length > 0) tasks.push("    section Timeline", ...entryLines);
  if (tasks.length === 0) return "";
  return [
    "```mermaid",
    "gantt",
    `    title Incident ${incident} in UTC`,
    "    dateFormat YYYY-MM-DD HH:mm",
    "    axisFormat %m-%d %H:%M",
    ...tasks,
    "```",
  ].join("\n");
}

// ---------------------------------------------------------------------------------------
// The draft.

export interface PostmortemDraft {
  title: string;
  body: string;
  labels: string[];
  assignees: string[];
  marker: string;
  /** YYYY-MM-DD, UTC. */
  due: string;
}

export interface PostmortemInput {
  incident: { number: number; title: string; url: string };
  state: IncidentState;
  config: FirebreakConfig;
  /** The repository's template, or the shipped `templates/postmortem.md`; blank means the shipped layout. */
  template: string;
  /** ISO time of the event that opens the postmortem. */
  now: string;
}

/** Headroom under GitHub's 65,536-character body limit (it counts differently from JS strings). */
const DRAFT_LIMIT = BODY_LIMIT - 4_000;

function dueDate(now: string, days: number, fallback: string): string {
  const base = ms(now) ?? ms(fallback) ?? 0;
  return new Date(base + days * 86_400_000).toISOString().slice(0, 10);
}

/** Issue titles are plain text: no markup to escape, but no mentions and no line breaks either. */
function plainTitle(title: string): string {
  const flat = noMentions(title.replace(/[\p{Cc}\p{Cf}]/gu, " ").replace(/\s+/g, " ").trim());
  return flat.length > 200 ? `${flat.slice(0, 199)}…` : flat;
}

/** A title shown as text wherever a template puts it: not a heading, box or link even at a line's start. */
function literal(title: string): string {
  return inline(title, 200).replace(/[[\]]/g, "\\$&").replace(/^([#>+*-]|\d+[.)])/, "\\$1");
}

function fill(template: string, values: ReadonlyMap<string, string>): string {
  // One pass: text substituted in is never scanned again, so user text cannot inject placeholders.
  // Unknown names stay visible, so a typo in a repository's template shows.
  return template.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (whole, name: string) => values.get(name) ?? whole);
}

/**
 * Whatever the template, the postmortem carries what the gate and the links rely on: the
 * marker, the due line, the incident link, every question and every closing box.
 */
function ensureContract(body: string, ctx: { incident: number; due: string; marker: string; repeatOf?: number }): string {
  let text = body.replace(/\r\n?/g, "\n");
  const head: string[] = [ctx.marker];
  if (postmortemDue(text) === undefined) head.push(`Due: ${ctx.due}`);
  if (!new RegExp(`(?:^|[^\\w&/#])#${ctx.incident}\\b`).test(withoutComments(text))) {
    head.push(`Postmortem of incident #${ctx.incident}.`);
  }
  text = `${head.join("\n")}\n\n${withoutPostmortemMarker(text).replace(/^\n+/, "")}`;

  const o = outline(text);
  const missingQuestions = POSTMORTEM_QUESTIONS.filter((_, i) => questionStatus(o, QUESTION_KEYS[i]!) === "absent");
  if (ctx.repeatOf !== undefined && questionStatus(o, REPEAT_KEY) === "absent") missingQuestions.push(repeatQuestion(ctx.repeatOf));
  const sections = missingQuestions.map((q) => `### ${q}\n\n${ANSWER_PLACEHOLDER}\n`);
  const section = checklistSection(o);
  const missingBoxes = CLOSING_CHECKLIST.filter((item) => boxesFor(o, item).length === 0).map((item) => `- [ ] ${item.text}`);

  if (sections.length > 0) {
    // Questions go before the checklist so that it stays last.
    const lines = text.split("\n");
    const at = section ? section.from : lines.length;
    lines.splice(at, 0, ...sections.join("\n").split("\n"));
    text = lines.join("\n");
  }
  if (missingBoxes.length > 0) {
    const after = checklistSection(outline(text));
    if (after) {
      const lines = text.split("\n");
      let at = after.to;
      while (at > after.from + 1 && (lines[at - 1] ?? "").trim() === "") at--;
      lines.splice(at, 0, ...missingBoxes);
      text = lines.join("\n");
    } else {
      text = `${text.trimEnd()}\n\n### Closing checklist\n\n${missingBoxes.join("\n")}\n`;
    }
  }
  return `${text.replace(/\n{3,}/g, "\n\n").trimEnd()}\n`;
}

/** Guidance shown to whoever edits the postmortem; hidden on GitHub, so never an answer. */
const QUESTION_HINTS: readonly string[] = [
  "The chain from cause to symptom, in the order it happened, with the evidence.",
  "Money, wasted spend, decisions made on wrong data, team time, trust. The estimate above is only the form's rate times the duration.",
  "Which signal existed before the detection, who could have seen it, and what would have surfaced it sooner.",
  "A monitor, checklist, owner rule or release guardrail: link it on its line in the closing checklist.",
];

/** The layout of `templates/postmortem.md`, used when no template text reached the core. */
const BUILTIN_TEMPLATE = [
  "Due: {{due}}",
  "",
  "Postmortem of incident {{incident_link}}.",
  "",
  "Firebreak prefilled the facts below from the incident's record; correct them here if they are wrong. Answer each question under its heading in place of the placeholder, and tick the closing checklist: Firebreak reopens this issue while anything is missing.",
  "",
  "## Facts from the incident",
  "",
  "{{summary}}",
  "",
  "{{repeat}}",
  "",
  "### Roles",
  "",
  "{{roles}}",
  "",
  "### Layer: likely vs confirmed",
  "",
  "{{layers}}",
  "",
  "### Detection lag",
  "",
  "{{detection_lag}}",
  "",
  "### Interventions",
  "",
  "{{interventions}}",
  "",
  "### Updates that lacked fields",
  "",
  "{{incomplete_updates}}",
  "",
  "### Estimated cost",
  "",
  "{{cost}}",
  "",
  "### Timeline (UTC)",
  "",
  "{{timeline}}",
  "",
  "## Questions",
  "",
  ...POSTMORTEM_QUESTIONS.flatMap((q, i) => [`### ${q}`, "", `<!-- ${QUESTION_HINTS[i] ?? ""} -->`, ANSWER_PLACEHOLDER, ""]),
  "{{repeat_question}}",
  "",
  "### Closing checklist",
  "",
  ...CLOSING_CHECKLIST.map((item) => `- [ ] ${item.text}`),
  "",
].join("\n");

export function draftPostmortem(input: PostmortemInput): PostmortemDraft {
  const { incident, state, config } = input;
  const closedAt = state.times.closed ?? input.now;
  const due = dueDate(input.now, config.postmortem.due_days, closedAt);
  const repeatOf = state.repeatOf?.issue;
  const marker = postmortemMarker(incident.number, repeatOf);
  const template = withoutTemplateDoc(input.template.trim() === "" ? BUILTIN_TEMPLATE : input.template);

  const layer = confirmedLayer(state) ?? state.layer.likely;
  const labels = [config.labels.postmortem, ...(layer ? [config.labels.layer[layer]] : []), config.labels.severity[state.severity]];
  // An owner GitHub refused as assignee on the incident would be refused here too.
  const assignees = state.roles.owner && !state.roles.ownerNote ? [state.roles.owner] : [];
  const contract = { incident: incident.number, due, marker, ...(repeatOf === undefined ? {} : { repeatOf }) };

  const render = (limit: number, chart: boolean): string => {
    const timeline = [timelineTable(state.timeline, limit), chart ? timelineChart(state, incident.number, closedAt) : ""]
      .filter(Boolean)
      .join("\n\n");
    const values = new Map<string, string>(Object.entries({
      incident: `#${incident.number}`,
      incident_link: `#${incident.number} — ${literal(incident.title)}`,
      incident_url: encodeURI(incident.url),
      incident_title: literal(incident.title),
      due,
      summary: summaryBlock(state, config),
      roles: rolesBlock(state),
      layers: layersBlock(state),
      detection_lag: detectionBlock(state),
      interventions: interventionsBlock(state, config, closedAt, limit),
      incomplete_updates: updatesBlock(state, limit),
      cost: costBlock(state, closedAt),
      repeat: repeatBlock(state),
      repeat_question: repeatQuestionBlock(state),
      timeline,
    }));
    return ensureContract(fill(template, values), contract);
  };

  let body: string | undefined;
  for (const [limit, chart] of [
    [Number.POSITIVE_INFINITY, true],
    [100, true],
    [25, true],
    [10, false],
    [0, false],
  ] as const) {
    const candidate = render(limit, chart);
    if (candidate.length <= DRAFT_LIMIT) {
      body = candidate;
      break;
    }
  }
  // A template too large on its own: the bare contract still lets the postmortem open and gate.
  body ??= ensureContract("", contract);

  return {
    title: `Postmortem: ${plainTitle(incident.title) || `incident #${incident.number}`} (#${incident.number})`,
    body,
    labels: [...new Set(labels)],
    assignees,
    marker,
    due,
  };
}

// ---------------------------------------------------------------------------------------
// Repeat incidents (§7).

/** An incident's family: its layer (confirmed if known, else likely) and its scope channels. */
export function incidentFamily(state: IncidentState): { layer?: Layer; channels: string[] } {
  const layer = confirmedLayer(state) ?? state.layer.likely;
  const channels = [...new Set(state.declaration.scope.map((c) => c.trim()).filter(Boolean))];
  return layer ? { layer, channels } : { channels };
}

export interface ClosedIncident {
  number: number;
  state: IncidentState;
  closedAt: string;
  /** Its postmortem, and the process fix linked on that postmortem's checklist. */
  postmortem?: { number: number; fix?: string };
}

const DAY_MS = 86_400_000;

/**
 * The closed incident this one repeats: same layer and at least one scope channel in common,
 * closed within `windowDays` before `now`. The most recently closed wins. An incident never
 * repeats itself (pass `self`, its number), nor one that was dismissed as not an incident.
 */
export function findRepeat(
  state: IncidentState,
  candidates: readonly ClosedIncident[],
  windowDays: number,
  now: string,
  self?: number,
): ClosedIncident | undefined {
  const family = incidentFamily(state);
  const nowMs = ms(now);
  if (!family.layer || family.channels.length === 0 || nowMs === undefined) return undefined;
  const channels = new Set(family.channels.map((c) => c.toLowerCase()));
  let best: { c: ClosedIncident; closed: number } | undefined;
  for (const c of candidates) {
    if (c.number === self || c.state === state) continue;
    // The same record under another number is still the same incident.
    if (c.state.declaredAt === state.declaredAt && c.state.roles.detector === state.roles.detector) continue;
    if (isDismissedOrVariance(c.state.status)) continue;
    const closed = ms(c.closedAt);
    if (closed === undefined || closed > nowMs || nowMs - closed > windowDays * DAY_MS) continue;
    const theirs = incidentFamily(c.state);
    if (theirs.layer !== family.layer) continue;
    if (!theirs.channels.some((ch) => channels.has(ch.toLowerCase()))) continue;
    if (!best || closed > best.closed || (closed === best.closed && c.number > best.c.number)) best = { c, closed };
  }
  return best?.c;
}

/** The comment on the earlier postmortem (or incident): its fix did not prevent the new incident. */
export function repeatNoticeForEarlierPostmortem(newIncident: { number: number; url: string }, earlier: ClosedIncident): string {
  const family = incidentFamily(earlier.state);
  const channels = family.channels.map((c) => inline(c, 60)).join(", ");
  const same = [family.layer ? `layer **${family.layer}**` : undefined, channels ? `channels ${channels}` : undefined]
    .filter(Boolean)
    .join(", ");
  const fix = earlier.postmortem?.fix
    ? `The process fix recorded for #${earlier.number} — ${inline(earlier.postmortem.fix, 300)} — did not prevent it.`
    : `No process fix was linked for #${earlier.number}, and nothing prevented it.`;
  return [
    `**Repeat:** incident [#${newIncident.number}](${encodeURI(newIncident.url)}) is in the same family as #${earlier.number} (${same || "same layer and channel"}) within the repeat window: #${earlier.number} closed on ${utc(earlier.closedAt)}.`,
    "",
    `${fix} The postmortem of #${newIncident.number} asks why it did not hold.`,
  ].join("\n");
}
