// Reading the KPI sources of `detection.sources` (SPEC §14): a file on the default branch through
// the FileCache (an unchanged file answers 304, which costs nothing), or an HTTPS URL with an
// optional auth header from an environment variable. In the hosted App (SPEC §13) only
// `FIREBREAK_KPI_…` variables may be named, the header goes only to the URL's own host, and the
// URL passes the tracking QA address guard. Every failure is one sentence for the
// configuration-error issue; nothing here throws on bad input.
import { z } from "zod";
import type { ConfigError } from "../../core/config.js";
import type { DetectionConfig } from "../../core/detection/index.js";
import { guardedFetch } from "../../tracking-qa/address-guard.js";
import type { GitHubClient, RepoRef } from "../client.js";
import type { ShellDeps } from "./deps.js";

export const KPI_ENV_PREFIX = "FIREBREAK_KPI_";

/** A KPI export bigger than this is not read (a year of hourly rows for dozens of channels fits). */
const MAX_BYTES = 20 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 20_000;
const MAX_REDIRECTS = 5;

type Source = DetectionConfig["sources"][number];

export interface KpiSource {
  /** Its config key (`detection.sources.N`), under which its errors are reported. */
  key: string;
  /** How the config names it, for messages: the path or the URL's origin and path. */
  name: string;
  text: string;
  /** The format its name says; undefined: sniffed from the text. */
  format?: "csv" | "jsonl";
}

export interface KpiRead {
  sources: KpiSource[];
  errors: ConfigError[];
}

/** "Header-Name: value": the name must be a token, the value one line. */
const authHeader = z
  .string()
  .transform((s) => {
    const colon = s.indexOf(":");
    return colon < 0 ? undefined : { name: s.slice(0, colon).trim(), value: s.slice(colon + 1).trim() };
  })
  .pipe(z.object({ name: z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/), value: z.string().min(1).max(8192).regex(/^[^\r\n]*$/) }));

/** The format a KPI file's or URL's name says (its query and fragment aside); undefined: sniffed. */
export function formatOf(name: string): "csv" | "jsonl" | undefined {
  const lower = name.toLowerCase().split(/[?#]/)[0] ?? "";
  return lower.endsWith(".jsonl") || lower.endsWith(".ndjson") ? "jsonl" : lower.endsWith(".csv") ? "csv" : undefined;
}

/** A source that cannot be read: one sentence, said after the source's name. */
export class SourceError extends Error {}

/** How one process reads KPI URLs: the App's and the Action's scheduled pass, and `firebreak detect`. */
export interface UrlReader {
  /** The variables `auth_env` may name. */
  env: Readonly<Record<string, string | undefined>>;
  /** The hosted App: only `FIREBREAK_KPI_…` variables may be named. */
  hosted: boolean;
  /** Public addresses only (the tracking QA address guard). */
  guard: boolean;
  /** The fetch to use (tests); absent, Node's own (through the guard when `guard`). */
  fetch?: typeof fetch | undefined;
}

function readUrl(source: { url: string; auth_env?: string | undefined }, deps: ShellDeps): Promise<string> {
  const kpi = deps.kpi;
  if (!kpi) throw new SourceError("URL sources are read by the App and the Action's scheduled pass, not here");
  return fetchKpiText(source, { ...kpi, guard: kpi.hosted && deps.allowPrivateQaHosts !== true });
}

/**
 * The text of an HTTPS KPI export: the auth header only to the configured host, redirects
 * followed by hand (at most MAX_REDIRECTS, https only), one deadline per request, a size cap.
 * Throws a SourceError for anything the source or the configuration got wrong.
 */
export async function fetchKpiText(source: { url: string; auth_env?: string | undefined }, kpi: UrlReader): Promise<string> {
  let url: URL;
  try {
    url = new URL(source.url);
  } catch {
    throw new SourceError("is not a URL");
  }
  if (url.protocol !== "https:") throw new SourceError("must be an https:// URL");
  if (url.username || url.password) throw new SourceError("must not carry a user name or password; name an environment variable in auth_env instead");
  let header: { name: string; value: string } | undefined;
  if (source.auth_env !== undefined) {
    if (kpi.hosted && !source.auth_env.startsWith(KPI_ENV_PREFIX)) {
      throw new SourceError(`auth_env ${source.auth_env} is refused: the hosted App reads only environment variables starting with ${KPI_ENV_PREFIX}`);
    }
    const raw = kpi.env[source.auth_env];
    if (raw === undefined || raw === "") throw new SourceError(`auth_env ${source.auth_env} is not set on the ${kpi.hosted ? "App's server" : "runner"}`);
    const parsed = authHeader.safeParse(raw);
    if (!parsed.success) throw new SourceError(`auth_env ${source.auth_env} must hold "Header-Name: value"`);
    header = parsed.data;
  }
  const guarded = kpi.guard ? guardedFetch() : undefined;
  const get = kpi.fetch ?? guarded?.fetch ?? fetch;
  const publicOnly = kpi.hosted ? " (the hosted App reads KPI URLs only on the public internet)" : " (KPI URLs are read only on the public internet)";
  try {
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      // The header belongs to the configured host: a redirect elsewhere goes without it.
      const headers = header && url.host === new URL(source.url).host ? { [header.name]: header.value } : undefined;
      let response: Response;
      try {
        response = await get(url, { redirect: "manual", signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), ...(headers ? { headers } : {}) });
      } catch (error) {
        const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
        const message = cause instanceof Error && /^refused: /.test(cause.message) ? cause.message.replace(/ \(tracking QA[^()]*\)/, publicOnly) : "could not be fetched";
        throw new SourceError(message);
      }
      if (response.status >= 300 && response.status < 400 && response.headers.get("location")) {
        url = new URL(response.headers.get("location")!, url);
        if (url.protocol !== "https:") throw new SourceError("redirects to a URL that is not https://");
        await response.body?.cancel();
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new SourceError(`answered HTTP ${response.status}`);
      }
      return await cappedText(response);
    }
    throw new SourceError(`redirects more than ${MAX_REDIRECTS} times`);
  } finally {
    await guarded?.close();
  }
}

/** The body, read no further than the cap: a hostile server cannot make the pass hold more. */
async function cappedText(response: Response): Promise<string> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of (response.body ?? []) as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > MAX_BYTES) {
      await response.body?.cancel().catch(() => undefined);
      throw new SourceError(`is larger than ${MAX_BYTES / 1024 / 1024} MB`);
    }
    parts.push(chunk);
  }
  return Buffer.concat(parts).toString("utf8");
}

/** Where a URL source is, for messages: never its query (which may hold a key). */
export function urlName(raw: string): string {
  try {
    const url = new URL(raw);
    return `${url.origin}${url.pathname}`;
  } catch {
    return "the URL";
  }
}

/**
 * Reads every source; each one that cannot be read becomes one configuration error naming the
 * source and why (a missing file, an HTTP answer, a refused address or variable), so a broken
 * source never stops the others or the pass. GitHub failing to answer is thrown: that is no
 * configuration error. Parsing is the analysis's (core/detection-incident/analysis.ts).
 */
export async function readKpiSources(gh: GitHubClient, ref: RepoRef, detection: DetectionConfig, deps: ShellDeps): Promise<KpiRead> {
  const read: KpiRead = { sources: [], errors: [] };
  for (const [index, source] of detection.sources.entries()) {
    const key = `detection.sources.${index}`;
    const name = "path" in source && typeof source.path === "string" ? source.path : urlName((source as { url: string }).url);
    let text: string | undefined;
    try {
      if ("path" in source && typeof source.path === "string") {
        text = await deps.files.read(gh, ref, source.path);
        if (text === undefined) throw new SourceError("was not found on the default branch");
      } else {
        text = await readUrl(source as Extract<Source, { url: string }>, deps);
      }
    } catch (error) {
      // GitHub failing to answer is not the config's fault: the pass reports it and tries again next time.
      if (!(error instanceof SourceError)) throw error;
      read.errors.push({ key, reason: `${name} ${error.message}` });
      continue;
    }
    const format = formatOf(name);
    read.sources.push({ key, name, text, ...(format ? { format } : {}) });
  }
  return read;
}
