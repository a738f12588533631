// The close gate: an incident closes as completed only with a resolution the log bears out;
// a record the log does not bear out is rebuilt from the log.
import { parseComment } from "../commands/grammar.js";
import type { ActionTaken } from "../model/plan.js";
import { isClosedIncident, isDismissedOrVariance } from "../model/status.js";
import type { IncidentEvent, Work } from "./types.js";
import { timeline } from "./types.js";
import { applyLog } from "./apply-log.js";

export function close(work: Work, event: Extract<IncidentEvent, { kind: "closed" }>): ActionTaken {
  const state = work.state;
  if (isDismissedOrVariance(state.status)) return "ignored";
  if (event.reason === "not_planned" || event.reason === "duplicate") {
    work.state = timeline({ ...state, status: "dismissed" }, event.at, `Dismissed (closed as ${event.reason.replace("_", " ")})`, event.actor);
    return "reconciled";
  }
  if (isClosedIncident(state.status)) return "ignored";
  // A recorded resolution the log does not bear out was forged or its comment deleted: the
  // record is rebuilt from the log, which decides.
  if (state.resolution && !resolutionConfirmed(work)) replayLog(work, event.at);
  if (!resolutionConfirmed(work)) {
    if (!work.input.config.gate_incident_close) {
      work.state = timeline({ ...state, status: "closed", times: { ...state.times, closed: event.at } }, event.at, "Closed without a recorded cause", event.actor);
      return "reconciled";
    }
    work.reopen = true;
    work.replies.push({
      key: `gate-${Date.parse(event.at)}`,
      body: [
        "**Reopened: this incident has no recorded resolution yet.** Before closing, record what broke and what proved it:",
        "",
        "```",
        "/resolve",
        "cause: <what broke>",
        "layer: <economics|measurement|conversion|delivery|operations>",
        "evidence: <what proved it — a query, a screenshot, a test order>",
        "fix: <what fixed it>",
        "```",
        "",
        "Close it as _not planned_ instead if it turned out not to be an incident.",
      ].join("\n"),
    });
    return "reopened";
  }
  const complete = state.postmortem?.complete === true;
  work.state = timeline({ ...state, status: complete ? "postmortem-complete" : "closed", times: { ...state.times, closed: event.at } }, event.at, "Closed", event.actor);
  if (state.postmortem) return "reconciled";
  work.openPostmortem = true;
  return "postmortem-opened";
}

/**
 * Rebuilds the command-made part of the record from the comment log alone: the declaration
 * stays, everything commands set is reset and every authorised command is applied again in
 * order. Comments already acknowledged are not reacted to again.
 */
function replayLog(work: Work, at: string): void {
  const s = work.state;
  const declared = Date.parse(s.declaredAt);
  work.state = {
    ...s,
    status: "triage",
    roles: { detector: s.roles.detector, responders: [] },
    containment: [],
    check: undefined,
    interventions: [],
    maxParallel: 0,
    updates: [],
    resolution: undefined,
    layer: { ...s.layer, confirmed: undefined },
    times: {},
    timeline: [...s.timeline.filter((e) => Date.parse(e.at) <= declared), { at, text: "Record rebuilt from the comment log" }],
    applied: [],
    appliedThrough: undefined,
  };
  const reactions = work.reactions.length;
  const acknowledged = new Set(s.applied);
  applyLog(work);
  work.reactions = [...work.reactions.slice(0, reactions), ...work.reactions.slice(reactions).filter((id) => !acknowledged.has(id))];
  work.notes.push("the record did not match the comment log: rebuilt from the log");
}

/**
 * The gate is decided from the log, never from the body: the recorded `/resolve` comment must
 * still be in the log, written by someone who may command.
 */
function resolutionConfirmed(work: Work): boolean {
  const resolution = work.state.resolution;
  if (!resolution) return false;
  const comment = work.input.log?.find((c) => c.id === resolution.commentId);
  if (!comment) return false;
  const author = comment.user?.login ?? "ghost";
  return parseComment(comment.body).commands.some((c) => c.name === "resolve") && work.input.mayCommand(author, comment.author_association);
}
