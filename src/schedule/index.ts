// The scheduler seam: when scheduled passes run. In-process by default (one App instance);
// a Redis-backed scheduler for many instances plugs in behind the same interface.
import { Cron } from "croner";

export interface Scheduler {
  stop(): void;
}

const MIN_SECONDS = 10;
export const DEFAULT_EVERY = "5m";

/** `FIREBREAK_SCHEDULE_EVERY` (e.g. 30s, 5m, 1h): a server setting, at least 10 s. */
export function parseEvery(text: string | undefined): number {
  const match = /^(\d{1,6})(s|m|h)$/.exec((text ?? DEFAULT_EVERY).trim());
  if (!match) throw new Error(`FIREBREAK_SCHEDULE_EVERY must be a duration such as 30s, 5m or 1h, not ${JSON.stringify(text)}`);
  const seconds = Number(match[1]) * { s: 1, m: 60, h: 3600 }[match[2] as "s" | "m" | "h"];
  if (seconds < MIN_SECONDS) throw new Error(`FIREBREAK_SCHEDULE_EVERY must be at least ${MIN_SECONDS}s`);
  return seconds;
}

/**
 * Runs `pass` every `seconds` in this process, the first one interval after start. A pass still running when the next is due is
 * not started twice (croner's overrun protection); a failing pass is reported and the next runs.
 */
export function inProcessScheduler(seconds: number, pass: () => Promise<void>, onError: (error: unknown) => void): Scheduler {
  // The first pass comes one interval after start: a starting server answers webhooks first.
  const startAt = new Date(Date.now() + seconds * 1000);
  const job = new Cron("* * * * * *", { interval: seconds, startAt, protect: true, unref: true, catch: onError }, pass);
  return { stop: () => job.stop() };
}
