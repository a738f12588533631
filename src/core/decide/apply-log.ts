// Commands and hand changes: every authorised command in the log applied once, in order;
// a label or assignee changed by hand treated like the matching command, or undone.
import { commandNamed } from "../commands/index.js";
import { setLikelyLayer } from "../commands/layer.js";
import { setOwner } from "../commands/owner.js";
import { setSeverity } from "../commands/severity.js";
import { pendingCommands } from "./needs.js";
import { labelMeaning } from "../model/labels.js";
import { inline } from "../text/inert.js";
import type { IncidentEvent, Work } from "./types.js";
import { timeline } from "./types.js";

const REFUSAL =
  "Sorry — only people with triage permission on this repository (or listed under `responders` in `.github/firebreak.yml`) can run Firebreak commands. Nothing was changed.";

/** Applies every authorised command comment in the log that the record has not applied yet. */
export function applyLog(work: Work): void {
  const { input } = work;
  for (const { comment, parsed } of pendingCommands(input.log ?? [], work.state, input.isBot, input.isSelf)) {
    const author = comment.user?.login ?? "ghost";
    const { commands, nearMisses } = parsed;
    const key = `c${comment.id}`;
    if (!input.mayCommand(author, comment.author_association)) {
      // One refusal and no other write (SPEC §13): the record does not list the comment; the
      // refusal's key in Firebreak's own reply marks it answered.
      (work.refusals ??= []).push({ key, body: REFUSAL });
      work.notes.push(`refused comment ${comment.id} by ${author}`);
      continue;
    }
    work.state = { ...work.state, applied: [...work.state.applied, comment.id] };
    const messages: string[] = [];
    let accepted = 0;
    for (const line of commands) {
      const result = commandNamed(line.name).run(work.state, line, {
        at: comment.created_at,
        by: author,
        commentId: comment.id,
        config: input.config,
      });
      if ("error" in result) {
        messages.push(`⚠️ ${result.error}`);
        work.notes.push(`/${line.name} by ${author} failed: ${result.error}`);
        continue;
      }
      accepted += 1;
      work.state = result.state;
      if (result.reply) messages.push(result.reply);
      if (result.openPostmortem) work.openPostmortem = true;
      work.notes.push(`/${line.name} by ${author} applied`);
    }
    for (const miss of nearMisses) {
      messages.push(`\`/${inline(miss.word, 40)}\` is not a Firebreak command — did you mean \`/${miss.suggestion}\`? (\`/help\` lists them all.)`);
    }
    if (accepted > 0) work.reactions.push(comment.id);
    if (messages.length > 0) work.replies.push({ key, body: messages.join("\n\n") });
  }
}

export function handLabel(work: Work, event: Extract<IncidentEvent, { kind: "label" }>): void {
  const meaning = labelMeaning(event.label, work.input.config);
  if (!meaning || !event.added) return; // removals and other labels are restored from the record
  if (!work.input.mayCommand(event.actor, undefined)) {
    work.notes.push(`restored labels changed by ${event.actor} (not authorised)`);
    return;
  }
  work.state =
    "severity" in meaning
      ? setSeverity(work.state, meaning.severity, event.at, event.actor)
      : setLikelyLayer(work.state, meaning.layer, undefined, "label", event.at, event.actor);
}

export function handAssignee(work: Work, event: Extract<IncidentEvent, { kind: "assignee" }>): void {
  const owner = work.state.roles.owner;
  if (!work.input.mayCommand(event.actor, undefined)) {
    work.notes.push(`restored the owner changed by ${event.actor} (not authorised)`);
    return;
  }
  if (event.added && event.login !== owner) {
    work.state = setOwner(work.state, event.login, event.at, event.actor);
  } else if (!event.added && event.login === owner) {
    work.state = timeline({ ...work.state, roles: { ...work.state.roles, owner: undefined } }, event.at, `Owner ${owner} unassigned`, event.actor);
  }
}
