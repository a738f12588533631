// Several App instances on one Redis, as SPEC §18 runs them: a real redis-server on a free port,
// N real servers (`node build/app/server.js`, as `npm start`) with REDIS_URL, and a small
// round-robin load balancer between the local GitHub and them. The balancer fails over to the next
// instance when one does not answer, as a load balancer's health check would.
import { type ChildProcess, spawn } from "node:child_process";
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { readInitTemplates } from "../cli/init.js";
import { parseBody } from "../core/card.js";
import { DEFAULT_CONFIG } from "../core/config.js";
import type { IncidentState } from "../core/model/incident.js";
import { labelStyles } from "../core/model/labels.js";
import { CARD_START } from "../core/model/markers.js";
import { LocalGitHub, sign } from "./local-github/index.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const REPO = "acme/shop";
const { privateKey: PRIVATE_KEY } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});
const WAIT_MS = 90_000;
export const REDIS_SERVER = process.env.FIREBREAK_REDIS_SERVER ?? "/usr/bin/redis-server";

export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Polls until `ready` holds, bounded; `context` (server logs) is in the message when it never does. */
export async function waitFor<T>(what: string, ready: () => T | undefined | false | Promise<T | undefined | false>, context: () => string = () => ""): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await ready();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${context().slice(-6000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A throwaway redis-server: no persistence, so a restart forgets everything (the harshest case). */
export class RedisServer {
  private process: ChildProcess | undefined;
  constructor(readonly port: number) {}
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (!existsSync(REDIS_SERVER)) {
      throw new Error(`no redis-server at ${REDIS_SERVER}: run \`apt-get install -y redis-server\` (npm test does so as root) or set FIREBREAK_REDIS_SERVER`);
    }
    const child = spawn(REDIS_SERVER, ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: ["ignore", "pipe", "pipe"] });
    this.process = child;
    let out = "";
    child.stdout?.on("data", (d: Buffer) => (out += d.toString("utf8")));
    await waitFor(`redis-server on port ${this.port}`, () => {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}:\n${out}`);
      return out.includes("Ready to accept connections");
    });
  }

  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGKILL");
    await exited;
  }
}

export interface Captured {
  event: string;
  id: string;
  body: string;
}

/** Round robin over the instances; a delivery an instance does not answer goes to the next one. */
export class Balancer {
  readonly captured: Captured[] = [];
  /** Which instance answered each delivery (by index). */
  readonly answeredBy = new Map<string, number>();
  hold = false;
  private next = 0;
  private server: Server | undefined;
  constructor(private readonly targets: () => string[]) {}

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      void this.receive(req).then(
        (status) => res.writeHead(status).end(),
        () => res.writeHead(502).end(),
      );
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  }

  private async receive(req: IncomingMessage): Promise<number> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const d = { event: String(req.headers["x-github-event"]), id: String(req.headers["x-github-delivery"]), body: Buffer.concat(chunks).toString("utf8") };
    this.captured.push(d);
    return this.hold ? 200 : this.forward(d);
  }

  /** Sends a delivery to the next instance in turn, failing over to the others. */
  async forward(d: Captured, secret?: string): Promise<number> {
    const targets = this.targets();
    const first = this.next++;
    for (let tries = 0; tries < targets.length; tries++) {
      const index = (first + tries) % targets.length;
      try {
        const status = await send(targets[index]!, d, secret);
        this.answeredBy.set(d.id, index);
        return status;
      } catch {
        // Not answering (stopped): the next instance gets it.
      }
    }
    return 502;
  }

  stop(): Promise<void> {
    const server = this.server;
    if (!server) return Promise.resolve();
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  }
}

let secretOfRun = "";

/** Posts a recorded delivery to one instance's webhook endpoint, signed anew. */
export async function send(url: string, d: Captured, secret = secretOfRun): Promise<number> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-github-event": d.event, "x-github-delivery": d.id, "x-hub-signature-256": sign(secret, d.body) },
    body: d.body,
  });
  await res.arrayBuffer();
  return res.status;
}

export interface Instance {
  webhookUrl: string;
  logs: string[];
  process: ChildProcess;
  kill(): Promise<void>;
}

export interface Cluster {
  gh: LocalGitHub;
  redis: RedisServer;
  balancer: Balancer;
  instances: Instance[];
  logs(): string;
  stop(): Promise<void>;
}

/** Timestamps one second apart per reading: distinct, ordered and on the form's day. */
function clock(start = "2026-11-24T09:30:00Z"): () => Date {
  let t = Date.parse(start);
  return () => new Date((t += 1000));
}

/** `redis: false`: the instances run without REDIS_URL (the embedded default; one instance only makes sense). */
export async function startCluster(options: { instances?: number; env?: Record<string, string>; redis?: boolean; logLevel?: "info" | "warn"; nodeArgs?: string[] } = {}): Promise<Cluster> {
  const gh = new LocalGitHub({ clock: clock() });
  const { port: ghPort } = await gh.start();
  gh.addRepo(REPO);
  gh.addCollaborator(REPO, "dana", "triage");
  gh.addCollaborator(REPO, "olga", "write");
  for (let i = 1; i <= 20; i++) gh.addCollaborator(REPO, `u${i}`, "triage");
  for (const style of labelStyles(DEFAULT_CONFIG)) gh.createLabel(REPO, style.name, style.color, style.description);
  // The issue form in place, as `firebreak init` leaves it.
  for (const file of readInitTemplates().filter((f) => f.target.includes("ISSUE_TEMPLATE"))) gh.putFile(REPO, file.target, file.content);

  const redis = new RedisServer(await freePort());
  if (options.redis !== false) await redis.start();
  secretOfRun ||= `secret-${randomUUID()}`;
  const instances: Instance[] = [];
  const balancer = new Balancer(() => instances.map((i) => i.webhookUrl));
  gh.setWebhook({ url: await balancer.start(), secret: secretOfRun });
  const all = () => instances.map((i, n) => `--- instance ${n}\n${i.logs.join("")}`).join("\n");
  for (let n = 0; n < (options.instances ?? 2); n++) {
    const port = await freePort();
    const logs: string[] = [];
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), "build/app/server.js"], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        APP_ID: "1",
        PRIVATE_KEY,
        WEBHOOK_SECRET: secretOfRun,
        PORT: String(port),
        HOST: "127.0.0.1",
        LOG_LEVEL: options.logLevel ?? "info",
        LOG_FORMAT: "json",
        GHE_HOST: `127.0.0.1:${ghPort}`,
        GHE_PROTOCOL: "http",
        APP_SLUG: "firebreak",
        ...(options.redis === false ? {} : { REDIS_URL: redis.url }),
        ...options.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (d: Buffer) => logs.push(d.toString("utf8")));
    child.stderr?.on("data", (d: Buffer) => logs.push(d.toString("utf8")));
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const instance: Instance = {
      webhookUrl: `http://127.0.0.1:${port}/api/github/webhooks`,
      logs,
      process: child,
      async kill() {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill("SIGKILL");
          await exited;
        }
      },
    };
    instances.push(instance);
    await waitFor(
      `instance ${n} to answer /ping`,
      async () => {
        if (child.exitCode !== null) throw new Error(`instance ${n} exited with ${child.exitCode}:\n${logs.join("")}`);
        try {
          return (await fetch(`http://127.0.0.1:${port}/ping`)).ok;
        } catch {
          return false;
        }
      },
      all,
    );
  }
  return {
    gh,
    redis,
    balancer,
    instances,
    logs: all,
    async stop() {
      await Promise.all(instances.map((i) => i.kill()));
      await balancer.stop();
      await redis.stop();
      await gh.stop();
    },
  };
}

export function cardOf(gh: LocalGitHub, n: number): IncidentState | undefined {
  const body = gh.issue(REPO, n)?.body ?? "";
  return body.startsWith(CARD_START) ? parseBody(body).state : undefined;
}

/** Until the emulator has no delivery in flight and its request log stayed still for 1.5 s (writes are paced about 1 s apart). */
export async function settle(gh: LocalGitHub): Promise<void> {
  await gh.idle();
  let seen = -1;
  let quiet = 0;
  while (quiet < 15) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    quiet = gh.requests.length === seen ? quiet + 1 : 0;
    seen = gh.requests.length;
  }
  await gh.idle();
}

/** Posts a comment through the REST API as `login`, as a browser would. */
export async function comment(gh: LocalGitHub, n: number, login: string, body: string): Promise<number> {
  const res = await fetch(`${gh.url}/repos/${REPO}/issues/${n}/comments`, {
    method: "POST",
    headers: { authorization: `token ${gh.tokenFor(login)}`, "content-type": "application/json" },
    body: JSON.stringify({ body }),
  });
  if (res.status !== 201) throw new Error(`comment as ${login}: ${res.status}`);
  return ((await res.json()) as { id: number }).id;
}
