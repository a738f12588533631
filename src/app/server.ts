// `npm start`: Probot's server with its standard environment (APP_ID, PRIVATE_KEY or
// PRIVATE_KEY_PATH, WEBHOOK_SECRET, PORT, LOG_LEVEL, GHE_HOST/GHE_PROTOCOL, REDIS_URL).
import { ProbotOctokit, run } from "probot";
import { firebreakApp } from "./index.js";

// Rate limits and secondary limits are waited out and retried (twice), never dropped silently.
// Probot does not retry secondary limits by default, and layers its throttle options over
// object defaults, so they are set in a function that runs after Probot's.
const retryTwice = (_retryAfter: number, _options: object, _octokit: unknown, retryCount: number) => retryCount < 2;
const Octokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  throttle: { ...(options.throttle as object), onRateLimit: retryTwice, onSecondaryRateLimit: retryTwice },
}));

// APP_SLUG names the App's bot login (`<slug>[bot]`), whose own events Firebreak ignores.
// FIREBREAK_QA_ALLOW_PRIVATE=1 lets tracking QA reach private addresses (a self-hosted staging site).
const app = firebreakApp({ appSlug: process.env.APP_SLUG || "firebreak", allowPrivateQaHosts: process.env.FIREBREAK_QA_ALLOW_PRIVATE === "1" });
await run(app, { Octokit });

// Webhooks are answered before their work is done: finish the queue before exiting.
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    void app.idle().finally(() => process.exit(0));
  });
}
