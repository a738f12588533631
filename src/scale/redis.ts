// Several App instances on one Redis (SPEC §18), each part on a library made for it: a lock per
// incident (redlock), each delivery handled once (SET with a TTL), the scheduled pass once per
// interval (a BullMQ job scheduler), and what Firebreak last wrote to each issue shared, so that
// an instance never works from a payload older than another instance's write. Probot shares
// GitHub's pacing by itself when REDIS_URL is set (its throttling runs on Bottleneck over ioredis).
//
// When Redis is slow or away (README "Running several instances"): webhooks are still answered at
// once (the work is queued in the instance); a lock waits for Redis while it reconnects and, after
// FALLBACK_AFTER_MS without Redis, the work runs serialised in this instance only, with a warning.
// After a reconnect new locks wait one lock lifetime, so a lock Redis forgot in a restart is not
// taken while its holder still works; a holder whose lock was lost runs its work once more,
// reading GitHub anew. De-duplication fails open (the engine is idempotent: state lives in GitHub).
import { ExecutionError, type Lock, Redlock, ResourceLockedError } from "@sesamecare-oss/redlock";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { z } from "zod";
import type { IssueView } from "../core/model/incident.js";
import { issueViewSchema } from "../core/model/incident.js";
import type { RepoRef } from "../github/client.js";
import { repoOf, safeMessage } from "../github/client.js";
import { IssueMemory } from "../github/shell/memory.js";
import type { PassCursor } from "../github/shell/scheduled-pass.js";
import { MemoryCursor } from "../github/shell/scheduled-pass.js";
import type { Scheduler } from "../schedule/index.js";
import type { Coordination, CoordinationLog, ExclusiveScope, PassState } from "./coordination.js";

const PREFIX = "firebreak";
/** A lock lives this long unless its holder extends it: a dead instance's locks lapse after it. */
export const LOCK_TTL_MS = 10_000;
/** Without Redis this long, work runs serialised in this instance only. */
export const FALLBACK_AFTER_MS = 15_000;
/** GitHub lets a delivery be redelivered for three days. */
const DELIVERY_TTL_S = 3 * 86_400;
const MEMORY_TTL_S = 86_400;
const SCHEDULER_ID = "scheduled-pass";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const consoleLog: CoordinationLog = { info: (m) => console.info(m), warn: (m) => console.warn(m) };

/** A stop as the shared cursor stores it. */
const stopSchema = z.object({ job: z.string(), after: z.number().int().optional() });

/** An issue as the shared memory stores it: the API's shape, which `issueViewSchema` parses back. */
const wire = (issue: IssueView) => JSON.stringify({ ...issue, assignees: issue.assignees.map((login) => ({ login })) });

/** IssueMemory, written through to Redis: every instance knows what any of them wrote last. */
class SharedIssueMemory extends IssueMemory {
  private pending: Promise<unknown>[] = [];
  constructor(
    private readonly redis: Redis,
    private readonly log: () => CoordinationLog,
  ) {
    super();
  }
  private key(ref: RepoRef, number: number) {
    return `${PREFIX}:issue:${ref.owner}/${ref.repo}#${number}`;
  }
  override remember(ref: RepoRef, issue: IssueView): void {
    super.remember(ref, issue);
    this.pending.push(this.redis.set(this.key(ref, issue.number), wire(issue), "EX", MEMORY_TTL_S).catch((error: unknown) => this.log().warn(`could not share #${issue.number}'s card in Redis: ${safeMessage(error)}`)));
  }
  /** Takes in what other instances wrote to these issues (run under the incident's lock). */
  async load(ref: RepoRef, numbers: readonly number[]): Promise<void> {
    let values: (string | null)[];
    try {
      values = await this.redis.mget(numbers.map((n) => this.key(ref, n)));
    } catch (error) {
      this.log().warn(`could not read the shared cards from Redis (working from the payload): ${safeMessage(error)}`);
      return;
    }
    for (const value of values) {
      if (value === null) continue;
      let parsed: IssueView | undefined;
      try {
        parsed = issueViewSchema.safeParse(JSON.parse(value)).data;
      } catch {
        parsed = undefined;
      }
      if (parsed) super.remember(ref, this.freshest(ref, parsed));
    }
  }
  /** Waits until this instance's writes are shared: before its lock is released. */
  async flushed(): Promise<void> {
    const pending = this.pending;
    this.pending = [];
    await Promise.all(pending);
  }
}

/** A cursor that remembers what changed, so that only that is written back. */
class RecordingCursor extends MemoryCursor {
  readonly changed = new Map<string, { job: string; after?: number } | undefined>();
  override set(ref: RepoRef, at: { job: string; after?: number } | undefined): void {
    super.set(ref, at);
    this.changed.set(`${ref.owner}/${ref.repo}`, at);
  }
}

function redisPassState(redis: Redis): PassState {
  const cursorKey = `${PREFIX}:schedule:cursor`;
  return {
    async begin() {
      const cursor = new RecordingCursor();
      for (const [repo, value] of Object.entries(await redis.hgetall(cursorKey))) {
        let stop: z.infer<typeof stopSchema> | undefined;
        try {
          stop = stopSchema.safeParse(JSON.parse(value)).data;
        } catch {
          stop = undefined;
        }
        if (stop && repo.includes("/")) cursor.set(repoOf(repo), stop);
      }
      cursor.changed.clear();
      const turn = (await redis.incr(`${PREFIX}:schedule:turn`)) - 1;
      return { cursor, turn };
    },
    async end(cursor: PassCursor) {
      if (!(cursor instanceof RecordingCursor) || cursor.changed.size === 0) return;
      const multi = redis.multi();
      for (const [repo, at] of cursor.changed) {
        if (at) multi.hset(cursorKey, repo, JSON.stringify(at));
        else multi.hdel(cursorKey, repo);
      }
      await multi.exec();
    },
  };
}

/** Whether every vote against a lock said it is held (rather than that Redis failed). */
async function heldElsewhere(error: unknown): Promise<boolean> {
  if (!(error instanceof ExecutionError) || error.attempts.length === 0) return false;
  const stats = await Promise.all(error.attempts);
  return stats.every((s) => [...s.votesAgainst.values()].every((e) => e instanceof ResourceLockedError));
}

export async function redisCoordination(url: string): Promise<Coordination> {
  let log = consoleLog;
  // Commands fail at once while Redis is away (no offline queue): the lock loop decides what to
  // do, and no lock command queued during an outage runs before the hold-off below has begun.
  const redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 5_000, lazyConnect: true });
  redis.on("error", () => undefined); // reported where a command fails; ioredis reconnects by itself
  await redis.connect();
  const redlock = new Redlock([redis], { retryCount: 2, retryDelay: 100, retryJitter: 100 });
  redlock.on("error", () => undefined);
  const memory = new SharedIssueMemory(redis, () => log);
  const closers: (() => Promise<unknown>)[] = [];

  // After a reconnect, Redis may have restarted and forgotten the locks it held: a lock taken
  // now could be one whose holder still works, so new locks wait until any such lock has lapsed.
  let holdUntil = 0;
  let connected = true;
  redis.on("close", () => {
    if (connected) log.warn("Redis connection lost: locks and de-duplication wait for it to come back");
    connected = false;
  });
  redis.on("ready", () => {
    if (connected) return;
    connected = true;
    holdUntil = Date.now() + LOCK_TTL_MS;
    log.warn(`Redis is back: new locks wait ${LOCK_TTL_MS / 1000}s, so that none lost in a restart is taken twice`);
  });

  /** The incident's lock, or undefined when Redis stayed away for FALLBACK_AFTER_MS. */
  async function acquire(key: string): Promise<Lock | undefined> {
    const resource = `${PREFIX}:lock:${key}`;
    let troubleSince: number | undefined;
    for (;;) {
      const wait = holdUntil - Date.now();
      if (wait > 0) await sleep(wait);
      try {
        // One try at a time (redlock's own retries would not see the hold-off begin).
        return await redlock.acquire([resource], LOCK_TTL_MS, { retryCount: 0 });
      } catch (error) {
        // Held by another instance: it finishes, or its lock lapses if it died. Wait on.
        if (await heldElsewhere(error)) {
          troubleSince = undefined;
          await sleep(100 + Math.random() * 100);
          continue;
        }
        troubleSince ??= Date.now();
        if (Date.now() - troubleSince >= FALLBACK_AFTER_MS) {
          log.warn(`${key}: Redis unreachable for ${FALLBACK_AFTER_MS / 1000}s (${safeMessage(error)}): serialised in this instance only`);
          return undefined;
        }
        await sleep(500);
      }
    }
  }

  /**
   * Keeps a lock alive while work runs; says on release whether it was held throughout. A lock
   * Redis forgot (a restart) is taken again by its holder at the next extension, within the
   * hold-off during which no other instance takes new locks.
   */
  function hold(lock: Lock): { release(): Promise<boolean> } {
    let current = lock;
    let lost = false;
    let busy = false;
    const keep = async () => {
      try {
        current = await current.extend(LOCK_TTL_MS);
      } catch {
        // Redis forgot it (a restart): taken again under the same value, so that a retake whose
        // answer was lost still counts as ours. Another value there: another instance has it.
        try {
          const [resource] = current.resources;
          const taken = await redis.set(resource!, current.value, "PX", LOCK_TTL_MS, "NX");
          if (taken === "OK" || (await redis.get(resource!)) === current.value) current.expiration = Date.now() + LOCK_TTL_MS;
          else lost = true;
        } catch {
          // Redis still away: tried again at the next tick.
        }
      }
    };
    const timer = setInterval(() => {
      if (busy || lost) return;
      busy = true;
      void keep().finally(() => (busy = false));
    }, LOCK_TTL_MS / 5);
    return {
      async release() {
        clearInterval(timer);
        try {
          await redlock.release(current, { retryCount: 2 });
        } catch {
          // Not ours any more: it lapsed or Redis forgot it.
          lost = true;
        }
        return !lost;
      },
    };
  }

  return {
    memory,
    passState: redisPassState(redis),
    bind(bound) {
      log = bound;
    },
    async exclusive<T>(scope: ExclusiveScope, work: (again: boolean) => Promise<T>): Promise<T> {
      for (let again = false; ; again = true) {
        const lock = await acquire(scope.key);
        if (!lock) return work(again);
        const held = hold(lock);
        let result: T;
        try {
          await memory.load(scope.ref, scope.issues);
          result = await work(again);
          await memory.flushed();
        } catch (error) {
          await held.release();
          throw error;
        }
        if ((await held.release()) || again) return result;
        log.warn(`${scope.key}: its lock was lost while it was worked on (Redis restarted or stalled): working on it once more, reading GitHub anew`);
      }
    },
    async handled(delivery) {
      try {
        return (await redis.exists(`${PREFIX}:delivery:${delivery}`)) === 1;
      } catch (error) {
        log.warn(`delivery ${delivery}: could not ask Redis whether it was handled, so it is handled here: ${safeMessage(error)}`);
        return false;
      }
    },
    async markHandled(delivery) {
      try {
        await redis.set(`${PREFIX}:delivery:${delivery}`, "1", "EX", DELIVERY_TTL_S);
      } catch (error) {
        log.warn(`delivery ${delivery}: could not record it as handled in Redis: ${safeMessage(error)}`);
      }
    },
    schedule(seconds, pass, onError): Scheduler {
      // BullMQ's blocking connections must wait for Redis however long it is away.
      const connection = () => new Redis(url, { maxRetriesPerRequest: null });
      const queueConnection = connection();
      const queue = new Queue(SCHEDULER_ID, { connection: queueConnection, prefix: PREFIX });
      const upsert = () =>
        queue
          .upsertJobScheduler(SCHEDULER_ID, { every: seconds * 1000 }, { name: SCHEDULER_ID, opts: { removeOnComplete: 100, removeOnFail: 100 } })
          .catch((error: unknown) => log.warn(`could not set up the scheduled pass in Redis: ${safeMessage(error)}`));
      // On every (re)connection: a Redis restarted without persistence has forgotten the scheduler.
      queueConnection.on("ready", () => void upsert());
      queue.on("error", () => undefined);
      const worker = new Worker(
        SCHEDULER_ID,
        async (job) => {
          // One pass at a time across instances: a pass still running when the next is due makes it a no-op.
          let lock: Lock;
          try {
            lock = await redlock.acquire([`${PREFIX}:lock:scheduled-pass`], LOCK_TTL_MS, { retryCount: 0 });
          } catch {
            log.info(`skipped the scheduled pass ${job.id ?? ""}: the previous one is still running`);
            return;
          }
          const held = hold(lock);
          try {
            await pass(job.id ?? "");
          } catch (error) {
            onError(error);
          } finally {
            await held.release();
          }
        },
        { connection: connection(), prefix: PREFIX, concurrency: 1 },
      );
      worker.on("error", () => undefined);
      const close = () => Promise.all([worker.close(), queue.close()]).then(() => queueConnection.quit());
      closers.push(close);
      return { stop: () => void close() };
    },
    async close() {
      await Promise.allSettled(closers.map((c) => c()));
      await redis.quit().catch(() => undefined);
    },
  };
}

type ScriptCallback = (error: unknown, replies: unknown) => void;
interface BottleneckConnection {
  __scriptArgs__(name: string, id: string, args: unknown[], cb: ScriptCallback): unknown[];
}
const repaired = new WeakSet<object>();

/**
 * Probot's shared pacing runs on Bottleneck, whose Lua scripts answer a Redis that forgot the
 * limiter's keys (a restart) with SETTINGS_KEY_NOT_FOUND, and Bottleneck then sets them up
 * again — but Redis 7 prefixes a script's error with "ERR ", which Bottleneck 2.19.5 (no longer
 * released) does not recognise, so every GitHub request would fail until the App restarts. The
 * prefix is taken off its two errors before Bottleneck looks at them.
 */
export function repairBottleneck(connection: unknown): void {
  if (typeof connection !== "object" || connection === null || repaired.has(connection)) return;
  const c = connection as Partial<BottleneckConnection>;
  if (typeof c.__scriptArgs__ !== "function") return;
  const original = c.__scriptArgs__.bind(c);
  c.__scriptArgs__ = (name, id, args, cb) =>
    original(name, id, args, (error, replies) => {
      const known = error instanceof Error ? /^ERR (SETTINGS_KEY_NOT_FOUND|UNKNOWN_CLIENT)$/.exec(error.message) : null;
      if (known && error instanceof Error) error.message = known[1]!;
      cb(error, replies);
    });
  repaired.add(connection);
}
