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
  | "detected"
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

/** GitHub refuses a comment or body over 65,536 characters; a reply stays well under it. */
export const COMMENT_LIMIT = 65_536;
const REPLY_ROOM = 60_000;

/**
 * A reply GitHub will accept however much a comment asked for (SPEC §13: no comment can make
 * Firebreak build a write GitHub refuses): cut at a line break where possible, with a note.
 */
export function fitReply(body: string, room = REPLY_ROOM): string {
  if (body.length <= room) return body;
  const note = `\n\n_… shortened: the full reply would be ${body.length.toLocaleString("en-US")} characters, over GitHub's limit for a comment._`;
  let cut = body.slice(0, room - note.length);
  const line = cut.lastIndexOf("\n");
  if (line > cut.length / 2) cut = cut.slice(0, line);
  // Never split a surrogate pair.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}${note}`;
}
