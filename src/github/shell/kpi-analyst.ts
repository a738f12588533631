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

/**
 * Analyses on one long-lived worker thread running `entry` (the built kpi-worker.js). The worker
 * never keeps the process alive; one that dies fails what it held and is started again on the
 * next request.
 */
export function analyseOnWorker(entry: URL): KpiAnalyst & { close(): Promise<void> } {
  let worker: Worker | undefined;
  let next = 0;
  const pending = new Map<number, { resolve: (result: KpiAnalysisResult) => void; reject: (error: Error) => void }>();
  const failAll = (error: Error) => {
    for (const waiting of pending.values()) waiting.reject(error);
    pending.clear();
    worker = undefined;
  };
  const start = (): Worker => {
    const started = new Worker(entry);
    started.unref();
    started.on("message", (reply: WorkerReply) => {
      const waiting = pending.get(reply.id);
      pending.delete(reply.id);
      if ("failed" in reply) waiting?.reject(new Error(reply.failed));
      else waiting?.resolve(reply.result);
    });
    started.on("error", (error) => failAll(error));
    started.on("exit", (code) => failAll(new Error(`the KPI analysis worker stopped (exit ${code})`)));
    return started;
  };
  const analyst = (request: AnalysisRequest) =>
    new Promise<KpiAnalysisResult>((resolve, reject) => {
      const id = ++next;
      pending.set(id, { resolve, reject });
      worker ??= start();
      worker.postMessage({ id, request } satisfies WorkerRequest);
    });
  return Object.assign(analyst, {
    async close() {
      const running = worker;
      worker = undefined;
      await running?.terminate();
    },
  });
}

/**
 * The same analyst, remembering the last analysis of each source: the App's passes every few
 * minutes mostly see an unchanged file (a 304), which then costs no analysis at all.
 */
export function rememberAnalyses(analyst: KpiAnalyst, kept = 200): (source: string, request: AnalysisRequest) => Promise<KpiAnalysisResult> {
  const known = new Map<string, { text: string; options: string; result: Promise<KpiAnalysisResult> }>();
  return (source, request) => {
    const options = JSON.stringify([request.options, request.detection]);
    const last = known.get(source);
    if (last && last.text === request.text && last.options === options) return last.result;
    const result = analyst(request);
    known.delete(source);
    known.set(source, { text: request.text, options, result });
    // A failed analysis (a worker that died) is tried again next time.
    result.catch(() => known.delete(source));
    const oldest = known.keys().next().value;
    if (known.size > kept && oldest !== undefined) known.delete(oldest);
    return result;
  };
}
