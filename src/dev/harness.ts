// A real Probot App against the built-in local GitHub, wired as in production: a GitHub App
// (generated RSA key, app id, webhook secret), Probot's node middleware on 127.0.0.1, and
// signed webhooks from the emulator. Used by `firebreak demo` and the benchmark.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ApplicationFunction } from "probot";
import { createNodeMiddleware, Probot, ProbotOctokit } from "probot";
import type { LocalGitHubOptions } from "./local-github/index.js";
import { LocalGitHub } from "./local-github/index.js";
import { RATE_LIMITS } from "../github/octokit.js";

export interface AppWorld {
  gh: LocalGitHub;
  probot: Probot;
  /** Where the emulator posts webhooks (Probot's default path). */
  webhookUrl: string;
  secret: string;
  /** Waits until the emulator has delivered everything and the app has handled it, repeatedly (app writes cause events too). */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

export interface AppWorldOptions {
  appFn: ApplicationFunction;
  /** The app's own "all handled" signal (Firebreak's `idle()`). */
  idle?: () => Promise<void>;
  emulator?: LocalGitHubOptions;
  /**
   * Probot's request pacing. Production keeps it on; against the emulator it would only add
   * sleeps (writes ~1 s apart, new comments ~3 s apart), so the demo and the logic bench turn it off.
   */
  throttle?: boolean;
  logLevel?: "trace" | "debug" | "info" | "warn" | "error" | "fatal";
}

export interface AppServer {
  /** Where GitHub posts webhooks (Probot's default path). */
  webhookUrl: string;
  secret: string;
  probot: Probot;
  stop(): Promise<void>;
}

/** A Probot GitHub App served by Probot's node middleware on 127.0.0.1, talking to `baseUrl`. */
export async function startAppServer(options: { appFn: ApplicationFunction; baseUrl: string; throttle?: boolean; logLevel?: AppWorldOptions["logLevel"] }): Promise<AppServer> {
  const secret = randomBytes(16).toString("hex");
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  const throttle = options.throttle ?? true;
  const probot = new Probot({
    appId: 1,
    privateKey,
    secret,
    baseUrl: options.baseUrl,
    logLevel: options.logLevel ?? "fatal",
    // A function, not an object: Probot layers its own throttle options over object defaults.
    Octokit: ProbotOctokit.defaults((o: Record<string, unknown>) => ({
      ...o,
      throttle: { ...(o.throttle as object), enabled: throttle, ...RATE_LIMITS },
    })),
  });
  const middleware = await createNodeMiddleware(options.appFn, { probot });
  const server: Server = createServer((req, res) => {
    void middleware(req, res, () => res.writeHead(404).end());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  return {
    webhookUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`,
    secret,
    probot,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Waits until the emulator has delivered everything and the app has handled it, repeatedly (app writes cause events too). */
export async function settle(gh: LocalGitHub, idle: () => Promise<void>): Promise<void> {
  for (;;) {
    const seen = gh.requests.length + gh.deliveries.length;
    await gh.idle();
    await idle();
    await gh.idle();
    if (gh.requests.length + gh.deliveries.length === seen) return;
  }
}

export async function startAppWorld(options: AppWorldOptions): Promise<AppWorld> {
  const gh = new LocalGitHub(options.emulator);
  const { url } = await gh.start();
  const app = await startAppServer({ appFn: options.appFn, baseUrl: url, ...(options.throttle !== undefined ? { throttle: options.throttle } : {}), ...(options.logLevel ? { logLevel: options.logLevel } : {}) });
  gh.setWebhook({ url: app.webhookUrl, secret: app.secret });
  const idle = options.idle ?? (() => Promise.resolve());
  return {
    gh,
    probot: app.probot,
    webhookUrl: app.webhookUrl,
    secret: app.secret,
    settle: () => settle(gh, idle),
    async stop() {
      gh.setWebhook(undefined);
      await idle();
      await app.stop();
      await gh.stop();
    },
  };
}
