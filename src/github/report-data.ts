// What a report is computed from (SPEC §16), read from GitHub alone: the incident and
// routine-variance issues touched in the period (their records), the postmortems, and one
// GraphQL query per 100 issues saying who last wrote each body: only records Firebreak wrote
// count (SPEC §13). A report of N issues costs ⌈N/100⌉ list pages per label plus ⌈N/100⌉ queries.
import { z } from "zod";
import { parseBody } from "../core/card.js";
import type { FirebreakConfig } from "../core/config.js";
import type { IssueView } from "../core/model/incident.js";
import { issueViewSchema } from "../core/model/incident.js";
import { parsePostmortemMarker } from "../core/model/markers.js";
import { postmortemDue } from "../core/postmortem/gate.js";
import type { ReportInput, ReportIssue, ReportPostmortem } from "../core/report/metrics.js";
import type { GitHubClient, RepoRef } from "./client.js";
import { wroteLast } from "./shell/trust.js";

const PAGE = 100;
/** A bound on what one report reads: 20 pages of each label. */
const MAX_PAGES = 20;

/** Issues with `label`, updated since `since` (or open, when `since` is undefined), every page. */
export async function listLabelled(gh: GitHubClient, ref: RepoRef, label: string, since: string | undefined): Promise<IssueView[]> {
  const issues: IssueView[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const { data } = await gh.request("GET /repos/{owner}/{repo}/issues", {
      ...ref,
      labels: label,
      state: since === undefined ? "open" : "all",
      ...(since === undefined ? {} : { since }),
      sort: "created",
      direction: "desc",
      per_page: PAGE,
      page,
    });
    const rows = z.array(issueViewSchema).parse(data).filter((i) => i.pull_request === undefined);
    issues.push(...rows);
    if (rows.length < PAGE) break;
  }
  return issues;
}

const editorsAnswer = z.object({
  data: z.object({
    repository: z.record(z.string(), z.object({ number: z.number(), lastEditedAt: z.string().nullable(), editor: z.object({ login: z.string() }).nullable() }).nullable()).nullable(),
  }),
});

/** The numbers of the issues whose body `writer` wrote last: one query per 100 issues. */
export async function writtenBy(gh: GitHubClient, ref: RepoRef, issues: readonly IssueView[], writer: string): Promise<Set<number>> {
  const trusted = new Set<number>();
  for (let at = 0; at < issues.length; at += PAGE) {
    const batch = issues.slice(at, at + PAGE);
    const fields = batch.map((i) => `i${i.number}: issue(number: ${i.number}) { number lastEditedAt editor { login } }`).join(" ");
    const { data } = await gh.request("POST /graphql", { query: `query($owner: String!, $name: String!) { repository(owner: $owner, name: $name) { ${fields} } }`, variables: { owner: ref.owner, name: ref.repo } });
    const found = editorsAnswer.safeParse(data).data?.data.repository ?? {};
    for (const issue of batch) {
      const f = found[`i${issue.number}`];
      if (f && wroteLast(f, issue.user?.login, writer)) trusted.add(issue.number);
    }
  }
  return trusted;
}

/** Records Firebreak wrote, of the given issues. */
async function records(gh: GitHubClient, ref: RepoRef, issues: readonly IssueView[], writer: string): Promise<ReportIssue[]> {
  const withRecord = issues.filter((i) => parseBody(i.body).state !== undefined);
  const trusted = await writtenBy(gh, ref, withRecord, writer);
  return withRecord.flatMap((i) => {
    const state = parseBody(i.body).state;
    return state && trusted.has(i.number) ? [{ number: i.number, title: i.title, url: i.html_url, state }] : [];
  });
}

/** Postmortems Firebreak opened (author), with their incident and due date. */
export function reportPostmortems(issues: readonly IssueView[], writer: string): ReportPostmortem[] {
  const self = writer.toLowerCase().replace(/\[bot\]$/, "");
  return issues.flatMap((i) => {
    const incident = parsePostmortemMarker(i.body);
    const author = (i.user?.login ?? "").toLowerCase().replace(/\[bot\]$/, "");
    if (incident === undefined || author !== self) return [];
    const due = postmortemDue(i.body);
    return [{ number: i.number, incident, open: i.state === "open", ...(due ? { due } : {}) }];
  });
}

/**
 * The issues and postmortems of the period. `withOpen` adds every open incident and postmortem,
 * whatever its age (the dashboard's lists): two more list calls, and their records share the trust queries.
 */
export async function readReportInput(gh: GitHubClient, ref: RepoRef, config: FirebreakConfig, period: { from: string; to: string }, writer: string, withOpen = false): Promise<ReportInput> {
  const l = config.labels;
  const lists = [await listLabelled(gh, ref, l.incident, period.from), await listLabelled(gh, ref, l.routine_variance, period.from)];
  if (withOpen) lists.push(await listLabelled(gh, ref, l.incident, undefined));
  const postmortems = [await listLabelled(gh, ref, l.postmortem, period.from), ...(withOpen ? [await listLabelled(gh, ref, l.postmortem, undefined)] : [])];
  return { ...period, issues: await records(gh, ref, unique(lists.flat()), writer), postmortems: reportPostmortems(unique(postmortems.flat()), writer) };
}

function unique(issues: readonly IssueView[]): IssueView[] {
  return [...new Map(issues.map((i) => [i.number, i])).values()];
}
