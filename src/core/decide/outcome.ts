// What every decision ends with: repeats looked up, the severity's people notified once,
// acknowledgements tracked, and the plan of writes assembled.
import { familyChanged } from "../repeat.js";
import type { IncidentState } from "../model/incident.js";
import { mention } from "../text/inert.js";
import type { ActionTaken, Plan } from "../model/plan.js";
import { emptyPlan } from "../model/plan.js";
import { isDismissedOrVariance } from "../model/status.js";
import { draftPostmortem } from "../postmortem/draft.js";
import { findRepeat, repeatNoticeForEarlierPostmortem } from "../repeat.js";
import type { EngineInput, EngineResult, Work } from "./types.js";
import { timeline } from "./types.js";
import { issueUpdate } from "./issue-update.js";

function findRepeatFor(
  input: EngineInput,
  state: IncidentState,
  at: string,
): { state: IncidentState; notice: Plan["notices"][number] } | undefined {
  const candidates = (input.repeatCandidates ?? []).filter((c) => c.number !== input.issue.number);
  const earlier = findRepeat(state, candidates, input.config.repeat_window_days, at);
  if (!earlier) return undefined;
  return {
    state: timeline(
      {
        ...state,
        repeatOf: {
          issue: earlier.number,
          ...(earlier.postmortem ? { postmortem: earlier.postmortem.number } : {}),
          ...(earlier.postmortem?.fix ? { fix: earlier.postmortem.fix.slice(0, 4000) } : {}),
        },
      },
      at,
      `Repeat of #${earlier.number}`,
    ),
    notice: {
      issue: earlier.postmortem?.number ?? earlier.number,
      key: `repeat-${input.issue.number}`,
      body: repeatNoticeForEarlierPostmortem({ number: input.issue.number, url: input.issue.html_url }, earlier),
    },
  };
}

function notify(work: Work): void {
  const state = work.state;
  if (isDismissedOrVariance(state.status)) return;
  if (state.notified.includes(state.severity)) return;
  const people = work.input.config.notify[state.severity];
  if (people.length === 0) return;
  work.state = { ...state, notified: [...state.notified, state.severity] };
  work.replies.push({
    key: `notify-sev${state.severity}`,
    body: `SEV${state.severity} incident — ${people.map(mention).join(" ")} for your attention.`,
  });
}

/** Repeats are looked up at declaration and again whenever the layer changes (SPEC §12). */
function checkRepeat(work: Work): void {
  const state = work.state;
  if (!work.input.repeatCandidates || state.repeatOf || isDismissedOrVariance(state.status)) return;
  const repeat = findRepeatFor(work.input, state, work.input.event.at);
  if (!repeat) return;
  work.state = repeat.state;
  work.notices.push(repeat.notice);
}

export function finish(work: Work, action: ActionTaken): EngineResult {
  const { input } = work;
  checkRepeat(work);
  notify(work);
  const plan = emptyPlan(input.issue.number);
  const alreadyReplied = new Set(work.state.replied);
  const replies = work.replies.filter((r) => !alreadyReplied.has(r.key));
  work.state = { ...work.state, replied: [...work.state.replied, ...replies.map((r) => r.key)].slice(-500) };
  if (work.openPostmortem && !work.state.postmortem) {
    plan.postmortem = draftPostmortem({
      incident: { number: input.issue.number, title: input.issue.title, url: input.issue.html_url },
      state: work.state,
      config: input.config,
      template: input.postmortemTemplate ?? "",
      now: input.event.at,
    });
  }
  acknowledge(work);
  plan.update = issueUpdate(input, work.before, work.state, work.userText, work.reopen);
  plan.reactions = work.reactions;
  plan.replies = [...replies, ...(work.refusals ?? []).filter((r) => !alreadyReplied.has(r.key))];
  plan.notices = work.notices;
  const wants = !input.repeatCandidates && !work.state.repeatOf && familyChanged(work.before, work.state) ? { wants: "closed-incidents" as const } : {};
  return { action, state: work.state, plan, notes: work.notes, ...wants };
}

/**
 * The card is written before the acknowledgements, so the record lists the comments it applied
 * that may still lack their +1. An event that read the log reacts again to those whose rollup
 * shows none; a list that only shrank is not worth a write of its own.
 */
function acknowledge(work: Work): void {
  const log = work.input.log;
  const earlier = work.state.unacked ?? [];
  // A comment without a rollup (not what GitHub lists) tells nothing: only a counted zero is missing.
  const missing = log ? earlier.filter((id) => log.find((c) => c.id === id)?.reactions?.["+1"] === 0) : earlier;
  if (log) work.reactions = [...new Set([...missing, ...work.reactions])];
  const unacked = [...new Set([...missing, ...work.reactions])].slice(-100);
  if (work.reactions.length === 0 && unacked.every((id) => earlier.includes(id))) return;
  work.state = { ...work.state, unacked };
}
