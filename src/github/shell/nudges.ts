// Nudges (SPEC §15): one reminder per window to whoever owes the next move — an overdue update,
// no owner yet, an overdue check, a postmortem past its `Due:` date. One job of the scheduled
// pass: the longest overdue first, within `schedule.max_calls`, continuing next pass.
//
// Idempotent without any state of its own: each reminder carries a hidden key naming its rule
// and window, looked for among Firebreak's own comments before writing. Two processes racing
// (overlapping passes, instances) can both write; each then reads again and the one whose
// comment is not the oldest deletes its own, so the issue converges on one reminder.
import { z } from "zod";
import { parseBody } from "../../core/card.js";
import type { FirebreakConfig } from "../../core/config.js";
import type { CommentView, IncidentState, IssueView } from "../../core/model/incident.js";
import { commentViewSchema } from "../../core/model/incident.js";
import { nudgeKeysIn, nudgeMarker, parsePostmortemMarker } from "../../core/model/markers.js";
import { fitReply } from "../../core/model/plan.js";
import type { Overdue } from "../../core/nudges/rules.js";
import { incidentOverdue, nudgeText, overdueAt, postmortemDeadline } from "../../core/nudges/rules.js";
import type { GitHubClient, RepoRef } from "../client.js";
import { safeMessage } from "../client.js";
import type { CallBudget } from "./budget.js";
import type { RunResult, ShellDeps } from "./deps.js";
import type { JobRun } from "./reconcile.js";
import { listIssues } from "./reconcile.js";
import { recordTrust } from "./trust.js";
import { relayAfter } from "./apply-plan.js";
import { nudgeEvent } from "../../core/relay/events.js";

type Outcome = Omit<RunResult, "configErrors">;

/** What one issue owes at the pass's time. */
interface Owed {
  issue: IssueView;
  /** The incident's record; absent for a postmortem. */
  state?: IncidentState;
  overdue: Overdue[];
}

/** A bound on one issue's comments read per pass: far beyond what follows one update. */
const MAX_PAGES = 10;

export async function nudgeIncidents(gh: GitHubClient, ref: RepoRef, config: FirebreakConfig, deps: ShellDeps, budget: CallBudget, at: string, resumeAfter?: number): Promise<JobRun> {
  if (!config.nudges) return { results: [] };
  const incidents = await listIssues(gh, ref, { state: "open", labels: config.labels.incident });
  const postmortems = await listIssues(gh, ref, { state: "open", labels: config.labels.postmortem });
  const self = selfLogins(deps);
  const owed = [...incidents.flatMap((i) => incidentOwes(i, config, at, deps, ref, self)), ...postmortems.flatMap((p) => postmortemOwes(p, at, self))].sort(
    (a, b) => a.overdue[0]!.dueAt - b.overdue[0]!.dueAt || a.issue.number - b.issue.number,
  );
  // The order is by lateness, not number: a pass goes on after the issue the last one stopped at.
  const from = resumeAfter === undefined ? 0 : owed.findIndex((o) => o.issue.number === resumeAfter) + 1;
  const results: Outcome[] = [];
  let last = resumeAfter;
  for (const item of owed.slice(from)) {
    // An issue in progress finishes; the next one waits for the next pass.
    if (budget.exhausted) return { results, ...(last !== undefined ? { resumeAfter: last } : {}) };
    last = item.issue.number;
    try {
      // Its turn may come after a webhook on it (the App's queue): judged again from what this process wrote since.
      const remind = async () => {
        const current = item.state ? incidentOwes(item.issue, config, at, deps, ref, self)[0] : item;
        return current ? remindIssue(gh, ref, current, config, deps, self, at) : ["nothing overdue any more"];
      };
      const notes = await (deps.exclusive ? deps.exclusive(ref, item.issue.number, remind) : remind());
      results.push({ action: "reconciled", incident: item.issue.number, notes });
    } catch (error) {
      results.push({ action: "ignored", incident: item.issue.number, notes: [`failed: ${safeMessage(error)}`] });
    }
  }
  return { results };
}

function incidentOwes(listed: IssueView, config: FirebreakConfig, at: string, deps: ShellDeps, ref: RepoRef, self: (login: string) => boolean): Owed[] {
  if (listed.pull_request !== undefined) return [];
  // The list was read before this incident's turn came: what this process wrote since is newer.
  const issue = deps.memory ? deps.memory.freshest(ref, listed) : listed;
  const state = parseBody(issue.body).state;
  // Firebreak never reminds itself: an incident it declared (tracking QA) owes its notify list, or nobody by name.
  const overdue = state && issue.state === "open" ? incidentOverdue(state, config, at).map((o) => ({ ...o, to: o.to.filter((l) => !self(l)) })) : [];
  return overdue.length > 0 && state ? [{ issue, state, overdue }] : [];
}

/** Only a postmortem Firebreak opened counts (SPEC §13): its author is Firebreak and it names its incident. */
function postmortemOwes(issue: IssueView, at: string, self: (login: string) => boolean): Owed[] {
  if (!self(issue.user?.login ?? "") || parsePostmortemMarker(issue.body) === undefined) return [];
  const deadline = postmortemDeadline(issue.body, issue.assignees);
  const overdue = deadline && overdueAt(deadline, at);
  return overdue ? [{ issue, overdue: [overdue] }] : [];
}

function selfLogins(deps: ShellDeps): (login: string) => boolean {
  const own = new Set([deps.botLogin, deps.writerLogin].flatMap((l) => (l ? [l.toLowerCase()] : [])));
  return (login) => own.has(login.toLowerCase());
}

async function remindIssue(gh: GitHubClient, ref: RepoRef, owed: Owed, config: FirebreakConfig, deps: ShellDeps, self: (login: string) => boolean, at: string): Promise<string[]> {
  // Read from the event that last satisfied a rule: GitHub's clock on both sides, never the pass's.
  const since = new Date(Math.min(...owed.overdue.map((o) => o.since))).toISOString();
  const sent = ownKeys(await commentsSince(gh, ref, owed.issue.number, since), self);
  const due = owed.overdue.filter((o) => !sent.has(o.key));
  const notes = owed.overdue.filter((o) => sent.has(o.key)).map((o) => `${o.rule}: already reminded for the window from ${o.window}`);
  if (due.length === 0) return notes;
  // A record Firebreak cannot show to be its own is rebuilt by reconcile first; until then it pings nobody.
  if (owed.state && !(await recordTrust(gh, ref, owed.issue, deps)).trusted) return [...notes, "its record is not Firebreak's: no reminder until reconcile rebuilds it"];
  const written = new Map<string, number>();
  for (const overdue of due) {
    const body = `${fitReply(nudgeText(overdue, owed.state, config))}\n\n${nudgeMarker(overdue.rule, overdue.window)}`;
    const { data } = await gh.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...ref, issue_number: owed.issue.number, body });
    written.set(overdue.key, commentViewSchema.parse(data).id);
  }
  // Create, then verify: of two reminders for one key, the oldest stays and the later one goes.
  const after = await commentsSince(gh, ref, owed.issue.number, since);
  const kept: Overdue[] = [];
  for (const overdue of due) {
    const mine = written.get(overdue.key)!;
    const oldest = Math.min(...after.filter((c) => self(c.user?.login ?? "") && nudgeKeysIn(c.body).includes(overdue.key)).map((c) => c.id), mine);
    if (oldest === mine) {
      notes.push(`${overdue.rule}: reminded ${overdue.to.join(", ") || "the issue"} (window from ${overdue.window})`);
      kept.push(overdue);
      continue;
    }
    await gh.request("DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}", { ...ref, comment_id: mine });
    notes.push(`${overdue.rule}: another run reminded first; the duplicate was removed`);
  }
  // Only the run whose reminder stayed relays it; the record keeps it as sent (SPEC §16 `nudge`).
  if (deps.relay && owed.state && kept.length > 0) {
    await relayAfter(gh, ref, { config, issue: owed.issue, event: { kind: "commands", at } }, owed.state, owed.state, deps, deps.relay, kept.map((o) => nudgeEvent(o.window)));
  }
  return notes;
}

/** The issue's comments updated since a time (GitHub's `since`), oldest first. */
async function commentsSince(gh: GitHubClient, ref: RepoRef, issue: number, since: string): Promise<CommentView[]> {
  const out: CommentView[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const { data } = await gh.request("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...ref, issue_number: issue, since, per_page: 100, page });
    const rows = z.array(commentViewSchema).parse(data);
    out.push(...rows);
    if (rows.length < 100) break;
  }
  return out;
}

/** Reminder keys in Firebreak's own comments: a key copied into anyone else's suppresses nothing (SPEC §13). */
function ownKeys(comments: readonly CommentView[], self: (login: string) => boolean): Set<string> {
  return new Set(comments.filter((c) => self(c.user?.login ?? "")).flatMap((c) => nudgeKeysIn(c.body)));
}
