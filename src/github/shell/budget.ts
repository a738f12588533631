// An operations budget for scheduled work (SPEC §10): a pass spends at most `schedule.max_calls`
// GitHub calls in a repository. Answers of 304 cost no rate limit and are not counted.
import type { GitHubClient } from "../client.js";
import { statusOf } from "../client.js";

export class CallBudget {
  spent = 0;
  constructor(readonly max: number) {}

  get exhausted(): boolean {
    return this.spent >= this.max;
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
