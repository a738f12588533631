// Decisions that depend on GitHub's answer to a write: the postmortem that was opened (its
// number), and an owner GitHub would not assign (its assignees answer).
import { parseBody } from "../card.js";
import type { EngineInput, EngineResult } from "./types.js";
import { issueUpdate } from "./issue-update.js";
import type { IssueView } from "../model/incident.js";
import { person } from "../text/inert.js";
import { emptyPlan } from "../model/plan.js";
import { postmortemRecord } from "./postmortem-closed.js";
import { parsePostmortemMarker } from "../model/markers.js";

/**
 * After the GitHub layer opened the postmortem, or found the one Firebreak already wrote for this
 * incident (`found`): link it from the card. A found postmortem that was closed complete counts
 * as complete, so a record rebuilt from the log keeps its postmortem and its process fix.
 */
export function withPostmortem(input: Pick<EngineInput, "issue" | "config" | "event">, result: EngineResult, postmortemNumber: number, found?: IssueView): EngineResult {
  if (!result.state) return result;
  const parsed = parseBody(input.issue.body);
  const at = input.event.at;
  // Only a postmortem whose own (first) marker names this incident counts as its record.
  const own = found !== undefined && parsePostmortemMarker(found.body) === input.issue.number;
  const postmortem = own ? postmortemRecord(found) : { issue: postmortemNumber, complete: false };
  const status = postmortem.complete && result.state.status === "closed" ? ("postmortem-complete" as const) : result.state.status;
  const text = postmortem.complete ? `Postmortem #${postmortemNumber} complete` : `Postmortem #${postmortemNumber} opened`;
  const state = { ...result.state, status, postmortem, timeline: [...result.state.timeline, { at, text }] };
  const update = issueUpdate(input, parsed.state, state, parsed.userText, result.plan.update?.state === "open");
  return { ...result, state, plan: { ...result.plan, postmortem: undefined, update } };
}

/**
 * GitHub silently drops assignees who are not collaborators: the owner is kept on the card
 * with a note, and one reply says why. Undefined when the owner was assigned.
 */
export function unassignableOwner(input: Pick<EngineInput, "config" | "event">, result: EngineResult, written: IssueView): EngineResult | undefined {
  const owner = result.state?.roles.owner;
  if (!result.state || !owner || !result.plan.update?.assignees?.includes(owner)) return undefined;
  if (written.assignees.some((a) => a.toLowerCase() === owner.toLowerCase())) return undefined;
  // A login shown, never mentioned: the record's owner text is not proof of a real account.
  const note = `${person(owner)} is recorded as owner but could not be assigned: GitHub only assigns people with access to this repository.`;
  const state = { ...result.state, roles: { ...result.state.roles, ownerNote: note } };
  const plan = emptyPlan(written.number);
  const parsed = parseBody(written.body);
  const update = issueUpdate({ ...input, issue: written }, state, state, parsed.userText);
  if (update?.body) plan.update = { body: update.body };
  plan.replies.push({
    key: `owner-${owner}`,
    body: `${note} Invite them as a collaborator (triage is enough) and run \`/owner\` again, or pick someone with access.`,
  });
  return { action: result.action, state, plan, notes: [`owner ${owner} could not be assigned`] };
}
