// The core: (event, issue, record, config, time of the event) → (new record, plan of writes).
// Pure: the shell reads what `needs` names beforehand and applies the plan afterwards.
import { parseBody } from "../card.js";
import { forgedCardOnly, isFirebreakIssue } from "./needs.js";
import type { IncidentState } from "../model/incident.js";
import { classify, initialState } from "../declaration/declare.js";
import { parseDeclaration } from "../declaration/form.js";
import type { ActionTaken, Plan, Reply } from "../model/plan.js";
import { emptyPlan } from "../model/plan.js";
import { isClosedStatus, isOpenStatus } from "../model/status.js";
import type { EngineInput, EngineResult, IncidentEvent, Work } from "./types.js";
import { ignored, timeline } from "./types.js";
import { applyLog, handAssignee, handLabel } from "./apply-log.js";
import { close } from "./close-gate.js";
import { finish } from "./outcome.js";
import { issueUpdate } from "./issue-update.js";

export function decide(input: EngineInput): EngineResult {
  const { issue, event } = input;
  const raw = parseBody(issue.body);
  // Only a record Firebreak wrote is used (SPEC §13); any other is rebuilt from GitHub below.
  const trusted = input.recordTrusted !== false;
  const parsed = trusted ? raw : { ...raw, state: undefined };
  if (issue.pull_request !== undefined) return ignored(issue.number, "pull requests are not incidents");
  if (event.kind === "declare") {
    if (parsed.state) return ignored(issue.number, "already declared: the card exists");
    return declare(input, parsed.userText);
  }
  if (event.kind === "edited") {
    if (input.lastWritten) return restoreSection(input, event, input.lastWritten, parsed.userText);
    if (trusted) return ignored(issue.number, "the edit left Firebreak's section as Firebreak wrote it");
    // Nothing remembered and the section is not Firebreak's: rebuilt from the log like any record.
  }
  let state = parsed.state;
  const notes: string[] = [];
  if (!state) {
    if (!isFirebreakIssue(issue, input.config)) return ignored(issue.number, "not an incident");
    if (!trusted && forgedCardOnly(issue, input.config)) return ignored(issue.number, "a card Firebreak did not write, on an issue nobody declared");
    // Labelled by hand before a card existed, a card that did not decode, or a record Firebreak
    // cannot show it wrote: declared from the issue itself (at its creation when rebuilt).
    const declared = declare(input, parsed.userText, trusted ? event.at : issue.created_at);
    if (!declared.state) return declared;
    state = declared.state;
    notes.push(...declared.notes);
    if (!trusted) notes.push("the record was not Firebreak's: rebuilt from the issue and its comment log");
  }
  const work: Work = {
    input,
    before: parsed.state,
    state,
    userText: parsed.userText,
    replies: [],
    notices: [],
    reactions: [],
    notes,
    openPostmortem: false,
    reopen: false,
  };
  let action: ActionTaken = "command";
  // Any event that brought the log along also catches up on commands a cancelled run never applied.
  if (input.log && event.kind !== "commands") applyLog(work);
  // A close whose own event was never handled (a cancelled run, a failed delivery) is caught
  // up by the next event that brought the log, which the gate needs.
  const unhandledClose =
    input.log && event.kind !== "closed" && event.kind !== "reopened" && issue.state === "closed" && isOpenStatus(work.state.status);
  switch (event.kind) {
    case "commands":
      applyLog(work);
      action = work.reactions.length > 0 || work.replies.length > 0 ? "command" : "reconciled";
      break;
    case "label":
      handLabel(work, event);
      action = "reconciled";
      break;
    case "assignee":
      handAssignee(work, event);
      action = "reconciled";
      break;
    case "reopened":
      // Only people who may command reopen an incident: anyone else's reopen is undone.
      if (event.actor && isClosedStatus(work.state.status) && !input.mayCommand(event.actor, undefined)) {
        work.notes.push(`closed again: reopened by ${event.actor} (not authorised)`);
        return reclose(finish(work, "reconciled"), work.state.status === "dismissed" ? "not_planned" : "completed");
      }
      if (isClosedStatus(work.state.status)) {
        work.state = timeline({ ...work.state, status: "investigating" }, event.at, "Reopened", event.actor);
      }
      action = "reconciled";
      break;
    case "edited":
      action = "reconciled";
      break;
    case "closed":
      // Only people who may command close an incident (an outsider author cannot dismiss it):
      // anyone else's close is undone and changes nothing else.
      if (event.actor && isOpenStatus(work.state.status) && !input.mayCommand(event.actor, undefined)) {
        work.reopen = true;
        work.notes.push(`reopened: closed by ${event.actor} (not authorised)`);
        action = "reopened";
        break;
      }
      action = close(work, event);
      break;
  }
  if (unhandledClose) {
    action = close(work, { kind: "closed", at: issue.closed_at ?? event.at, actor: issue.user?.login ?? "ghost", reason: issue.state_reason ?? "completed" });
  }
  return finish(work, action);
}

/** The plan also closes the issue again (a reopen by someone who may not command). */
function reclose(result: EngineResult, reason: "completed" | "not_planned"): EngineResult {
  return { ...result, plan: { ...result.plan, update: { ...result.plan.update, state: "closed", state_reason: reason } } };
}

/**
 * Editing the Firebreak section changes nothing (SPEC §12, §13): what Firebreak last wrote is put
 * back above the user's new text — never the edit's own "previous body", which anyone can have
 * written a moment before. Edits to the user's own text need nothing.
 */
function restoreSection(input: EngineInput, event: Extract<IncidentEvent, { kind: "edited" }>, written: IncidentState, userText: string): EngineResult {
  const update = issueUpdate(input, written, written, userText);
  const plan = emptyPlan(input.issue.number);
  if (update?.body) plan.update = { body: update.body };
  const notes = [update?.body ? `restored the Firebreak section edited by ${event.actor}` : "edit left the Firebreak section as it was"];
  return { action: update?.body ? "reconciled" : "ignored", state: written, plan, notes };
}

function declare(input: EngineInput, userText: string, at = input.event.at): EngineResult {
  const { issue, config } = input;
  const declaration = parseDeclaration(userText, input.formTemplate, input.shippedForm);
  const detector = issue.user?.login ?? "ghost";
  // The author is the detector; a responder who labels someone's issue as an incident declares it.
  const declarer = input.event.kind === "declare" ? input.event.actor : detector;
  const authorised = input.mayCommand(detector, issue.author_association) || (declarer !== detector && input.mayCommand(declarer, undefined));
  const classification = classify(declaration, authorised);
  const state = initialState({
    declaration,
    classification,
    detector,
    openedAt: issue.created_at,
    at,
    releases: input.releases ?? [],
    lookbackHours: config.lookback_hours,
  });
  const notes = [
    classification.kind === "incident"
      ? `declared SEV${state.severity}${state.layer.likely ? `, likely layer ${state.layer.likely}` : ""}`
      : `routine variance: ${classification.reason}`,
  ];
  const replies: Reply[] = [];
  const notices: Plan["notices"] = [];
  if (classification.kind === "routine-variance") {
    replies.push({
      key: "routine-variance",
      body: `**Not declared as an incident.** ${classification.reason}\n\nIf waiting does cost materially more, a responder can declare it with \`/escalate\`.`,
    });
  }
  const work: Work = {
    input,
    state,
    userText,
    replies,
    notices,
    reactions: [],
    notes,
    openPostmortem: false,
    reopen: false,
  };
  return finish(work, classification.kind === "incident" ? "declared" : "routine-variance");
}
