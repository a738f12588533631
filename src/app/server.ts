// `npm start`: Probot's server with its standard environment (APP_ID, PRIVATE_KEY or
// PRIVATE_KEY_PATH, WEBHOOK_SECRET, PORT, LOG_LEVEL, GHE_HOST/GHE_PROTOCOL, REDIS_URL).
import { ProbotOctokit, run } from "probot";
import { RATE_LIMITS } from "../github/octokit.js";
import { parseEvery } from "../schedule/index.js";
import type { Coordination } from "../scale/coordination.js";
import { analyseOnWorker } from "../github/shell/kpi-analyst.js";
import { firebreakApp } from "./index.js";

// APP_SLUG names the App's bot login (`<slug>[bot]`), whose own events Firebreak ignores.
// FIREBREAK_QA_ALLOW_PRIVATE=1 lets tracking QA reach private addresses (a self-hosted staging site).
// FIREBREAK_SCHEDULE_EVERY (default 5m, at least 10s) paces the scheduled pass (reconcile, and the jobs to come).
let scheduleEverySeconds: number;
try {
  scheduleEverySeconds = parseEvery(process.env.FIREBREAK_SCHEDULE_EVERY);
} catch (error) {
  // A server setting that is wrong stops the start with one line, not a stack trace.
  console.error(`firebreak: ${(error as Error).message}`);
  process.exit(1);
}
// REDIS_URL: several instances share one Redis (README "Running several instances"). Probot reads
// it too and shares GitHub's pacing through it. Without it no Redis code is even loaded.
const redisUrl = process.env.REDIS_URL?.trim();
const scale = redisUrl ? await import("../scale/redis.js") : undefined;
let coordination: Coordination | undefined;
if (scale && redisUrl) {
  try {
    coordination = await scale.redisCoordination(redisUrl);
  } catch (error) {
    // Said once, without the URL (it may hold a password).
    console.error(`firebreak: cannot reach Redis at REDIS_URL: ${(error as Error).message}`);
    process.exit(1);
  }
}
// Probot layers its throttle options over object defaults, so the policy is set in a function
// that runs after Probot's. With REDIS_URL those options hold the pacing shared through Redis.
const Octokit = ProbotOctokit.defaults((options: Record<string, unknown>) => {
  const throttle = options.throttle as { connection?: unknown } | undefined;
  scale?.repairBottleneck(throttle?.connection);
  return { ...options, throttle: { ...throttle, ...RATE_LIMITS } };
});
const app = firebreakApp({
  appSlug: process.env.APP_SLUG || "firebreak",
  allowPrivateQaHosts: process.env.FIREBREAK_QA_ALLOW_PRIVATE === "1",
  scheduleEverySeconds,
  ...(coordination ? { coordination } : {}),
  // Parsing and judging months of hourly KPI rows takes up to a few seconds: off the thread that answers webhooks.
  kpiAnalyst: analyseOnWorker(new URL("../github/shell/kpi-worker.js", import.meta.url)),
});
await run(app, { Octokit });

// Webhooks are answered before their work is done: finish the queue before exiting.
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    void app
      .idle()
      .then(() => coordination?.close())
      .finally(() => process.exit(0));
  });
}
