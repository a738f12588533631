// The status card: a Firebreak-owned section at the top of the incident issue's body. It
// shows where the incident stands and carries the machine-readable record, compressed and
// base64-encoded inside an HTML comment so that no user text can break or forge its markers.
import { deflateRawSync, inflateRawSync } from "node:zlib";
import type { FirebreakConfig } from "./config.js";
import type { IncidentState, TimelineEntry } from "./model/incident.js";
import { incidentStateSchema } from "./model/incident.js";
import { deadlinesLine } from "./nudges/rules.js";
import { CARD_END, CARD_START, encodedStateIn, stateMarker } from "./model/markers.js";
import { inline, person } from "./text/inert.js";
import { formatElapsed, formatUtc } from "./time.js";

const SEPARATOR = "\n\n";
/** The section stays under 16 KB so the user's text always has room (GitHub caps bodies at 65,536). */
export const CARD_LIMIT = 16_000;
export const BODY_LIMIT = 65_536;
const SHOWN_TIMELINE = 25;

export interface ParsedBody {
  state?: IncidentState;
  /** The user's own text below the section, byte for byte. */
  userText: string;
  hasCard: boolean;
}

export function encodeState(state: IncidentState): string {
  return deflateRawSync(Buffer.from(JSON.stringify(state), "utf8")).toString("base64");
}

/**
 * Bounds on decoding a record (SPEC §13): a body cannot hold more than 65,536 characters, and a
 * real record inflates to a few dozen kilobytes, so a compression bomb stops at 1 MiB.
 */
const MAX_ENCODED = 65_536;
const MAX_RECORD_BYTES = 1 << 20;

export function decodeState(encoded: string): IncidentState | undefined {
  if (encoded.length > MAX_ENCODED) return undefined;
  try {
    const json: unknown = JSON.parse(inflateRawSync(Buffer.from(encoded, "base64"), { maxOutputLength: MAX_RECORD_BYTES }).toString("utf8"));
    const parsed = incidentStateSchema.safeParse(json);
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Splits a body into Firebreak's section and the user's text. A section that does not decode is user text. */
export function parseBody(body: string | null | undefined): ParsedBody {
  const text = body ?? "";
  if (!text.startsWith(CARD_START)) return { userText: text, hasCard: false };
  const end = text.indexOf(CARD_END);
  if (end < 0) return { userText: text, hasCard: false };
  const section = text.slice(0, end);
  const encoded = encodedStateIn(section);
  const state = encoded === undefined ? undefined : decodeState(encoded);
  if (!state) return { userText: text, hasCard: false };
  let rest = text.slice(end + CARD_END.length);
  if (rest.startsWith(SEPARATOR)) rest = rest.slice(SEPARATOR.length);
  return { state, userText: rest, hasCard: true };
}

/** The Firebreak section of a body (up to its end marker), or undefined when the body has no card. */
export function cardSection(body: string | null | undefined): string | undefined {
  const text = body ?? "";
  if (!text.startsWith(CARD_START)) return undefined;
  const end = text.indexOf(CARD_END);
  return end < 0 ? undefined : text.slice(0, end);
}

const STATUS_TEXT: Record<IncidentState["status"], string> = {
  triage: "🟠 Triage",
  investigating: "🔎 Investigating",
  contained: "🛡️ Contained",
  resolved: "✅ Resolved",
  closed: "📕 Closed — postmortem open",
  "postmortem-complete": "🏁 Closed — postmortem complete",
  dismissed: "⚪ Dismissed",
  "routine-variance": "⚪ Routine variance — not an incident",
};

export function activeInterventions(state: IncidentState): IncidentState["interventions"] {
  return state.interventions.filter((i) => !i.doneAt);
}

function elapsed(from: string | undefined, to: string | undefined): string {
  if (!from || !to) return "—";
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) && ms >= 0 ? formatElapsed(ms) : "—";
}

function tick(done: boolean): string {
  return done ? "✅" : "⬜";
}

/** Estimated cost so far: the form's rate times the time from start to resolution (or to now). */
export function estimatedCost(state: IncidentState, now: string): string | undefined {
  const cost = state.declaration.cost;
  const amount = costAmount(state, now);
  if (!cost || amount === undefined) return undefined;
  const from = state.declaration.startedAt ?? state.declaredAt;
  const to = state.times.resolved ?? now;
  return `≈ ${money(amount, costCurrency(cost.text))} (at ${inline(cost.text, 60)}, over ${formatElapsed(Date.parse(to) - Date.parse(from))})`;
}

/** The form's rate times the time from start to resolution (or to `now`); undefined without a rate. */
export function costAmount(state: IncidentState, now: string): number | undefined {
  const cost = state.declaration.cost;
  if (!cost) return undefined;
  const hours = (Date.parse(state.times.resolved ?? now) - Date.parse(state.declaration.startedAt ?? state.declaredAt)) / 3_600_000;
  if (!Number.isFinite(hours) || hours < 0) return undefined;
  return cost.amount * (cost.per === "hour" ? hours : hours / 24);
}

/** The form keeps the currency only in its text: the reporter's symbol or code. */
export function costCurrency(text: string): string | undefined {
  return /[$€£¥]/.exec(text)?.[0] ?? /\b(USD|EUR|GBP|CHF|SEK|NOK|DKK|AUD|CAD|JPY)\b/i.exec(text)?.[1]?.toUpperCase();
}

/** An amount with its currency, rounded: `€1,200`, `1,200 CHF`. */
export function money(amount: number, currency: string | undefined): string {
  const figure = Math.round(amount).toLocaleString("en-US");
  return currency ? (currency.length === 1 ? `${currency}${figure}` : `${figure} ${currency}`) : figure;
}

/** The form invites "nothing yet" as an answer: that is containment still missing, not done. */
function containedOnForm(answer: string | undefined): boolean {
  return answer !== undefined && !/^\s*(?:nothing|none|no|not yet|n\/a|-+)(?:\s+(?:yet|so far))?[\s.!]*$/i.test(answer);
}

export function triageItems(state: IncidentState): { item: string; done: boolean }[] {
  return [
    { item: "scope", done: state.declaration.scope.length > 0 },
    { item: "likely layer", done: Boolean(state.layer.likely) },
    { item: "containment", done: state.containment.length > 0 || containedOnForm(state.declaration.containment) },
    { item: "next check", done: Boolean(state.check) },
  ];
}

function layerLine(state: IncidentState): string {
  const l = state.layer;
  if (!l.likely && !l.confirmed) return "unknown";
  const parts: string[] = [];
  if (l.likely) {
    const tag = l.source === "suggested" ? " _(suggested)_" : "";
    parts.push(`likely **${l.likely}**${l.confidence ? ` (${l.confidence} confidence)` : ""}${tag}`);
  }
  if (l.confirmed) parts.push(`confirmed **${l.confirmed}**`);
  return parts.join(" · ");
}

function timelineRows(entries: TimelineEntry[], limit: number, dropped: number): string[] {
  const shown = entries.slice(-limit);
  const rows = shown.map((e) => `| ${formatUtc(new Date(e.at))} | ${inline(e.text, 200)} | ${person(e.by)} |`);
  const earlier = entries.length - shown.length + dropped;
  if (earlier > 0) rows.unshift(`| … | ${earlier} earlier entries live in the comments below | |`);
  return rows;
}

export interface CardContext {
  config: FirebreakConfig;
  /** Time of the event that rendered the card: "so far" figures are measured to it. */
  now: string;
  issueUrl?: string;
}

function renderSections(state: IncidentState, ctx: CardContext, timelineLimit: number, summaryOnly: boolean): string {
  const sev = ctx.config.severities[state.severity];
  const lines: string[] = [];
  lines.push(`### Incident status: ${STATUS_TEXT[state.status]}`);
  lines.push("");
  lines.push(`**Severity** SEV${state.severity} (${inline(sev.name, 40)}, update every ${sev.update_every}) · **Layer** ${layerLine(state)}`);
  if (state.layer.source === "suggested" && state.layer.reason) lines.push(`> Suggested layer: ${inline(state.layer.reason, 300)}`);
  lines.push("");
  const r = state.roles;
  const responders = r.responders.map((x) => `${person(x.login)}${x.layer ? ` (${x.layer})` : ""}`).join(", ") || "—";
  lines.push(`**Roles** detector ${person(r.detector)} · owner ${person(r.owner)} · responders ${responders} · comms ${person(r.comms)}`);
  if (r.ownerNote) lines.push(`> ${inline(r.ownerNote, 300)}`);
  if (state.postmortem) {
    lines.push(`**Postmortem** #${state.postmortem.issue} — ${state.postmortem.complete ? "complete" : "open"}`);
  }
  for (const f of state.relay?.failing ?? []) lines.push(`> ⚠️ Relay to ${inline(f.destination, 120)} failing since ${formatUtc(new Date(f.since))}: ${inline(f.reason, 200)}`);
  if (state.repeatOf) {
    const fix = state.repeatOf.fix ? `; its process fix: ${inline(state.repeatOf.fix, 200)}` : "";
    const pm = state.repeatOf.postmortem ? ` (postmortem #${state.repeatOf.postmortem})` : "";
    lines.push(`**Repeat** of #${state.repeatOf.issue}${pm}${fix}`);
  }
  if (summaryOnly) {
    lines.push("", "_The card is shortened to its summary: the issue body has no room for more. The comments hold the full log._");
    return lines.join("\n");
  }
  lines.push("");
  lines.push(`**Triage** ${triageItems(state).map((t) => `${tick(t.done)} ${t.item}`).join(" · ")}`);
  if (state.declaration.missing.length > 0) {
    lines.push(`> The declaration lacks: ${state.declaration.missing.map((m) => inline(m, 60)).join(", ")}.`);
  }
  const check = state.check;
  lines.push(
    check
      ? `**Next check** ${inline(check.text, 300)} — runs it: ${person(check.assignee ?? check.by)}${check.due ? ` · due ${formatUtc(new Date(check.due))}` : ""}`
      : "**Next check** — none set (`/check <what> [@who] [in 30m]`)",
  );
  const deadlines = deadlinesLine(state, ctx.config, ctx.now);
  if (deadlines) lines.push(deadlines);
  const active = activeInterventions(state);
  lines.push(`**Active interventions** ${active.length} of ${ctx.config.max_parallel_interventions} allowed in parallel`);
  for (const i of active) lines.push(`- #${i.n} ${inline(i.text, 200)} (${person(i.by)}, ${formatUtc(new Date(i.at))})`);
  const latest = state.updates.at(-1);
  if (latest) {
    const f = latest.fields;
    const fields = (["symptom", "scope", "layer", "confidence", "owner", "next"] as const)
      .map((k) => `${k}: ${f[k] ? inline(f[k], 160) : "_missing_"}`)
      .join(" · ");
    lines.push(`**Latest update** ${formatUtc(new Date(latest.at))} by ${person(latest.by)} — ${fields}`);
  }
  if (state.resolution) {
    const res = state.resolution;
    lines.push(
      `**Resolution** cause: ${inline(res.cause, 300)} · evidence: ${inline(res.evidence, 300)}${res.fix ? ` · fix: ${inline(res.fix, 300)}` : ""}`,
    );
  }
  const whatChanged = state.declaration.whatChanged;
  if (whatChanged || state.releases.length > 0) {
    lines.push("");
    lines.push(`**What changed just before** reporter: ${whatChanged ? inline(whatChanged, 300) : "—"}`);
    for (const rel of state.releases) {
      lines.push(`- release [${inline(rel.name ?? rel.tag, 80)}](${encodeURI(rel.url)}) published ${formatUtc(new Date(rel.at))}`);
    }
  }
  lines.push("");
  const start = state.declaration.startedAt;
  const detected = state.declaration.detectedAt ?? state.declaredAt;
  lines.push(
    `**Elapsed** start → detection ${elapsed(start, detected)} · declaration → owner ${elapsed(state.declaredAt, state.times.owner)} · → containment ${elapsed(state.declaredAt, state.times.contained)} · → resolution ${elapsed(state.declaredAt, state.times.resolved)}`,
  );
  const cost = estimatedCost(state, ctx.now);
  if (cost) lines.push(`**Estimated cost so far** ${cost}`);
  lines.push("");
  lines.push("<details><summary>Timeline (UTC)</summary>");
  lines.push("");
  lines.push("| when | what | who |", "|---|---|---|", ...timelineRows(state.timeline, timelineLimit, state.earlier ?? 0));
  lines.push("", "</details>");
  return lines.join("\n");
}

function section(state: IncidentState, ctx: CardContext, timelineLimit: number, summaryOnly: boolean): string {
  return [
    CARD_START,
    renderSections(state, ctx, timelineLimit, summaryOnly),
    "",
    "<sub>Firebreak status card · commands: `/help`</sub>",
    stateMarker(encodeState(state)),
    CARD_END,
  ].join("\n");
}

const KEEP_APPLIED = 300;

/**
 * Keeps the record small enough for the card: the oldest timeline entries leave it (counted in
 * `earlier`: the comments hold them) and the oldest applied ids fold into `appliedThrough`.
 */
export function compactState(state: IncidentState, keepTimeline: number): IncidentState {
  let next = state;
  if (next.timeline.length > keepTimeline) {
    const dropped = next.timeline.length - keepTimeline;
    next = { ...next, timeline: next.timeline.slice(dropped), earlier: (next.earlier ?? 0) + dropped };
  }
  if (next.applied.length > KEEP_APPLIED) {
    const sorted = [...next.applied].sort((a, b) => a - b);
    const cut = sorted.length - KEEP_APPLIED;
    next = { ...next, applied: sorted.slice(cut), appliedThrough: Math.max(next.appliedThrough ?? 0, sorted[cut - 1]!) };
  }
  return {
    ...next,
    interventions: next.interventions.slice(-200),
    updates: next.updates.slice(-100),
    replied: next.replied.slice(-200),
  };
}

/**
 * The whole issue body: the card on top, the user's text below, unchanged. Shrinks the shown
 * timeline, then the kept record, then the card to its summary, to stay within the limits;
 * undefined when even the summary would make GitHub refuse the body.
 */
export function renderBody(state: IncidentState, userText: string, ctx: CardContext): string | undefined {
  const room = BODY_LIMIT - userText.length - SEPARATOR.length;
  const limit = Math.min(CARD_LIMIT, room);
  for (const keep of [150, 60, 20]) {
    const kept = compactState(state, keep);
    for (const timeline of [SHOWN_TIMELINE, 10, 3]) {
      const s = section(kept, ctx, timeline, false);
      if (s.length <= limit) return s + SEPARATOR + userText;
    }
  }
  // Last resorts: the summary with the record's free texts cut ever shorter (the user's text and
  // the comments hold them in full), so that long answers never leave an incident without a card.
  for (const max of [undefined, 1000, 300, 100, 40]) {
    const summary = section(max === undefined ? compactState(state, 5) : slimState(state, max), ctx, 0, true);
    if (summary.length <= limit) return summary + SEPARATOR + userText;
  }
  return undefined;
}

/** The record for a summary-only card: latest entries only, every text cut to `max` characters. */
function slimState(state: IncidentState, max: number): IncidentState {
  const cut = (value: unknown): unknown => {
    if (typeof value === "string") return value.length > max ? `${value.slice(0, max - 1)}…` : value;
    if (Array.isArray(value)) return value.map(cut);
    if (typeof value !== "object" || value === null) return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === "url" ? v : cut(v)]));
  };
  const kept = compactState(state, 5);
  const interventions = kept.interventions.filter((i, n, all) => !i.doneAt || n >= all.length - 10);
  return cut({ ...kept, interventions, updates: kept.updates.slice(-3), containment: kept.containment.slice(-3) }) as IncidentState;
}
