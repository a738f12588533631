// The App's KPI analysis thread (SPEC §13: no event holds the event loop for long parsing): the
// built worker `npm start` uses gives the same analysis as this thread, and a worker that dies
// fails what it held without taking the pass with it, then starts again; it never keeps the
// process alive.
import { spawnSync } from "node:child_process";
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

  /** A worker whose first start does `misbehave` on its first message; later starts are the real one. */
  function flakyWorker(name: string, misbehave: string): URL {
    const flag = join(tmpdir(), `firebreak-worker-${name}-${process.pid}`);
    const entry = join(tmpdir(), `firebreak-worker-${name}-${process.pid}.mjs`);
    rmSync(flag, { force: true });
    writeFileSync(
      entry,
      [
        `import { existsSync, writeFileSync } from "node:fs";`,
        `if (!existsSync(${JSON.stringify(flag)})) {`,
        `  writeFileSync(${JSON.stringify(flag)}, "");`,
        `  const { parentPort } = await import("node:worker_threads");`,
        `  parentPort.on("message", () => { ${misbehave} });`,
        `} else await import(${JSON.stringify(BUILT_WORKER.href)});`,
      ].join("\n"),
    );
    return pathToFileURL(entry);
  }

  it("a worker that exits fails what it held, and the next request starts a new one", async () => {
    const analyse = analyseOnWorker(flakyWorker("exits", "process.exit(3);"));
    workers.push(analyse);
    await expect(analyse(request)).rejects.toThrow("the KPI analysis worker stopped (exit 3)");
    expect(await analyse(request)).toEqual(await analyseHere(request));
  });

  it("a worker that throws (an error, then its exit) fails only its own request, not the next worker's", async () => {
    const analyse = analyseOnWorker(flakyWorker("throws", `throw new Error("out of memory, say");`));
    workers.push(analyse);
    const crashed = analyse(request);
    // Asked while the first worker is still dying: runs on the next one and must not be failed by the first's exit.
    await expect(crashed).rejects.toThrow("out of memory, say");
    const after = analyse(request);
    expect(await after).toEqual(await analyseHere(request));
  });

  it("a worker that never answers is stopped after the timeout, and the next request starts a new one", async () => {
    const analyse = analyseOnWorker(flakyWorker("hangs", ""), 5_000);
    workers.push(analyse);
    await expect(analyse(request)).rejects.toThrow("the KPI analysis took longer than 5 s");
    expect(await analyse(request)).toEqual(await analyseHere(request));
  });

  it("never keeps the process alive: a process that asked once and never closed it exits by itself", () => {
    const script = [
      `const { analyseOnWorker } = await import(${JSON.stringify(new URL("../../build/github/shell/kpi-analyst.js", import.meta.url).href)});`,
      `const analyse = analyseOnWorker(new URL(${JSON.stringify(BUILT_WORKER.href)}));`,
      `const result = await analyse({ text: "timestamp,channel,spend\\n2026-11-28T01:00:00Z,meta,1\\n", options: {}, detection: ${JSON.stringify(DEFAULT_CONFIG.detection)} });`,
      `console.log(result.ok ? "analysed" : "refused");`,
    ].join("\n");
    const file = join(tmpdir(), `firebreak-asks-once-${process.pid}.mjs`);
    writeFileSync(file, script);
    const run = spawnSync(process.execPath, [file], { encoding: "utf8", timeout: 60_000 });
    expect(run.stderr).toBe("");
    expect(run.stdout.trim()).toBe("analysed");
    expect(run.status).toBe(0);
  });
});
