// Applies a plan of writes. Order matters for latency and for crash safety:
// the postmortem first (the card links it), then replies, then the card, then the
// acknowledgements. Replies are keyed and looked up in the log, so a process that dies after
// the card was written never loses one; the record lists the comments it applied but has not
// yet seen acknowledged, and the next event that reads the log reacts to those again.
import { z } from "zod";
import type { FirebreakConfig } from "../../core/config.js";
import { unassignableOwner, withPostmortem } from "../../core/decide/follow-ups.js";
import type { EngineInput, EngineResult } from "../../core/decide/types.js";
import type { CommentView, IssueView } from "../../core/model/incident.js";
import { issueViewSchema } from "../../core/model/incident.js";
import type { Plan } from "../../core/model/plan.js";
import { fitReply } from "../../core/model/plan.js";
import { REPLY_MARKER } from "../../core/model/markers.js";
import { firebreakReplyKeys } from "../../core/decide/needs.js";
import type { GitHubClient, RepoRef } from "../client.js";
import { safeMessage } from "../client.js";
import { createIssueOnce } from "../issues.js";
import type { ShellDeps } from "./deps.js";
import { writerOf } from "./deps.js";
import type { IncidentState } from "../../core/model/incident.js";
import { recordBefore, relayNews } from "../../relay/index.js";
import type { RelayDeps } from "../../relay/send.js";
import type { RelayEvent } from "../../core/relay/events.js";

type PlanInput = Pick<EngineInput, "config" | "issue" | "event" | "log" | "recordTrusted">;

export async function applyPlan(gh: GitHubClient, ref: RepoRef, input: PlanInput, decided: EngineResult, deps: ShellDeps): Promise<{ plan: Plan; postmortem?: number }> {
  let result = decided;
  let postmortem: number | undefined;
  if (result.plan.postmortem) {
    const draft = result.plan.postmortem;
    const created = await createIssueOnce(gh, ref, { ...draft, findLabel: input.config.labels.postmortem, author: writerOf(deps) });
    // A lost creation race (two processes) can still make two: reconcile closes the later one.
    postmortem = created.number;
    result = withPostmortem(input, result, postmortem, created.existing);
  }
  const plan = result.plan;
  const self = (login: string) => login.toLowerCase() === deps.botLogin.toLowerCase();
  await postComments(gh, ref, plan.issue, plan.replies, input.log ?? [], self);
  let issue = input.issue;
  if (plan.update) {
    issue = await patchIssue(gh, ref, plan.issue, plan.update, input.config, deps);
    const refused = unassignableOwner(input, result, issue);
    if (refused) {
      if (refused.plan.update) issue = await patchIssue(gh, ref, plan.issue, refused.plan.update, input.config, deps);
      await postComments(gh, ref, plan.issue, refused.plan.replies, input.log ?? [], self);
    }
  }
  for (const commentId of plan.reactions) {
    await gh.request("POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", { ...ref, comment_id: commentId, content: "+1" });
  }
  for (const notice of plan.notices) await postComments(gh, ref, notice.issue, [notice], [], self);
  if (deps.relay) await relayAfter(gh, ref, { ...input, issue }, recordBefore(input), result.state, deps, deps.relay);
  return { plan, ...(postmortem ? { postmortem } : {}) };
}

/** Relays the news of this plan (and `extra` news) and records it; never fails the event (SPEC §16). */
export async function relayAfter(
  gh: GitHubClient,
  ref: RepoRef,
  input: PlanInput,
  before: IncidentState | undefined,
  after: IncidentState | undefined,
  deps: ShellDeps,
  relay: RelayDeps,
  extra: readonly RelayEvent[] = [],
): Promise<void> {
  try {
    const record = await relayNews(ref, input, before, after, relay, deps.log, extra);
    if (record) await patchIssue(gh, ref, input.issue.number, record, input.config, deps);
  } catch (error) {
    deps.log?.(`#${input.issue.number}: could not record what was relayed: ${safeMessage(error)}`);
  }
}

/**
 * Keyed comments: a key already in the log was posted by an earlier run and is not posted again.
 * Only Firebreak's own comments count: a key copied into anyone else's suppresses nothing (SPEC §13).
 */
async function postComments(
  gh: GitHubClient,
  ref: RepoRef,
  issue: number,
  comments: readonly { key: string; body: string }[],
  log: readonly CommentView[],
  self: (login: string) => boolean,
): Promise<void> {
  const posted = firebreakReplyKeys(log, self);
  for (const comment of comments) {
    if (posted.has(comment.key)) continue;
    await gh.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...ref, issue_number: issue, body: `${fitReply(comment.body)}\n\n${REPLY_MARKER(comment.key)}` });
  }
}

async function patchIssue(gh: GitHubClient, ref: RepoRef, issue: number, update: NonNullable<Plan["update"]>, config: FirebreakConfig, deps: ShellDeps): Promise<IssueView> {
  const { data } = await gh.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...ref, issue_number: issue, ...update });
  const written = issueViewSchema.parse(data);
  deps.memory?.remember(ref, written);
  if (update.labels) await styleCreatedLabels(gh, ref, config, data, deps);
  return written;
}

/**
 * GitHub creates a missing label on first use, grey and without a description; Firebreak then
 * gives its own labels their colour and description. Read from the PATCH answer, so it costs no
 * extra request when the labels exist.
 */
async function styleCreatedLabels(gh: GitHubClient, ref: RepoRef, config: FirebreakConfig, issue: unknown, deps: ShellDeps): Promise<void> {
  const parsed = z.object({ labels: z.array(z.object({ name: z.string(), description: z.string().nullable().optional() })) }).safeParse(issue);
  if (!parsed.success) return;
  const fresh = parsed.data.labels.filter((l) => !l.description).map((l) => l.name);
  if (fresh.length === 0) return;
  try {
    await deps.labels.style(gh, ref, config, fresh);
  } catch (error) {
    deps.log?.(`could not style new labels: ${safeMessage(error)}`);
  }
}
