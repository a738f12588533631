// One relayed message, platform-neutral: a headline, the update's evidence fields (SPEC §4
// `/update`: symptom, scope, layer, confidence, owner, next check) and the issue link. Values
// hold user text as written; each platform's renderer makes it inert in its own markup.
import type { FirebreakConfig } from "../config.js";
import type { IncidentState } from "../model/incident.js";
import { confirmedLayer } from "../model/incident.js";
import type { RelayEvent } from "./events.js";

export interface RelayIncident {
  number: number;
  title: string;
  url: string;
  repository: string;
}

export interface RelayMessage {
  event: RelayEvent;
  incident: RelayIncident;
  severity: number;
  severityName: string;
  status: IncidentState["status"];
  headline: string;
  /** What the event itself says (the containment step, the cause), when it says more than the headline. */
  detail?: string;
  fields: { label: string; value: string }[];
}

function latest<T>(list: readonly T[]): T | undefined {
  return list[list.length - 1];
}

/** The evidence an update carries, from the latest update and the record underneath it. */
function evidence(state: IncidentState): RelayMessage["fields"] {
  const u = latest(state.updates)?.fields ?? {};
  const layer = confirmedLayer(state) ?? state.layer.likely;
  const rows: [string, string | undefined][] = [
    ["Symptom", u.symptom ?? state.declaration.symptom],
    ["Scope", u.scope ?? (state.declaration.scope.length > 0 ? state.declaration.scope.join(", ") : undefined)],
    ["Layer", u.layer ?? (layer ? `${layer}${confirmedLayer(state) ? " (confirmed)" : " (likely)"}` : undefined)],
    ["Confidence", u.confidence ?? state.layer.confidence],
    ["Owner", u.owner ?? state.roles.owner],
    ["Next check", u.next ?? state.check?.text],
  ];
  return rows.map(([label, value]) => ({ label, value: value?.trim() ? value : "unknown" }));
}

export function relayMessage(event: RelayEvent, state: IncidentState, incident: RelayIncident, config: FirebreakConfig): RelayMessage {
  const sev = `SEV${state.severity}`;
  const headlines: Record<RelayEvent["kind"], string> = {
    declared: `${sev} incident declared`,
    update: `${sev} incident update`,
    severity: `Severity changed to ${sev}`,
    contained: `${sev} incident contained`,
    resolved: `${sev} incident resolved`,
    closed: `${sev} incident closed: postmortem open`,
    "postmortem-complete": `Postmortem complete`,
    nudge: `${sev} incident is overdue`,
  };
  const detail =
    event.kind === "contained" ? latest(state.containment)?.text : event.kind === "resolved" || event.kind === "closed" ? state.resolution?.cause : undefined;
  return {
    event,
    incident,
    severity: state.severity,
    severityName: config.severities[state.severity].name,
    status: state.status,
    headline: headlines[event.kind],
    ...(detail ? { detail } : {}),
    fields: evidence(state),
  };
}
