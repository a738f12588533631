// What this process last wrote to each issue, so a later event never works from an older payload.
import type { IssueView } from "../../core/model/incident.js";
import type { RepoRef } from "../client.js";

export class IssueMemory {
  private readonly issues = new Map<string, IssueView>();
  remember(ref: RepoRef, issue: IssueView): void {
    this.issues.set(`${ref.owner}/${ref.repo}#${issue.number}`, issue);
  }
  /** The body this process last wrote to an issue: the only body it knows to be its own. */
  lastBody(ref: RepoRef, number: number): string | undefined {
    return this.issues.get(`${ref.owner}/${ref.repo}#${number}`)?.body;
  }
  /**
   * The newer of the payload's issue and the one this process wrote. GitHub's timestamps have
   * one-second resolution: on a tie, the body, labels and assignees (what Firebreak writes) come
   * from this process and the open/closed state (what people change) from the payload.
   */
  freshest(ref: RepoRef, issue: IssueView): IssueView {
    const known = this.issues.get(`${ref.owner}/${ref.repo}#${issue.number}`);
    if (!known) return issue;
    if (!known.updated_at || !issue.updated_at || known.updated_at > issue.updated_at) return issue.updated_at ? known : issue;
    if (known.updated_at < issue.updated_at) return issue;
    return { ...known, state: issue.state, state_reason: issue.state_reason, closed_at: issue.closed_at };
  }
}
