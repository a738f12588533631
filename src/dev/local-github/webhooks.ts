// Signed webhook delivery: asynchronous, in order per repository, recorded, never retried.
import { createHmac, randomUUID } from "node:crypto";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Json } from "./json.js";

export interface WebhookTarget { url: string; secret: string }
export interface Delivery { id: string; event: string; action?: string; repo: string; status: number; error?: string }

/** GitHub gives up on a receiver after 10 s. */
const TIMEOUT_MS = 10_000;

export const sign = (secret: string, body: string): string => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

export class WebhookSender {
  target: WebhookTarget | undefined;
  readonly deliveries: Delivery[] = [];
  private readonly chains = new Map<string, Promise<void>>();
  private pending = 0;
  private waiters: (() => void)[] = [];

  constructor(target?: WebhookTarget) { this.target = target; }

  /** Serialises now (the payload is the state at the time of the event) and queues behind the repository's earlier events. */
  send(repo: string, event: string, action: string, payload: () => Json): void {
    const target = this.target;
    if (!target) return;
    const body = JSON.stringify(payload());
    const id = randomUUID();
    this.pending++;
    const prev = this.chains.get(repo) ?? Promise.resolve();
    const next = prev.then(async () => {
      const d: Delivery = { id, event, action, repo, status: 0 };
      try {
        d.status = await post(target.url, body, {
          "content-type": "application/json", "user-agent": "GitHub-Hookshot/local", "x-github-event": event,
          "x-github-delivery": id, "x-hub-signature-256": sign(target.secret, body), "x-github-hook-id": "1",
          "x-github-hook-installation-target-type": "integration", "x-github-hook-installation-target-id": "1",
        });
      } catch (e) {
        d.error = e instanceof Error ? e.message : String(e);
      }
      this.deliveries.push(d);
    }).finally(() => {
      if (this.chains.get(repo) === next) this.chains.delete(repo);
      if (--this.pending === 0) for (const w of this.waiters.splice(0)) w();
    });
    this.chains.set(repo, next);
  }

  idle(): Promise<void> {
    return this.pending === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }
}

function post(url: string, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = (u.protocol === "https:" ? httpsRequest : httpRequest)(u, {
      method: "POST", headers: { ...headers, "content-length": String(Buffer.byteLength(body)) }, timeout: TIMEOUT_MS,
    }, (res) => {
      res.resume(); // drain; GitHub only looks at the status
      res.on("end", () => resolve(res.statusCode ?? 0));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`timed out after ${TIMEOUT_MS} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}
