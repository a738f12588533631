// Whether the record in an issue's body is Firebreak's (SPEC §13): only a body Firebreak wrote
// last is believed. The App remembers the bodies it wrote; otherwise one GraphQL query says who
// last edited the body. A record that cannot be shown to be Firebreak's is rebuilt by the core.
import { z } from "zod";
import { cardSection, parseBody } from "../../core/card.js";
import type { IncidentState, IssueView } from "../../core/model/incident.js";
import type { GitHubClient, RepoRef } from "../client.js";
import { safeMessage } from "../client.js";
import type { ShellDeps } from "./deps.js";
import { writerOf } from "./deps.js";

export interface RecordTrust {
  /** The body's record may be used as it is. */
  trusted: boolean;
  /** What this process last wrote to the issue, when it remembers it: what an edit is undone to. */
  lastWritten?: IncidentState;
}

const EDITOR_QUERY = "query($owner: String!, $name: String!, $number: Int!) { repository(owner: $owner, name: $name) { issue(number: $number) { lastEditedAt editor { login } } } }";

const answer = z.object({
  data: z.object({
    repository: z.object({ issue: z.object({ lastEditedAt: z.string().nullable(), editor: z.object({ login: z.string() }).nullable() }).nullable() }).nullable(),
  }),
});

/** GraphQL names an App's bot by its slug, REST by `slug[bot]`. */
const bare = (login: string) => login.toLowerCase().replace(/\[bot\]$/, "");

/** Whether `writer` wrote the body last: never edited, its author wrote it; edited, its last editor wrote all of it. */
export function wroteLast(found: { lastEditedAt: string | null; editor: { login: string } | null }, author: string | undefined, writer: string): boolean {
  const last = found.lastEditedAt === null ? author : found.editor?.login;
  return last !== undefined && bare(last) === bare(writer);
}

export async function recordTrust(gh: GitHubClient, ref: RepoRef, issue: IssueView, deps: ShellDeps): Promise<RecordTrust> {
  const section = cardSection(issue.body);
  if (section === undefined || !parseBody(issue.body).state) return { trusted: true };
  const remembered = deps.memory?.lastBody(ref, issue.number);
  const lastWritten = remembered === undefined ? undefined : parseBody(remembered).state;
  if (remembered !== undefined && cardSection(remembered) === section) return { trusted: true, ...(lastWritten ? { lastWritten } : {}) };
  let trusted = false;
  try {
    const { data } = await gh.request("POST /graphql", { query: EDITOR_QUERY, variables: { owner: ref.owner, name: ref.repo, number: issue.number } });
    const found = answer.safeParse(data).data?.data.repository?.issue;
    if (found) trusted = wroteLast(found, issue.user?.login, writerOf(deps));
  } catch (error) {
    deps.log?.(`#${issue.number}: could not ask who last edited the body, so its record is rebuilt (${safeMessage(error)})`);
  }
  return { trusted, ...(lastWritten ? { lastWritten } : {}) };
}
