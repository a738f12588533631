// An operations budget for scheduled work (SPEC §10): a pass spends at most `schedule.max_calls`
// GitHub calls in a repository. Answers of 304 cost no rate limit and are not counted.
import type { GitHubClient } from "../client.js";
import { statusOf } from "../client.js";

export class CallBudget {
  spent = 0;
  /** Where the running job stops: the pass keeps the rest of the budget for the jobs after it. */
  private ceiling: number;
  constructor(readonly max: number) {
    this.ceiling = max;
  }

  /** The running job's share is spent (the job stops and the pass goes on to the next). */
  get exhausted(): boolean {
    return this.spent >= this.ceiling;
  }

  /** The whole budget is spent: the pass stops. */
  get spentOut(): boolean {
    return this.spent >= this.max;
  }

  /** Calls the running job may still make. */
  get left(): number {
    return Math.max(0, this.ceiling - this.spent);
  }

  /** The next job may spend all but `keep` calls of the budget. */
  keepFor(keep: number): void {
    this.ceiling = Math.max(0, this.max - keep);
  }

  /** The same client, counting each call it makes against this budget. */
  meter(gh: GitHubClient): GitHubClient {
    const request = (async (route: string, options?: Record<string, unknown>) => {
      try {
        const response = await gh.request(route, options);
        this.spent += 1;
        return response;
      } catch (error) {
        if (statusOf(error) !== 304) this.spent += 1;
        throw error;
      }
    }) as GitHubClient["request"];
    return { request: Object.assign(request, gh.request) };
  }
}
