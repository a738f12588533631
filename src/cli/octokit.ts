// The CLI's GitHub client: @octokit/core with retries, GitHub's recommended pacing and
// pagination, authenticated by GITHUB_TOKEN against GITHUB_API_URL (GitHub Enterprise too).
import { Octokit } from "@octokit/core";
import { paginateRest } from "@octokit/plugin-paginate-rest";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { RATE_LIMITS } from "../github/octokit.js";
import { trimEndOf } from "../core/text/scanner.js";
import { CliError, unreachableCode } from "./common.js";

/**
 * Registered before the retry plugin, so its error hook runs first: a connection that is
 * refused (or a host that does not resolve) is not retried — plugin-retry would otherwise try
 * three more times, 1 + 4 + 9 s apart, before the user hears that GITHUB_API_URL is wrong.
 */
function failFastWhenUnreachable(octokit: Octokit): void {
  octokit.hook.error("request", (error, options) => {
    if (unreachableCode(error)) options.request = { ...options.request, retries: 0 };
    throw error;
  });
}

export const CliOctokit = Octokit.plugin(failFastWhenUnreachable, retry, throttling, paginateRest);
export type CliOctokit = InstanceType<typeof CliOctokit>;

export const DEFAULT_API_URL = "https://api.github.com";


export interface CliOctokitOptions {
  /**
   * GitHub's pacing (writes ~1 s apart, new issues and comments ~3 s apart). On by default;
   * tests against the local emulator switch it off to measure logic, not sleeps.
   */
  throttle?: boolean;
}

export function cliOctokit(env: Record<string, string | undefined>, options: CliOctokitOptions = {}): CliOctokit {
  const token = env.GITHUB_TOKEN?.trim();
  if (!token) throw new CliError("GITHUB_TOKEN is not set: export a token that can write issues in the repository.");
  const baseUrl = trimEndOf(env.GITHUB_API_URL?.trim() || DEFAULT_API_URL, "/");
  if (!URL.canParse(baseUrl)) throw new CliError(`GITHUB_API_URL is not a URL: ${JSON.stringify(baseUrl)}`);
  return new CliOctokit({
    auth: token,
    baseUrl,
    userAgent: "firebreak-cli",
    throttle: { enabled: options.throttle ?? true, ...RATE_LIMITS },
    retry: { enabled: true },
    // Octokit logs request failures with their URLs only; the CLI reports errors itself.
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
}
