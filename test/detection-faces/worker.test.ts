// The App's KPI analysis thread (SPEC §13: no event holds the event loop for long parsing): the
// built worker `npm start` uses gives the same analysis as this thread, and a worker that dies
// fails what it held without taking the pass with it, then starts again.
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_CONFIG } from "../../src/core/config.js";
import { analyseHere, analyseOnWorker } from "../../src/github/shell/kpi-analyst.js";
import { ensureBuild } from "../e2e/build.global.js";
import { hourlyKpi } from "./kpi.js";

const BUILT_WORKER = new URL("../../build/github/shell/kpi-worker.js", import.meta.url);
const request = {
  text: hourlyKpi({ end: "2026-11-28T12:00:00Z", breaks: [{ channel: "meta", metric: "spend", from: "2026-11-28T02:00:00Z", factor: 0.05 }] }),
  options: { format: "csv" as const },
  detection: DEFAULT_CONFIG.detection,
};

describe("the KPI analysis worker", () => {
  beforeAll(() => ensureBuild(), 300_000);
  const workers: ReturnType<typeof analyseOnWorker>[] = [];
  afterAll(async () => {
    for (const worker of workers) await worker.close();
  });

  it("gives the same analysis as this thread, bad input included", async () => {
    const analyse = analyseOnWorker(BUILT_WORKER);
    workers.push(analyse);
    const [there, here] = await Promise.all([analyse(request), analyseHere(request)]);
    expect(there.ok && there.analysis.active.length).toBeGreaterThan(0);
    expect(there).toEqual(here);
    const bad = { ...request, text: "timestamp,channel,spend\n2026-11-28T01:00:00Z,meta,twelve\n" };
    expect(await analyse(bad)).toEqual(await analyseHere(bad));
  });

  it("a worker that dies fails what it held, and the next request starts a new one", async () => {
    // A worker entry that dies on its first message, then (second start) analyses like the real one.
    const dir = tmpdir();
    const flag = join(dir, `firebreak-worker-died-${process.pid}`);
    const entry = join(dir, `firebreak-flaky-worker-${process.pid}.mjs`);
    rmSync(flag, { force: true });
    writeFileSync(
      entry,
      [
        `import { existsSync, writeFileSync } from "node:fs";`,
        `if (!existsSync(${JSON.stringify(flag)})) {`,
        `  const { parentPort } = await import("node:worker_threads");`,
        `  parentPort.on("message", () => { writeFileSync(${JSON.stringify(flag)}, ""); process.exit(3); });`,
        `} else await import(${JSON.stringify(BUILT_WORKER.href)});`,
      ].join("\n"),
    );
    const analyse = analyseOnWorker(pathToFileURL(entry));
    workers.push(analyse);
    await expect(analyse(request)).rejects.toThrow("the KPI analysis worker stopped (exit 3)");
    expect(await analyse(request)).toEqual(await analyseHere(request));
  });
});
