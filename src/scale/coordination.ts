// The seam between the App and its peers: what several instances must agree on (SPEC §18).
// This file loads nothing of Redis: the App imports the Redis implementation (./redis.ts)
// dynamically, only when REDIS_URL is set. Without it the App is one process and uses none of this.
import type { RepoRef } from "../github/client.js";
import type { IssueMemory } from "../github/shell/memory.js";
import type { PassCursor } from "../github/shell/scheduled-pass.js";
import type { Scheduler } from "../schedule/index.js";

/** What the coordination logs: the App's logger once it is bound. */
export interface CoordinationLog {
  info(message: string): void;
  warn(message: string): void;
}

/** One piece of exclusive work: its lock key and the issues whose shared memory it reads first. */
export interface ExclusiveScope {
  ref: RepoRef;
  key: string;
  issues: readonly number[];
}

/** Where the scheduled pass stopped and whose turn it is, shared by the instances that run it. */
export interface PassState {
  begin(): Promise<{ cursor: PassCursor; turn: number }>;
  end(cursor: PassCursor): Promise<void>;
}

export interface Coordination {
  /** What every instance remembers of the issues Firebreak wrote (a payload may predate another instance's write). */
  memory: IssueMemory;
  /** Where the scheduled pass stopped, across instances. */
  passState: PassState;
  bind(log: CoordinationLog): void;
  /**
   * Runs `work` while no other instance works on `scope.key`. `again` is true when the lock was
   * lost while the first run went on (Redis restarted): the work then runs once more, under a new
   * lock, reading GitHub anew.
   */
  exclusive<T>(scope: ExclusiveScope, work: (again: boolean) => Promise<T>): Promise<T>;
  /** Whether an instance already handled this delivery (within the de-duplication window). */
  handled(delivery: string): Promise<boolean>;
  markHandled(delivery: string): Promise<void>;
  /** Runs `pass` once per `seconds` across all instances. */
  schedule(seconds: number, pass: (slot: string) => Promise<void>, onError: (error: unknown) => void): Scheduler;
  close(): Promise<void>;
}
