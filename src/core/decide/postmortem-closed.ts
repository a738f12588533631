// A postmortem closed: reopened with what is missing, or recorded as complete on its incident.
import { parseBody } from "../card.js";
import type { FirebreakConfig } from "../config.js";
import type { IncidentState, IssueView } from "../model/incident.js";
import type { EngineResult } from "./types.js";
import { issueUpdate } from "./issue-update.js";
import { emptyPlan } from "../model/plan.js";
import { postmortemGaps, processFixLink } from "../postmortem/gate.js";

/** The postmortem's own answer to being closed: reopen it, listing what is missing, or nothing. */
export function postmortemClosed(postmortem: IssueView, incident: number, at: string): EngineResult & { complete: boolean } {
  const plan = emptyPlan(postmortem.number);
  if (postmortem.state !== "closed") return { action: "ignored", plan, notes: ["postmortem already reopened"], complete: false };
  const gaps = postmortemGaps(postmortem.body);
  if (gaps.length === 0) return { action: "reconciled", plan, notes: [`postmortem #${postmortem.number} complete`], complete: true };
  plan.update = { state: "open", state_reason: "reopened" };
  plan.replies.push({
    key: `pm-gaps-${Date.parse(at)}`,
    body: `**Reopened: this postmortem is not complete yet.** Still missing:\n\n${gaps.map((g) => `- ${g}`).join("\n")}\n\nAnswer each question under its heading and tick each box, then close it again.`,
  });
  return { action: "reopened", plan, notes: [`postmortem #${postmortem.number} of #${incident} closed with ${gaps.length} gaps: reopened`], complete: false };
}

/**
 * What a card records of its postmortem: complete once it is closed with nothing missing, with
 * the process fix a later repeat will quote. Only for a postmortem Firebreak wrote for the incident.
 */
export function postmortemRecord(postmortem: IssueView): NonNullable<IncidentState["postmortem"]> {
  const complete = postmortem.state === "closed" && postmortemGaps(postmortem.body).length === 0;
  const fix = complete ? processFixLink(postmortem.body) : undefined;
  return { issue: postmortem.number, complete, ...(fix ? { fix: fix.slice(0, 500) } : {}) };
}

/** The incident's card records its complete postmortem and the process fix a later repeat will quote. */
export function recordPostmortemComplete(incident: IssueView, postmortem: IssueView, config: FirebreakConfig, at: string): EngineResult {
  const plan = emptyPlan(incident.number);
  const parsed = parseBody(incident.body);
  if (!parsed.state) return { action: "ignored", plan, notes: ["the incident has no card"] };
  // Only the postmortem this incident's record names counts (SPEC §13): any other issue with a
  // copied marker, even one Firebreak wrote for another purpose, completes nothing.
  if (parsed.state.postmortem?.issue !== postmortem.number) return { action: "ignored", plan, notes: [`#${postmortem.number} is not the postmortem recorded on #${incident.number}`] };
  if (parsed.state.postmortem.complete) return { action: "ignored", plan, notes: ["already recorded as complete"] };
  const state = {
    ...parsed.state,
    status: parsed.state.status === "closed" ? ("postmortem-complete" as const) : parsed.state.status,
    postmortem: postmortemRecord(postmortem),
    timeline: [...parsed.state.timeline, { at, text: `Postmortem #${postmortem.number} complete` }],
  };
  plan.update = issueUpdate({ issue: incident, config, event: { kind: "commands", at } }, parsed.state, state, parsed.userText);
  return { action: "reconciled", state, plan, notes: [`postmortem #${postmortem.number} complete`] };
}
