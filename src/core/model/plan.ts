// The plan of GitHub writes the core decides on. The GitHub layer applies it; `firebreak
// simulate` prints it; tests assert it.
import type { PostmortemDraft } from "../postmortem/draft.js";

export type ActionTaken =
  | "declared"
  | "routine-variance"
  | "command"
  | "postmortem-opened"
  | "reopened"
  | "qa-passed"
  | "qa-failed"
  | "reconciled"
  | "ignored";

export interface Reply {
  /** Idempotency key, written into the reply as a hidden marker so a redelivery never replies twice. */
  key: string;
  body: string;
}

export interface IssueUpdate {
  body?: string;
  labels?: string[];
  assignees?: string[];
  state?: "open" | "closed";
  state_reason?: "completed" | "not_planned" | "reopened";
}

export interface Plan {
  issue: number;
  /** One PATCH of the issue: body, labels, assignees and state together. */
  update?: IssueUpdate;
  /** Comments to acknowledge with a +1 reaction. */
  reactions: number[];
  replies: Reply[];
  /** A postmortem to open (once: the GitHub layer looks for its marker first). */
  postmortem?: PostmortemDraft;
  /** Comments on other issues (e.g. an earlier postmortem whose fix did not hold). */
  notices: { issue: number; key: string; body: string }[];
}

export function emptyPlan(issue: number): Plan {
  return { issue, reactions: [], replies: [], notices: [] };
}

export function planWrites(plan: Plan): number {
  return (
    (plan.update ? 1 : 0) + plan.reactions.length + plan.replies.length + (plan.postmortem ? 1 : 0) + plan.notices.length
  );
}
