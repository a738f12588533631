// The one PATCH that brings an issue in line with its record.
import { compactState, renderBody } from "../card.js";
import type { IncidentState } from "../model/incident.js";
import { incidentStateSchema } from "../model/incident.js";
import { desiredAssignees, desiredLabels, sameSet } from "../model/labels.js";
import type { IssueUpdate } from "../model/plan.js";
import type { EngineInput } from "./types.js";

/** The single PATCH that brings the issue in line with the record; undefined when nothing changes. */
export function issueUpdate(
  input: Pick<EngineInput, "issue" | "config" | "event">,
  before: IncidentState | undefined,
  state: IncidentState,
  userText: string,
  reopen = false,
): IssueUpdate | undefined {
  const { issue, config } = input;
  const update: IssueUpdate = {};
  // The card is a function of the record alone, so an event that changes nothing writes nothing:
  // keys in schema order (a decoded record re-encodes byte for byte) and "so far" figures
  // measured to the record's latest entry, not to whichever event happens to render it.
  const record = incidentStateSchema.safeParse(compactState(state, 150));
  // A record that would not decode again is never written: the next event would declare anew.
  const body = record.success ? renderBody(record.data, userText, { config, now: lastRecorded(state) ?? input.event.at, issueUrl: issue.html_url }) : undefined;
  if (body !== undefined && body !== issue.body) update.body = body;
  const labels = desiredLabels(state, issue.labels, config);
  if (!sameSet(labels, issue.labels)) update.labels = labels;
  // An owner GitHub would not assign (ownerNote) is recorded on the card only: asking again on
  // every event would repeat the refusal.
  const assignees = desiredAssignees(issue.assignees, before?.roles.owner, state.roles.ownerNote ? undefined : state.roles.owner);
  if (!sameSet(assignees, issue.assignees)) update.assignees = assignees;
  if (reopen && issue.state === "closed") {
    update.state = "open";
    update.state_reason = "reopened";
  }
  return Object.keys(update).length > 0 ? update : undefined;
}

function lastRecorded(state: IncidentState): string | undefined {
  let latest: string | undefined;
  for (const at of [state.declaredAt, ...state.timeline.map((e) => e.at)]) {
    if (Number.isFinite(Date.parse(at)) && (latest === undefined || Date.parse(at) > Date.parse(latest))) latest = at;
  }
  return latest;
}
