// Repeat incidents (SPEC §7): which closed incident a new one repeats (same family: layer and
// a scope channel, within the window), and what the earlier postmortem is told.
import type { Layer } from "./model/domain.js";
import { parseBody } from "./card.js";
import type { FirebreakConfig } from "./config.js";
import type { IncidentState, IssueView } from "./model/incident.js";
import { confirmedLayer } from "./model/incident.js";
import { isDismissedOrVariance } from "./model/status.js";
import { inline } from "./text/inert.js";
import { isoMs, utcText } from "./time.js";


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
  const nowMs = isoMs(now);
  if (!family.layer || family.channels.length === 0 || nowMs === undefined) return undefined;
  const channels = new Set(family.channels.map((c) => c.toLowerCase()));
  let best: { c: ClosedIncident; closed: number } | undefined;
  for (const c of candidates) {
    if (c.number === self || c.state === state) continue;
    // The same record under another number is still the same incident.
    if (c.state.declaredAt === state.declaredAt && c.state.roles.detector === state.roles.detector) continue;
    if (isDismissedOrVariance(c.state.status)) continue;
    const closed = isoMs(c.closedAt);
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
    `**Repeat:** incident [#${newIncident.number}](${encodeURI(newIncident.url)}) is in the same family as #${earlier.number} (${same || "same layer and channel"}) within the repeat window: #${earlier.number} closed on ${utcText(earlier.closedAt)}.`,
    "",
    `${fix} The postmortem of #${newIncident.number} asks why it did not hold.`,
  ].join("\n");
}

/** Closed incidents updated since then can be repeat candidates (the window counts from their closing). */
export function repeatWindowStart(at: string, config: FirebreakConfig): string {
  return new Date(Date.parse(at) - config.repeat_window_days * 86_400_000).toISOString();
}

/** A repeat is a matter of family (layer and channels): look again when it changed, or when routine variance became an incident. */
export function familyChanged(before: IncidentState | undefined, after: IncidentState): boolean {
  if (!before) return false;
  const wasIncident = before.status !== "routine-variance" && before.status !== "dismissed";
  const isIncident = after.status !== "routine-variance" && after.status !== "dismissed";
  if (!wasIncident && isIncident) return true;
  const a = incidentFamily(before);
  const b = incidentFamily(after);
  return a.layer !== b.layer || a.channels.join("|") !== b.channels.join("|");
}

/** Closed incidents as repeat candidates; each record carries its postmortem and that postmortem's process fix. */
export function repeatCandidates(closed: readonly IssueView[]): ClosedIncident[] {
  const out: ClosedIncident[] = [];
  for (const issue of closed) {
    const state = parseBody(issue.body).state;
    if (!state || !issue.closed_at) continue;
    if (state.status !== "closed" && state.status !== "postmortem-complete") continue;
    const pm = state.postmortem;
    const postmortem = pm ? { number: pm.issue, ...(pm.fix ? { fix: pm.fix } : {}) } : undefined;
    out.push({ number: issue.number, state, closedAt: issue.closed_at, ...(postmortem ? { postmortem } : {}) });
  }
  return out;
}
