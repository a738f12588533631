// Every hidden `<!-- firebreak:… -->` marker Firebreak writes into GitHub text, with the one
// builder and the one parser of each. HTML comments are invisible on GitHub, so they carry
// what Firebreak must find again: its card, its record, the replies and issues it already wrote.

// ---------------------------------------------------------------------------------------
// Regions: a Firebreak-owned stretch of a body (the status card is one), never the user's text.

/** What a body holding a card starts with: an edit of any other body cannot have touched one. */
export const CARD_START_PREFIX = "<!-- firebreak:card:start";
export const CARD_START = `${CARD_START_PREFIX} (managed by Firebreak: edits inside this section are replaced) -->`;
export const CARD_END = "<!-- firebreak:card:end -->";

const REGION_START = /^\s*<!--\s*firebreak:([\w-]+):start\b.*-->\s*$/i;
const REGION_END = /^\s*<!--\s*firebreak:([\w-]+):end\b.*-->\s*$/i;

/** The region a line opens (lower-cased name, e.g. "card"), or undefined. */
export function regionStartOf(line: string): string | undefined {
  return REGION_START.exec(line)?.[1]?.toLowerCase();
}

/** The region a line closes (lower-cased name), or undefined. */
export function regionEndOf(line: string): string | undefined {
  return REGION_END.exec(line)?.[1]?.toLowerCase();
}

// ---------------------------------------------------------------------------------------
// The incident record inside the card.

const STATE_PREFIX = "<!-- firebreak:state:v1 ";
const STATE_SUFFIX = " -->";

export function stateMarker(encoded: string): string {
  return `${STATE_PREFIX}${encoded}${STATE_SUFFIX}`;
}

/** The encoded record of the last state marker in a card section, or undefined. */
export function encodedStateIn(section: string): string | undefined {
  const at = section.lastIndexOf(STATE_PREFIX);
  const end = at < 0 ? -1 : section.indexOf(STATE_SUFFIX, at);
  return at < 0 || end < 0 ? undefined : section.slice(at + STATE_PREFIX.length, end);
}

/** A card section without its record, for showing the card as people see it. */
export function withoutStateMarkers(text: string): string {
  return text.replace(/<!-- firebreak:state:v1 [^<>]*-->/g, "");
}

// ---------------------------------------------------------------------------------------
// Replies: an idempotency key, so a redelivered event never replies twice.

export const REPLY_MARKER = (key: string) => `<!-- firebreak:reply ${key.replace(/[^\w:.-]/g, "")} -->`;

export function replyKeyOf(body: string): string | undefined {
  return /<!-- firebreak:reply ([\w:.-]+) -->/.exec(body)?.[1];
}

// ---------------------------------------------------------------------------------------
// Postmortems: how Firebreak finds the postmortem it already opened (created issues converge to one).

const POSTMORTEM_RE = /<!--\s*firebreak:postmortem\s+incident=(\d{1,12})(?:\s+repeat-of=(\d{1,12}))?\s*-->/;

/** Hidden marker naming the incident; a repeat also names the earlier incident, so the gate asks the fifth question. */
export function postmortemMarker(incident: number, repeatOf?: number): string {
  return `${postmortemMarkerPrefix(incident)}${repeatOf === undefined ? "" : `repeat-of=${repeatOf} `}-->`;
}

/** How every postmortem marker of an incident starts, repeat or not: finds them all. */
export function postmortemMarkerPrefix(incident: number): string {
  return `<!-- firebreak:postmortem incident=${incident} `;
}

export function parsePostmortemMeta(body: string): { incident: number; repeatOf?: number } | undefined {
  const m = POSTMORTEM_RE.exec(body);
  if (!m) return undefined;
  const incident = Number(m[1]);
  return m[2] === undefined ? { incident } : { incident, repeatOf: Number(m[2]) };
}

/** The incident a postmortem belongs to, from its marker. */
export function parsePostmortemMarker(body: string): number | undefined {
  return parsePostmortemMeta(body)?.incident;
}

/** Text without its (first) postmortem marker: a template must not carry one of its own. */
export function withoutPostmortemMarker(text: string): string {
  return text.replace(POSTMORTEM_RE, "");
}

/** The documentation comment at the top of a postmortem template: not part of the postmortem. */
export function withoutTemplateDoc(template: string): string {
  return template.replace(/^\s*<!--\s*firebreak-template\b[\s\S]*?-->[ \t]*\n?/, "");
}

// ---------------------------------------------------------------------------------------
// Tracking QA: the incident a failed release opened.

/** Hidden marker naming the release, so a second QA run finds the incident instead of opening another. */
export function qaIncidentMarker(tag: string): string {
  // Tags may hold characters that would end the comment ("-->") or split the key=value.
  const safe = tag.replace(/[^\w./+@-]/g, (c) => encodeURIComponent(c)).replace(/--/g, "-%2D");
  return `<!-- firebreak:qa-incident release=${safe} -->`;
}

/** The marker every monitoring incident carries (SPEC §17): at most one is open at a time. */
export const QA_MONITOR_MARKER = "<!-- firebreak:qa-monitor";

/** A monitoring incident's marker, naming when it was opened, so a closed one never blocks the next. */
export function qaMonitorMarker(since: string): string {
  return `${QA_MONITOR_MARKER} since=${since.replace(/[^\w:.+-]/g, "")} -->`;
}

/** On Firebreak's "checks pass again" comment, so a recovery is noted once. */
export const QA_MONITOR_PASS_MARKER = "<!-- firebreak:qa-monitor-pass -->";

// ---------------------------------------------------------------------------------------
// Configuration errors: the one issue that lists them, and which errors it already reported.

export const CONFIG_ERROR_MARKER = "<!-- firebreak:config-error -->";

export function configReportedMarker(fingerprints: readonly string[]): string {
  return `<!-- firebreak:config-reported ${Buffer.from(JSON.stringify(fingerprints)).toString("base64")} -->`;
}

/** The fingerprints a configuration-error issue's body says it reported; none when unreadable. */
export function parseConfigReported(body: string): string[] {
  const match = /<!-- firebreak:config-reported (\S*) -->/.exec(body);
  if (!match?.[1]) return [];
  try {
    const value: unknown = JSON.parse(Buffer.from(match[1], "base64").toString("utf8"));
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  } catch {
    return [];
  }
}

// ---------------------------------------------------------------------------------------
// The dashboard: the one issue per repository that Firebreak keeps up to date (SPEC §16).

export const DASHBOARD_MARKER = "<!-- firebreak:dashboard -->";

const PASS_CURSOR_RE = /<!-- firebreak:pass-cursor job=([a-z-]{1,30})(?: after=(\d{1,12}))? -->/;

/** Where the scheduled pass stopped, kept on the dashboard by runs that keep no memory (the Action). */
export function passCursorMarker(stop: { job: string; after?: number }): string {
  return `<!-- firebreak:pass-cursor job=${stop.job.replace(/[^a-z-]/g, "")}${stop.after !== undefined ? ` after=${Math.trunc(stop.after)}` : ""} -->`;
}

/** A dashboard body with its stop replaced (or removed, with none). */
export function withPassCursor(body: string, stop: { job: string; after?: number } | undefined): string {
  const rest = body.replace(PASS_CURSOR_RE, "").replace(/^\n/, "");
  return stop ? `${passCursorMarker(stop)}\n${rest}` : rest;
}

export function parsePassCursor(body: string): { job: string; after?: number } | undefined {
  const m = PASS_CURSOR_RE.exec(body);
  if (!m) return undefined;
  return m[2] === undefined ? { job: m[1]! } : { job: m[1]!, after: Number(m[2]) };
}

// ---------------------------------------------------------------------------------------
// Nudges: the reminder already sent for a rule in a window (SPEC §15), one per window.

const NUDGE_RE = /<!-- firebreak:nudge rule=([a-z]{1,20}) window=([\dTZ:.-]{1,30}) -->/g;

/** Hidden key naming the rule and the window (its start, ISO): a second pass finds it and sends nothing. */
export function nudgeMarker(rule: string, window: string): string {
  return `<!-- firebreak:nudge rule=${rule.replace(/[^a-z]/g, "")} window=${window.replace(/[^\dTZ:.-]/g, "")} -->`;
}

/** The `rule@window` keys of the nudge markers in a body. */
export function nudgeKeysIn(body: string): string[] {
  return [...body.matchAll(NUDGE_RE)].map((m) => nudgeKey(m[1]!, m[2]!));
}

export function nudgeKey(rule: string, window: string): string {
  return `${rule}@${window}`;
}

// ---------------------------------------------------------------------------------------
// Early detection: which signal an incident was opened for or told about, and its clearing.

/** Channel names come from KPI files: only a safe alphabet goes into a marker. */
function markerWord(text: string): string {
  return text.replace(/[^\w.:/+@-]/g, (c) => encodeURIComponent(c)).replace(/--/g, "-%2D");
}

export interface DetectionKey {
  channel: string;
  layer: string;
  /** The first point of the break: one signal, however many passes see it. */
  since: string;
}

/** On the incident a signal opened, and on the update a matching incident got for it. */
export function detectionMarker(key: DetectionKey): string {
  return `<!-- firebreak:detection channel=${markerWord(key.channel)} layer=${markerWord(key.layer)} since=${markerWord(key.since)} -->`;
}

/** On the note that records a signal clearing (it never closes the incident). */
export function detectionClearedMarker(key: DetectionKey): string {
  return `<!-- firebreak:detection-cleared channel=${markerWord(key.channel)} layer=${markerWord(key.layer)} since=${markerWord(key.since)} -->`;
}

const DETECTION_RE = /<!-- firebreak:detection(-cleared)? channel=(\S{1,300}) layer=(\S{1,40}) since=(\S{1,60}) -->/g;

function unword(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** The detection markers in a text (an incident body, an update or clearing note); garbled ones are skipped. */
export function detectionMarksIn(text: string): { key: DetectionKey; cleared: boolean }[] {
  return [...text.matchAll(DETECTION_RE)].flatMap((m) => {
    const [channel, layer, since] = [unword(m[2]!), unword(m[3]!), unword(m[4]!)];
    return channel !== undefined && layer !== undefined && since !== undefined ? [{ key: { channel, layer, since }, cleared: m[1] !== undefined }] : [];
  });
}
