// Reads and idempotent writes on issues: marked issues that converge to one, comments,
// and releases (permissions live in permissions.ts).
import { z } from "zod";
import type { ReleaseView } from "../core/declaration/declare.js";
import type { CommentView, IssueView } from "../core/model/incident.js";
import { commentViewSchema, issueViewSchema } from "../core/model/incident.js";
import type { GitHubClient, RepoRef } from "./client.js";

const PAGE = 100;

export async function getIssue(gh: GitHubClient, ref: RepoRef, number: number): Promise<IssueView> {
  const { data } = await gh.request("GET /repos/{owner}/{repo}/issues/{issue_number}", { ...ref, issue_number: number });
  return issueViewSchema.parse(data);
}

/** A bound for one event's log read: 50,000 comments, far beyond any real incident. */
const MAX_LOG_PAGES = 500;

function lastPageOf(link: unknown): number | undefined {
  if (typeof link !== "string") return undefined;
  for (const part of link.split(",")) {
    if (!/rel="last"/.test(part)) continue;
    const url = /<([^<>]*)>/.exec(part)?.[1];
    const page = url ? Number(new URL(url, "https://api.github.com").searchParams.get("page")) : NaN;
    if (Number.isInteger(page) && page > 0) return page;
  }
  return undefined;
}

/**
 * The issue's comments, oldest first, read newest page first (SPEC §10, §13): GitHub's list has
 * no sort, so page 1 names the last page in its Link header, then pages last, last − 1, … are
 * read until `enough(oldestIdSoFar, seen)` says older comments are not needed. A flood of
 * comments costs one call per page of comments the record has not applied, not a cap that
 * hides the newest. `complete` is false when older pages were left unread.
 */
export async function listCommentsNewestFirst(
  gh: GitHubClient,
  ref: RepoRef,
  number: number,
  enough: (oldestId: number, seen: (id: number) => boolean) => boolean,
): Promise<{ comments: CommentView[]; complete: boolean; pages: number }> {
  const read = (page: number) => gh.request("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...ref, issue_number: number, per_page: PAGE, page });
  const first = await read(1);
  const firstRows = z.array(commentViewSchema).parse(first.data);
  // A client without headers (simulate's read-only one) has no further pages.
  const last = lastPageOf((first.headers as Record<string, unknown> | undefined)?.link);
  if (last === undefined || last <= 1) return { comments: firstRows, complete: true, pages: 1 };
  const byId = new Map<number, CommentView>();
  const seen = (id: number) => byId.has(id);
  let pages = 1;
  let lowest = 2;
  for (let page = last; page >= 2 && pages < MAX_LOG_PAGES; page--) {
    const rows = z.array(commentViewSchema).parse((await read(page)).data);
    pages += 1;
    lowest = page;
    for (const row of rows) byId.set(row.id, row);
    const oldest = rows.reduce((min, r) => Math.min(min, r.id), Infinity);
    if (page > 2 && rows.length > 0 && enough(oldest, seen)) break;
  }
  const complete = lowest === 2;
  // Page 1 was read for its Link header; its comments are the oldest and are kept.
  for (const row of firstRows) byId.set(row.id, row);
  return { comments: [...byId.values()].sort((a, b) => a.id - b.id), complete, pages };
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
  query: { label: string; state: "open" | "all"; marker: string; author: string },
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
    .filter((i) => (i.user?.login ?? "").toLowerCase() === query.author.toLowerCase());
}

/**
 * Creates an issue unless one carrying its marker exists. GitHub has no idempotency key, so a
 * race can still make two: the later one is then closed as a duplicate, linking the first.
 */
export async function createIssueOnce(
  gh: GitHubClient,
  ref: RepoRef,
  draft: { marker: string; title: string; body: string; labels: string[]; assignees?: string[]; findLabel: string; author: string },
): Promise<{ number: number; created: boolean; existing?: IssueView }> {
  const before = await findMarkedIssues(gh, ref, { label: draft.findLabel, state: "all", marker: draft.marker, author: draft.author });
  // The oldest is the one: a lost creation race's later copy is closed as its duplicate.
  const oldest = before.reduce<IssueView | undefined>((a, b) => (a === undefined || b.number < a.number ? b : a), undefined);
  if (oldest) return { number: oldest.number, created: false, existing: oldest };
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
export async function closeDuplicates(gh: GitHubClient, ref: RepoRef, query: { label: string; marker: string; author: string }): Promise<number | undefined> {
  const all = await findMarkedIssues(gh, ref, { ...query, state: "all" });
  const [first, ...later] = all.sort((a, b) => a.number - b.number);
  if (!first) return undefined;
  for (const dup of later.filter((d) => d.state === "open")) {
    await gh.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...ref, issue_number: dup.number, body: `Duplicate of #${first.number}.` });
    await gh.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...ref, issue_number: dup.number, state: "closed", state_reason: "not_planned" });
  }
  return first.number;
}
