// `firebreak detect` (SPEC §14): reads a KPI file, URL or stdin, judges the latest complete
// points (or replays every point in time order) and prints the signals.
// Exit 0 no signal · 1 a signal · 2 bad input or configuration.
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { FirebreakConfig } from "../core/config.js";
import { DEFAULT_CONFIG } from "../core/config.js";
import type { Signal } from "../core/detection/index.js";
import { detect, parseKpi, replay } from "../core/detection/index.js";
import { fetchKpiText, formatOf, SourceError, urlName } from "../github/shell/kpi-sources.js";
import type { ExitCode, Io } from "./common.js";
import { CliError, configFailure, EXIT } from "./common.js";
import { readLocalConfig } from "./labels.js";

export interface DetectOptions {
  kpi: string;
  config?: string;
  at?: string;
  replay?: boolean;
  json?: boolean;
}

/** A KPI export bigger than this is refused rather than read partly. */
export const MAX_KPI_BYTES = 50 * 1024 * 1024;
const LOCAL_DEFAULT = ".github/firebreak.yml";

function loadConfig(options: DetectOptions, io: Io): FirebreakConfig {
  const path = options.config ?? (existsSync(resolve(io.cwd, LOCAL_DEFAULT)) ? LOCAL_DEFAULT : undefined);
  if (path === undefined) return DEFAULT_CONFIG;
  const local = readLocalConfig(path, io.cwd);
  if (local.errors.length > 0) throw configFailure(path, local.errors);
  return local.config;
}

async function readStream(chunks: AsyncIterable<Uint8Array | string>, what: string): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk);
    size += bytes.byteLength;
    if (size > MAX_KPI_BYTES) throw new CliError(`${what} is larger than ${MAX_KPI_BYTES / 1024 / 1024} MB`);
    parts.push(bytes);
  }
  return Buffer.concat(parts).toString("utf8");
}

/** An HTTPS export, read as the App and the Action read `detection.sources` URLs: public addresses only. */
async function readUrl(url: string): Promise<string> {
  try {
    return await fetchKpiText({ url }, { env: {}, hosted: false, guard: true });
  } catch (error) {
    if (error instanceof SourceError) throw new CliError(`--kpi ${urlName(url)}: ${error.message}`);
    throw error;
  }
}

async function readKpi(source: string, io: Io, stdin: () => AsyncIterable<Uint8Array | string>): Promise<string> {
  if (source === "-") return readStream(stdin(), "standard input");
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) return readUrl(source);
  const path = resolve(io.cwd, source);
  try {
    return readFileSync(path, "utf8");
  } catch {
    throw new CliError(`cannot read the KPI file ${source}`);
  }
}

function line(s: Signal): string {
  return `${s.at}  ${s.layer.padEnd(11)}  sev:${s.severity}  ${s.channel}/${s.metric}  since ${s.since}  score ${s.score}\n  ${s.reason}`;
}

export async function runDetect(options: DetectOptions, io: Io, stdin: () => AsyncIterable<Uint8Array | string> = () => process.stdin): Promise<ExitCode> {
  const config = loadConfig(options, io).detection;
  if (options.at !== undefined && Number.isNaN(Date.parse(options.at))) throw new CliError(`--at ${JSON.stringify(options.at)} is not an ISO 8601 time`);
  const text = await readKpi(options.kpi, io, stdin);
  const parsed = parseKpi(text, { format: formatOf(options.kpi), timezone: config.timezone });
  if (!parsed.ok) {
    const { line: l, column, message } = parsed.error;
    throw new CliError(`${options.kpi === "-" ? "stdin" : options.kpi}: line ${l}, column ${column}: ${message}`);
  }
  const signals = options.replay ? replay(parsed.data, config) : detect(parsed.data, config, { at: options.at });
  if (options.json) {
    io.out(JSON.stringify({ signals }, null, 2));
  } else if (signals.length === 0) {
    io.out(options.replay ? "no signal in the whole replay" : "no signal: every series is inside its band");
  } else {
    io.out(signals.map(line).join("\n"));
  }
  return signals.length > 0 ? EXIT.failure : EXIT.ok;
}
