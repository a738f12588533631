// Where a KPI source is analysed: in this thread (the Action, the CLI, tests) or on a worker
// thread (the App, whose event loop must stay free for webhooks: SPEC §13). Either way an
// unchanged source under an unchanged config is analysed once (`rememberAnalyses`).
import { Worker } from "node:worker_threads";
import type { DetectionConfig, ParseOptions } from "../../core/detection/index.js";
import type { KpiAnalysisResult } from "../../core/detection-incident/analysis.js";
import { analyseKpi } from "../../core/detection-incident/analysis.js";

export interface AnalysisRequest {
  text: string;
  options: ParseOptions;
  detection: DetectionConfig;
}

export type KpiAnalyst = (request: AnalysisRequest) => Promise<KpiAnalysisResult>;

export const analyseHere: KpiAnalyst = (request) => Promise.resolve(analyseKpi(request.text, request.options, request.detection));

/** What goes to the worker and back (src/github/shell/kpi-worker.ts). */
export interface WorkerRequest {
  id: number;
  request: AnalysisRequest;
}
export type WorkerReply = { id: number; result: KpiAnalysisResult } | { id: number; failed: string };

/** An analysis that takes longer than this means the worker is stuck: it is stopped, and started again next time. */
const ANALYSIS_TIMEOUT_MS = 120_000;

/**
 * Analyses on one long-lived worker thread running `entry` (the built kpi-worker.js). An idle
 * worker never keeps the process alive (one with work does, until it answers); one that dies or
 * hangs fails what it held and is started again on the next request.
 */
export function analyseOnWorker(entry: URL, timeoutMs = ANALYSIS_TIMEOUT_MS): KpiAnalyst & { close(): Promise<void> } {
  type Waiting = { resolve: (result: KpiAnalysisResult) => void; reject: (error: Error) => void; timer: NodeJS.Timeout };
  type Running = { worker: Worker; pending: Map<number, Waiting>; busy: () => void };
  let current: Running | undefined;
  let next = 0;
  const start = () => {
    const worker = new Worker(entry);
    const own: Running = { worker, pending: new Map<number, Waiting>(), busy: () => undefined };
    // Referenced while it holds work, so a process waiting only for its answer is not left to exit.
    own.busy = () => (own.pending.size > 0 ? worker.ref() : worker.unref());
    // Each worker fails only what it held, once: a crash reports `error` and then `exit`, and by
    // then the next request may run on a new worker.
    const fail = (error: Error) => {
      for (const waiting of own.pending.values()) {
        clearTimeout(waiting.timer);
        waiting.reject(error);
      }
      own.pending.clear();
      own.busy();
      if (current === own) current = undefined;
    };
    worker.on("message", (reply: WorkerReply) => {
      const waiting = own.pending.get(reply.id);
      if (!waiting) return;
      own.pending.delete(reply.id);
      own.busy();
      clearTimeout(waiting.timer);
      if ("failed" in reply) waiting.reject(new Error(reply.failed));
      else waiting.resolve(reply.result);
    });
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`the KPI analysis worker stopped (exit ${code})`)));
    // After the listeners, which would otherwise keep the process alive again.
    own.busy();
    return own;
  };
  const analyst = (request: AnalysisRequest) =>
    new Promise<KpiAnalysisResult>((resolve, reject) => {
      const id = ++next;
      const own = (current ??= start());
      const timer = setTimeout(() => {
        own.pending.get(id)?.reject(new Error(`the KPI analysis took longer than ${timeoutMs / 1000} s`));
        own.pending.delete(id);
        own.busy();
        // Stopping it fails whatever else it held (its exit) and the next request starts a new one.
        if (current === own) current = undefined;
        void own.worker.terminate();
      }, timeoutMs);
      timer.unref();
      own.pending.set(id, { resolve, reject, timer });
      own.busy();
      try {
        own.worker.postMessage({ id, request } satisfies WorkerRequest);
      } catch (error) {
        own.pending.delete(id);
        own.busy();
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  return Object.assign(analyst, {
    async close() {
      const running = current;
      current = undefined;
      await running?.worker.terminate();
    },
  });
}

/** Characters of source text remembered at most (a file source's text is the FileCache's own string). */
const KEPT_CHARS = 64_000_000;

/**
 * The same analyst, remembering the last analysis of each source: the App's passes every few
 * minutes mostly see an unchanged file (a 304), which then costs no analysis at all. The text is
 * compared as it is: the FileCache hands back the same string, so the comparison is immediate
 * (hashing a 20 MB export took ~100 ms of the event loop). Least recently used sources go first.
 */
export function rememberAnalyses(analyst: KpiAnalyst, keptChars = KEPT_CHARS): (source: string, request: AnalysisRequest) => Promise<KpiAnalysisResult> {
  const known = new Map<string, { text: string; options: string; result: Promise<KpiAnalysisResult> }>();
  let chars = 0;
  const forget = (source: string) => {
    chars -= known.get(source)?.text.length ?? 0;
    known.delete(source);
  };
  return (source, request) => {
    const options = JSON.stringify([request.options, request.detection]);
    const last = known.get(source);
    let result = last && last.text === request.text && last.options === options ? last.result : undefined;
    if (!result) {
      result = analyst(request);
      const made = result;
      // A failed analysis (a worker that died) is tried again next time, unless a newer one replaced it.
      made.catch(() => {
        if (known.get(source)?.result === made) forget(source);
      });
    }
    forget(source);
    known.set(source, { text: request.text, options, result });
    chars += request.text.length;
    for (const oldest of known.keys()) {
      if (chars <= keptChars || oldest === source) break;
      forget(oldest);
    }
    return result;
  };
}
