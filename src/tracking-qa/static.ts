// Static stage (SPEC §8): fetch each step's HTML and look for the tags' snippets and ids.
// Fast, but blind to what a tag manager injects at run time.

import { type TrackingQaConfig, type TrackingQaStep } from "../core/tracking-qa/config.js";
import { pageError, type StaticObservation } from "../core/tracking-qa/evaluation.js";
import { detectTags } from "../core/tracking-qa/tags.js";
import { mapLimit } from "./limit.js";

/** Pages are HTML documents; anything bigger than this is not a page worth scanning whole. */
export const MAX_PAGE_BYTES = 5 * 1024 * 1024;

export const QA_USER_AGENT = "Mozilla/5.0 (compatible; FirebreakTrackingQA/1.0)";

export interface StaticStageOptions {
  fetch?: typeof fetch;
  maxBytes?: number;
}

/** The step's absolute URL; paths resolve against base_url, absolute URLs stand. */
export function stepUrl(step: TrackingQaStep, config: TrackingQaConfig): string {
  if (config.base_url === undefined) throw new Error("tracking_qa.base_url is not set");
  return new URL(step.path, config.base_url).href;
}

/** Reads at most maxBytes of the body; a page larger than that is scanned up to the cap. */
async function readCapped(response: Response, maxBytes: number): Promise<string> {
  if (response.body === null) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    if (size >= maxBytes) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
  const bytes = new Uint8Array(Math.min(size, maxBytes));
  let offset = 0;
  for (const chunk of chunks) {
    const room = bytes.byteLength - offset;
    if (room <= 0) break;
    bytes.set(chunk.subarray(0, room), offset);
    offset += Math.min(room, chunk.byteLength);
  }
  return new TextDecoder(charsetOf(response.headers.get("content-type"))).decode(bytes);
}

function charsetOf(contentType: string | null): string {
  const charset = /charset=["']?([\w-]+)/i.exec(contentType ?? "")?.[1]?.toLowerCase();
  if (charset === undefined) return "utf-8";
  try {
    new TextDecoder(charset);
    return charset;
  } catch {
    return "utf-8";
  }
}

function reason(error: unknown, timeoutMs: number): string {
  if (error instanceof Error) {
    if (error.name === "TimeoutError" || error.name === "AbortError") return `timed out after ${timeoutMs} ms`;
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return `${error.message}${cause}`;
  }
  return String(error);
}

export async function fetchStep(
  step: TrackingQaStep,
  config: TrackingQaConfig,
  opts: StaticStageOptions = {},
): Promise<StaticObservation> {
  const doFetch = opts.fetch ?? globalThis.fetch;
  let url: string;
  try {
    url = stepUrl(step, config);
  } catch (error) {
    return { stage: "static", url: step.path, error: reason(error, config.timeout_ms) };
  }
  // One deadline for headers and body: a page that trickles forever still ends.
  const signal = AbortSignal.timeout(config.timeout_ms);
  try {
    const response = await doFetch(url, {
      redirect: "follow",
      signal,
      headers: { "user-agent": QA_USER_AGENT, accept: "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5" },
    });
    const finalUrl = response.url || url;
    const error = pageError(response.status);
    if (error !== undefined) {
      await response.body?.cancel().catch(() => undefined);
      return { stage: "static", url: finalUrl, httpStatus: response.status, error };
    }
    const html = await readCapped(response, opts.maxBytes ?? MAX_PAGE_BYTES);
    return { stage: "static", url: finalUrl, httpStatus: response.status, detection: detectTags(html, config) };
  } catch (error) {
    return { stage: "static", url, error: reason(error, config.timeout_ms) };
  }
}

/** One observation per step, in step order, at most config.concurrency fetches at once. */
export async function runStaticStage(config: TrackingQaConfig, opts: StaticStageOptions = {}): Promise<StaticObservation[]> {
  return mapLimit(config.steps, config.concurrency, (step) => fetchStep(step, config, opts));
}
