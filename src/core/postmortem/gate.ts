// The postmortem gate (SPEC §6): the questions and the closing checklist, read from a
// postmortem body as GitHub renders it, and what is still missing before it may close.
import { withoutPostmortemMarker, parsePostmortemMeta } from "../model/markers.js";
import { inline } from "../text/inert.js";
import { lineKinds, linesOf, trimEndOf, withoutComments } from "../text/scanner.js";

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

const HEADING_RE = /^ {0,3}(#{1,6})(?:[ \t](.*))?$/;
const BOX_RE = /^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+\[([ xX])\](?:[ \t](.*))?$/;
function outline(body: string): Outline {
  const lines = linesOf(withoutComments(body));
  const fenced = lineKinds(lines, { unclosed: "rest" }).map((kind) => kind === "code");
  const headings: Heading[] = [];
  const boxes: Box[] = [];
  lines.forEach((line, i) => {
    if (fenced[i]) return;
    const h = HEADING_RE.exec(line);
    if (h) {
      headings.push({ level: h[1]!.length, words: normalize(withoutClosingHashes(h[2] ?? "")), line: i });
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

// Only the words matter: emphasis, spaces and a full stop around them are not letters or digits,
// so removing "answer here" alone decides the same, in one linear pass (no backtracking on spaces).
/** `Title ##` → `Title`: ATX closing hashes (after a space or alone), by hand — a regex ending in `[ \t]*$` backtracks on long runs of spaces. */
function withoutClosingHashes(text: string): string {
  let end = text.length;
  while (end > 0 && (text[end - 1] === " " || text[end - 1] === "\t")) end--;
  let start = end;
  while (start > 0 && text[start - 1] === "#") start--;
  if (start === end) return text;
  if (start === 0) return "";
  if (text[start - 1] !== " " && text[start - 1] !== "\t") return text;
  while (start > 0 && (text[start - 1] === " " || text[start - 1] === "\t")) start--;
  return text.slice(0, start);
}

const PLACEHOLDER_RE = /answer here/gi;

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

// A Markdown link's URL, up to where it ends (a space before a title, `>`, the closing `)`).
// The link text holds no bracket and the URL only balanced parentheses (`…/Foo_(bar)`), one
// level deep, so a failed try stops at the next bracket instead of rescanning the rest.
const MD_LINK_RE = /\[[^[\]\n]*\]\(\s*<?(https?:\/\/(?:[^\s()<>[\]]|\([^\s()<>[\]]*\))+)/i;
const URL_RE = /https?:\/\/[^\s<>()[\]"'`]+/i;
const REF_RE = /(?:^|[^\w&#/.-])((?:[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9_.-]+)?#\d{1,9})\b/;

function linkIn(long: string): string | undefined {
  // A link sits near the start; a bound keeps hostile lines cheap for these patterns.
  const text = long.slice(0, 2_000);
  const md = MD_LINK_RE.exec(text)?.[1];
  if (md) return md;
  const url = URL_RE.exec(text)?.[0];
  if (url) return trimEndOf(url, ".,;:!?");
  return REF_RE.exec(text)?.[1];
}

/** The link (URL or `#ref`) on the "process fix installed" checklist line, if any; a ticked line wins. */
export function processFixLink(body: string): string | undefined {
  const o = outline(body);
  const boxes = boxesFor(o, CLOSING_CHECKLIST[2]!).sort((a, b) => Number(b.checked) - Number(a.checked));
  for (const box of boxes) {
    const all = [box.text, ...box.more].join("\n");
    // What follows "link:" is the answer; the rest of the line may cite other issues.
    const label = /\blink\s*:/i.exec(all);
    const after = label ? all.slice(label.index + label[0].length) : undefined;
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
// Whatever the template, the draft carries what the gate relies on.

/**
 * Whatever the template, the postmortem carries what the gate and the links rely on: the
 * marker, the due line, the incident link, every question and every closing box.
 */
export function ensureContract(body: string, ctx: { incident: number; due: string; marker: string; repeatOf?: number }): string {
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
