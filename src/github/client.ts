// The one seam to GitHub's REST API. Probot's context.octokit and @actions/github's octokit
// both satisfy it; Firebreak needs nothing beyond `request`.
import type { Octokit } from "@octokit/core";

export type GitHubClient = Pick<Octokit, "request">;

export interface RepoRef {
  owner: string;
  repo: string;
}

export function repoOf(fullName: string): RepoRef {
  const [owner = "", repo = ""] = fullName.split("/");
  return { owner, repo };
}

export function statusOf(error: unknown): number | undefined {
  if (typeof error === "object" && error !== null && "status" in error) {
    const status = (error as { status: unknown }).status;
    return typeof status === "number" ? status : undefined;
  }
  return undefined;
}

/** An error message safe to log or show: tokens and keys never leave the process. */
export function safeMessage(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  return raw
    .replace(/(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g, "[token]")
    .replace(/(authorization|token|bearer)\s*(?:[:=]\s*)?[A-Za-z0-9._-]{16,}/gi, "$1 [redacted]")
    .replace(/-----BEGIN[^-]{1,40}PRIVATE KEY-----[\s\S]*?(?:-----END[^-]{1,40}PRIVATE KEY-----|$)/g, "[private key]")
    .slice(0, 500);
}
