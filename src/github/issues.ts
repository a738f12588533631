// Reads and idempotent writes on issues: marked issues that converge to one, comments,
// and releases (permissions live in permissions.ts).
import { z } from "zod";
import type { ReleaseView } from "../core/declaration/declare.js";
import type { CommentView, IssueView } from "../core/model/incident.js";
import { commentViewSchema, issueViewSchema } from "../core/model/incident.js";
import type { GitHubClient, RepoRef } from "./client.js";

const PAGE = 100;
/** A bound on pages read for one event: an issue with 1,000 comments is already extraordinary. */
const MAX_PAGES = 10;

export async function getIssue(gh: GitHubClient, ref: RepoRef, number: number): Promise<IssueView> {
  const { data } = await gh.request("GET /repos/{owner}/{repo}/issues/{issue_number}", { ...ref, issue_number: number });
  return issueViewSchema.parse(data);
}

/** The issue's comments, oldest first; `since` (ISO) narrows to comments updated since then. */
export async function listComments(gh: GitHubClient, ref: RepoRef, number: number, since?: string): Promise<CommentView[]> {
  const out: CommentView[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const { data } = await gh.request("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", {
      ...ref,
      issue_number: number,
      per_page: PAGE,
      page,
      ...(since ? { since } : {}),
    });
    const rows = z.array(commentViewSchema).parse(data);
    out.push(...rows);
    if (rows.length < PAGE) break;
  }
  return out;
}

export async function listReleases(gh: GitHubClient, ref: RepoRef): Promise<ReleaseView[]> {
  const { data } = await gh.request("GET /repos/{owner}/{repo}/releases", { ...ref, per_page: 30 });
  const rows = z
    .array(
      z.object({
        tag_name: z.string(),
        name: z.string().nullable().optional(),
        html_url: z.string(),
        published_at: z.string().nullable().optional(),
        draft: z.boolean().optional(),
      }),
    )
    .parse(data);
  return rows
    .filter((r) => !r.draft && r.published_at)
    .map((r) => ({ tag: r.tag_name, ...(r.name ? { name: r.name } : {}), url: r.html_url, publishedAt: r.published_at! }));
}

/** Incidents closed (or updated) since a time: one list serves the repeat lookup, as each record carries its postmortem's fix. */
export async function listClosedSince(gh: GitHubClient, ref: RepoRef, since: string, label: string): Promise<IssueView[]> {
  const { data } = await gh.request("GET /repos/{owner}/{repo}/issues", {
    ...ref,
    state: "closed",
    labels: label,
    since,
    sort: "updated",
    direction: "desc",
    per_page: PAGE,
  });
  return z.array(issueViewSchema).parse(data);
}

export async function findMarkedIssues(
  gh: GitHubClient,
  ref: RepoRef,
  query: { label: string; state: "open" | "all"; marker: string; author?: string },
): Promise<IssueView[]> {
  const { data } = await gh.request("GET /repos/{owner}/{repo}/issues", {
    ...ref,
    labels: query.label,
    state: query.state,
    // Newest first: what a marker is looked up for (a postmortem, a release's QA incident) is recent.
    sort: "created",
    direction: "desc",
    per_page: PAGE,
  });
  return z
    .array(issueViewSchema)
    .parse(data)
    .filter((i) => i.body.includes(query.marker))
    // A marker copied into someone else's issue is not Firebreak's issue (SPEC §13).
    .filter((i) => query.author === undefined || (i.user?.login ?? "").toLowerCase() === query.author.toLowerCase());
}

/**
 * Creates an issue unless one carrying its marker exists. GitHub has no idempotency key, so a
 * race can still make two: the later one is then closed as a duplicate, linking the first.
 */
export async function createIssueOnce(
  gh: GitHubClient,
  ref: RepoRef,
  draft: { marker: string; title: string; body: string; labels: string[]; assignees?: string[]; findLabel: string; author?: string },
): Promise<{ number: number; created: boolean }> {
  const before = await findMarkedIssues(gh, ref, { label: draft.findLabel, state: "all", marker: draft.marker, ...(draft.author ? { author: draft.author } : {}) });
  if (before[0]) return { number: before[0].number, created: false };
  const body = draft.body.includes(draft.marker) ? draft.body : `${draft.marker}\n${draft.body}`;
  const { data } = await gh.request("POST /repos/{owner}/{repo}/issues", {
    ...ref,
    title: draft.title,
    body,
    labels: draft.labels,
    ...(draft.assignees && draft.assignees.length > 0 ? { assignees: draft.assignees } : {}),
  });
  const created = issueViewSchema.parse(data);
  return { number: created.number, created: true };
}

/** Closes later duplicates of a marked issue (a lost creation race), keeping the oldest; returns the one kept. */
export async function closeDuplicates(gh: GitHubClient, ref: RepoRef, query: { label: string; marker: string }): Promise<number | undefined> {
  const all = await findMarkedIssues(gh, ref, { ...query, state: "all" });
  const [first, ...later] = all.sort((a, b) => a.number - b.number);
  if (!first) return undefined;
  for (const dup of later.filter((d) => d.state === "open")) {
    await gh.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...ref, issue_number: dup.number, body: `Duplicate of #${first.number}.` });
    await gh.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...ref, issue_number: dup.number, state: "closed", state_reason: "not_planned" });
  }
  return first.number;
}
