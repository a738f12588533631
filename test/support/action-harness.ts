// Runs the bundled Action (dist/index.js) the way a runner does: a child process with the
// standard Actions environment, from a checkout that holds dist/ and templates/ but no
// node_modules, so anything the bundle left out fails here and not on a user's runner.
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const BUNDLE = join(ROOT, "dist/index.js");

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/**
 * Builds dist/index.js when it is missing or older than what it is built from, so these tests
 * never skip and never test a stale bundle. Test files run in parallel: a lock directory keeps
 * one build at a time (the build writes only files whose bytes change).
 */
export function ensureBundle(): void {
  const sources = Math.max(newestMtime(join(ROOT, "src")), newestMtime(join(ROOT, "scripts/bundle.mjs")), newestMtime(join(ROOT, "package-lock.json")));
  const fresh = () => existsSync(BUNDLE) && statSync(BUNDLE).mtimeMs >= sources;
  if (fresh()) return;
  const lock = join(tmpdir(), `firebreak-bundle-${createHash("sha1").update(ROOT).digest("hex").slice(0, 12)}.lock`);
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another test file is building; a lock older than a build can take is left over from a crash.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 60_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error("timed out waiting for another test file to build dist/index.js");
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
  try {
    if (fresh()) return;
    execFileSync(process.execPath, [join(ROOT, "scripts/bundle.mjs")], { cwd: ROOT, stdio: "pipe" });
    if (!existsSync(BUNDLE)) throw new Error("npm run bundle produced no dist/index.js");
    const now = new Date();
    utimesSync(BUNDLE, now, now); // an unchanged rebuild keeps the old mtime: mark it fresh
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** A runner's view of the Action: its repository checked out, without node_modules. */
export function actionCheckout(): { dir: string; main: string; cleanup(): void } {
  ensureBundle();
  const dir = mkdtempSync(join(tmpdir(), "firebreak-action-"));
  for (const entry of ["dist", "templates", "action.yml"]) cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
  return { dir, main: join(dir, "dist/index.js"), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

export interface ActionEnv {
  main: string;
  apiUrl: string;
  repository: string;
  eventName: string;
  payload: unknown;
  token: string;
  botLogin?: string;
  runId?: number;
}

/** Parses GITHUB_OUTPUT's `name<<delimiter` blocks (and plain `name=value` lines). */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const block = /^([^=<]+)<<(.+)$/.exec(line);
    if (block) {
      const value: string[] = [];
      while (++i < lines.length && lines[i] !== block[2]) value.push(lines[i]!);
      out[block[1]!] = value.join("\n");
    } else if (line.includes("=")) {
      out[line.slice(0, line.indexOf("="))] = line.slice(line.indexOf("=") + 1);
    }
  }
  return out;
}

/**
 * One workflow run: asynchronous, because the emulator answering the Action lives in this
 * process and a synchronous spawn would block it.
 */
export async function runAction(opts: ActionEnv): Promise<ActionRun> {
  const dir = mkdtempSync(join(tmpdir(), "firebreak-run-"));
  try {
    const eventPath = join(dir, "event.json");
    writeFileSync(eventPath, JSON.stringify(opts.payload));
    const outputPath = join(dir, "output");
    const summaryPath = join(dir, "summary");
    writeFileSync(outputPath, "");
    writeFileSync(summaryPath, "");
    const runId = String(opts.runId ?? 4242);
    // Only what a runner sets: nothing from this process's own environment leaks in.
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "",
      HOME: dir,
      CI: "true",
      GITHUB_ACTIONS: "true",
      GITHUB_EVENT_NAME: opts.eventName,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_REPOSITORY: opts.repository,
      GITHUB_REPOSITORY_OWNER: opts.repository.split("/")[0]!,
      GITHUB_API_URL: opts.apiUrl,
      GITHUB_GRAPHQL_URL: `${opts.apiUrl}/graphql`,
      GITHUB_SERVER_URL: "https://github.com",
      GITHUB_RUN_ID: runId,
      GITHUB_RUN_ATTEMPT: "1",
      GITHUB_WORKFLOW: "Firebreak",
      GITHUB_ACTOR: "octocat",
      GITHUB_SHA: "0000000000000000000000000000000000000000",
      GITHUB_REF: "refs/heads/main",
      GITHUB_WORKSPACE: dir,
      RUNNER_TEMP: dir,
      GITHUB_OUTPUT: outputPath,
      GITHUB_STEP_SUMMARY: summaryPath,
      "INPUT_GITHUB-TOKEN": opts.token,
      "INPUT_CONFIG-PATH": ".github/firebreak.yml",
      "INPUT_BOT-LOGIN": opts.botLogin ?? "firebreak[bot]",
    };
    const child = spawn(process.execPath, [opts.main], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once("error", reject);
      child.once("close", resolve);
    });
    return { code, stdout, stderr, outputs: parseOutputs(readFileSync(outputPath, "utf8")), summary: readFileSync(summaryPath, "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface CapturedDelivery {
  event: string;
  action?: string;
  /** The body byte for byte, as GitHub would send it to a webhook or write it to GITHUB_EVENT_PATH. */
  raw: string;
}

/** A webhook receiver that keeps every delivery: the emulator's payloads, exactly as sent. */
export class DeliveryCapture {
  readonly deliveries: CapturedDelivery[] = [];
  private server: Server | undefined;

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const action = (JSON.parse(raw) as { action?: unknown }).action;
        this.deliveries.push({ event: String(req.headers["x-github-event"]), ...(typeof action === "string" ? { action } : {}), raw });
        res.writeHead(200).end();
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The latest delivery of `event.action`, parsed. */
  last(event: string, action?: string): Record<string, unknown> {
    const found = this.deliveries.filter((d) => d.event === event && (action === undefined || d.action === action)).at(-1);
    if (!found) throw new Error(`no ${event}${action ? `.${action}` : ""} delivery captured (got ${this.deliveries.map((d) => `${d.event}.${d.action ?? ""}`).join(", ")})`);
    return JSON.parse(found.raw) as Record<string, unknown>;
  }
}

export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
}

/** Sits between a client and the emulator and keeps what each request asked for, body included. */
export class RecordingProxy {
  readonly requests: RecordedRequest[] = [];
  private server: Server | undefined;
  constructor(private readonly target: string) {}

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const raw = Buffer.concat(chunks);
        const url = new URL(req.url ?? "/", this.target);
        this.requests.push({ method: req.method ?? "GET", path: url.pathname, body: raw.length > 0 ? (JSON.parse(raw.toString("utf8")) as unknown) : undefined });
        const forward = httpRequest(url, { method: req.method, headers: { ...req.headers, host: url.host } }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        forward.on("error", () => res.writeHead(502).end());
        forward.end(raw);
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
