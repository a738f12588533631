// Repository files Firebreak reads on every event (config, issue form, postmortem template),
// through conditional requests: an unchanged file answers 304, which costs no rate limit.
import type { GitHubClient, RepoRef } from "./client.js";
import { statusOf } from "./client.js";

interface CachedFile {
  etag?: string;
  text?: string;
  /** When a missing file was last looked up: 404s have no ETag, so they are cached for a while. */
  missingAt?: number;
}

const MISSING_TTL_MS = 60_000;

export class FileCache {
  private readonly files = new Map<string, CachedFile>();
  /** Reads in flight: concurrent events on one repository share one request (single flight). */
  private readonly reading = new Map<string, Promise<{ text?: string; changed: boolean }>>();
  constructor(private readonly now: () => number = Date.now) {}

  /** The file's text on the default branch, or undefined when it does not exist. */
  async read(gh: GitHubClient, ref: RepoRef, path: string): Promise<string | undefined> {
    return (await this.readTracked(gh, ref, path)).text;
  }

  /**
   * Also says whether the file changed since this process last read it. Of the events that
   * wait on one read, only the one that started it is told of a change.
   */
  async readTracked(gh: GitHubClient, ref: RepoRef, path: string): Promise<{ text?: string; changed: boolean }> {
    const key = `${ref.owner}/${ref.repo}:${path}`;
    const shared = this.reading.get(key);
    if (shared) {
      const { text } = await shared;
      return { ...(text !== undefined ? { text } : {}), changed: false };
    }
    const read = this.fetch(gh, ref, path, key).finally(() => this.reading.delete(key));
    this.reading.set(key, read);
    return read;
  }

  private async fetch(gh: GitHubClient, ref: RepoRef, path: string, key: string): Promise<{ text?: string; changed: boolean }> {
    const cached = this.files.get(key);
    if (cached?.missingAt !== undefined && this.now() - cached.missingAt < MISSING_TTL_MS) return { changed: false };
    try {
      const response = await gh.request("GET /repos/{owner}/{repo}/contents/{path}", {
        ...ref,
        path,
        headers: cached?.etag ? { "if-none-match": cached.etag } : {},
      });
      const data = response.data as { type?: string; content?: string; encoding?: string };
      if (Array.isArray(response.data) || data.type !== "file" || typeof data.content !== "string") {
        this.files.set(key, { missingAt: this.now() });
        return { changed: cached?.text !== undefined };
      }
      const text = Buffer.from(data.content, data.encoding === "base64" ? "base64" : "utf8").toString("utf8");
      const etag = typeof response.headers.etag === "string" ? response.headers.etag : undefined;
      this.files.set(key, { ...(etag ? { etag } : {}), text });
      return { text, changed: text !== cached?.text };
    } catch (error) {
      const status = statusOf(error);
      if (status === 304 && cached?.text !== undefined) return { text: cached.text, changed: false };
      if (status === 404) {
        this.files.set(key, { missingAt: this.now() });
        return { changed: cached === undefined || cached.text !== undefined };
      }
      throw error;
    }
  }
}
