// The App's KPI analysis thread (src/github/shell/kpi-analyst.ts): parses and judges a source
// off the event loop that answers webhooks.
import { parentPort } from "node:worker_threads";
import { analyseKpi } from "../../core/detection-incident/analysis.js";
import type { WorkerReply, WorkerRequest } from "./kpi-analyst.js";

parentPort?.on("message", ({ id, request }: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    reply = { id, result: analyseKpi(request.text, request.options, request.detection) };
  } catch (error) {
    reply = { id, failed: error instanceof Error ? error.message : String(error) };
  }
  parentPort?.postMessage(reply);
});
