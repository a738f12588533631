// Delivering one message to one destination (SPEC §16): the URL comes only from the environment
// variable the config names (in the hosted App only `FIREBREAK_RELAY_…`), a hosted App reaches
// only public addresses (the tracking-QA address guard, judged at connect time), and a failed
// send is retried with backoff. Slack goes through Slack's own client, the others are JSON POSTs.
import { IncomingWebhook } from "@slack/webhook";
import type { FetchFunction, IncomingWebhookSendArguments } from "@slack/webhook";
import pRetry, { AbortError } from "p-retry";
import { HOSTED_RELAY_ENV_PREFIX } from "../core/relay/config.js";
import type { RelayDestination } from "../core/relay/config.js";
import { guardedFetch } from "../tracking-qa/address-guard.js";

export interface RetryPolicy {
  retries: number;
  minTimeout: number;
  maxTimeout: number;
}

/** Three retries over about four seconds: long enough for a blip, short enough not to hold an event up. */
export const DEFAULT_RETRY: RetryPolicy = { retries: 3, minTimeout: 500, maxTimeout: 2000 };

export interface RelayDeps {
  env: Readonly<Record<string, string | undefined>>;
  /** The hosted App: only `FIREBREAK_RELAY_…` variables, only public addresses. */
  hosted: boolean;
  /** Lifts the address guard in the hosted App (a self-hosted chat server on the private network). */
  allowPrivate?: boolean;
  retry?: RetryPolicy;
  timeoutMs?: number;
}

/** A refusal that retrying cannot cure: its message is safe to show on the card. */
export class RelaySetupError extends Error {}

/** The destination's URL, or why it cannot be used. The URL itself is never put in a message. */
export function destinationUrl(d: RelayDestination, deps: RelayDeps): string {
  if (deps.hosted && !d.url_env.startsWith(HOSTED_RELAY_ENV_PREFIX)) throw new RelaySetupError(`the hosted App reads only ${HOSTED_RELAY_ENV_PREFIX}… variables, not ${d.url_env}`);
  const value = deps.env[d.url_env]?.trim();
  if (!value) throw new RelaySetupError(`${d.url_env} is not set`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new RelaySetupError(`${d.url_env} does not hold a URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new RelaySetupError(`${d.url_env} is not an http(s) URL`);
  return url.href;
}

/** A status the receiver may answer differently next time: throttled or failing on its side. */
const transient = (status: number) => status === 429 || status === 408 || status >= 500;

/** Posts `payload` to `url` (from `destinationUrl`), retrying what may pass next time. */
export async function send(d: RelayDestination, url: string, payload: object, deps: RelayDeps): Promise<void> {
  const retry = deps.retry ?? DEFAULT_RETRY;
  const guarded = deps.hosted && deps.allowPrivate !== true ? guardedFetch() : undefined;
  const fetchFn = guarded?.fetch ?? fetch;
  const timeout = deps.timeoutMs ?? 10_000;
  try {
    if (d.kind === "slack") {
      // Node 20's typings of Headers lack `entries`, which its fetch has.
      const webhook = new IncomingWebhook(url, { fetch: fetchFn as unknown as FetchFunction, timeout, retryConfig: { ...retry, factor: 2 } });
      await webhook.send(payload as IncomingWebhookSendArguments);
      return;
    }
    await pRetry(
      async () => {
        const response = await fetchFn(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(payload),
          redirect: "error",
          signal: AbortSignal.timeout(timeout),
        });
        if (response.ok) return;
        const failure = new Error(`answered ${response.status}`);
        throw transient(response.status) ? failure : new AbortError(failure);
      },
      { ...retry, factor: 2 },
    );
  } finally {
    await guarded?.close();
  }
}
