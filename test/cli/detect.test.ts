// `firebreak detect` (SPEC §14) in-process: exit 0 no signal, 1 a signal, 2 bad input; --json
// shape; --at, --replay, stdin, URLs and config.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { memoryIo } from "../../src/cli/common.js";
import { runDetect } from "../../src/cli/detect.js";
import { main } from "../../src/cli/program.js";
import { generate } from "../../src/dev/detect-eval/generate.js";
import { tempDir } from "./helpers.js";

let dir: ReturnType<typeof tempDir>;
const incident = generate({ seed: 3, step: "day", kind: "delivery" });
const quiet = generate({ seed: 3, step: "day", kind: "none" });
beforeAll(() => {
  dir = tempDir();
  writeFileSync(join(dir.path, "incident.csv"), incident.csv);
  writeFileSync(join(dir.path, "quiet.csv"), quiet.csv);
  writeFileSync(join(dir.path, "bad.csv"), "timestamp,channel,spend\n2026-03-02,meta,1\n2026-03-03,meta,lots\n");
  writeFileSync(join(dir.path, "bad-config.yml"), "detection:\n  timezone: Mars/Olympus\n");
  writeFileSync(join(dir.path, "berlin.yml"), "detection:\n  timezone: Europe/Berlin\n  severity: 1\n");
});
afterAll(() => dir.remove());

async function detect(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIo({}, dir.path);
  const code = await main(["detect", ...args], io);
  return { code, out: io.stdout.join("\n"), err: io.stderr.join("\n") };
}

it("exits 1 with the §14 JSON fields when a break is active at the newest timestamp", async () => {
  const { code, out } = await detect(["--kpi", "incident.csv", "--json"]);
  expect(code).toBe(1);
  const { signals } = JSON.parse(out) as { signals: Record<string, unknown>[] };
  expect(signals).toHaveLength(1);
  expect(Object.keys(signals[0]!)).toEqual(["at", "since", "channel", "layer", "metric", "observed", "expected", "low", "high", "score", "severity", "reason"]);
  expect(signals[0]).toMatchObject({ channel: incident.incident!.channel, layer: "delivery", metric: "spend", severity: 2 });
  expect(signals[0]!.reason).toMatch(/spend \d+% below the usual for/);
});

it("exits 0 on a history with no incident, in text and in JSON", async () => {
  expect(await detect(["--kpi", "quiet.csv"])).toEqual({ code: 0, out: "no signal: every series is inside its band", err: "" });
  expect(JSON.parse((await detect(["--kpi", "quiet.csv", "--json"])).out)).toEqual({ signals: [] });
});

it("--at judges the data as it was then (before the incident: no signal)", async () => {
  const before = new Date((Date.UTC(2026, 0, 5) / 86_400_000 + incident.incident!.start - 1) * 86_400_000).toISOString().slice(0, 10);
  expect((await detect(["--kpi", "incident.csv", "--at", before])).code).toBe(0);
  expect(await detect(["--kpi", "incident.csv", "--at", "yesterday"])).toMatchObject({ code: 2, err: 'firebreak: --at "yesterday" is not an ISO 8601 time' });
});

it("--replay prints each signal when first raised, with when and why", async () => {
  const { code, out } = await detect(["--kpi", "incident.csv", "--replay"]);
  expect(code).toBe(1);
  expect(out).toMatch(/^\d{4}-\d\d-\d\d {2}delivery +sev:2 {2}(meta|google)\/spend {2}since \d{4}-\d\d-\d\d {2}score [\d.]+\n {2}(Meta|Google) spend/);
});

it("exits 2 on bad input, naming the file, line and column", async () => {
  expect(await detect(["--kpi", "bad.csv"])).toEqual({ code: 2, out: "", err: 'firebreak: bad.csv: line 3, column 3: "lots" is not a number' });
  expect(await detect(["--kpi", "missing.csv"])).toMatchObject({ code: 2, err: "firebreak: cannot read the KPI file missing.csv" });
});

it("reads standard input with -, and the detection block of --config", async () => {
  const io = memoryIo({}, dir.path);
  const stdin = async function* () {
    yield incident.csv.slice(0, 1000);
    yield incident.csv.slice(1000);
  };
  const code = await runDetect({ kpi: "-", config: "berlin.yml", json: true }, io, stdin);
  expect(code).toBe(1);
  expect((JSON.parse(io.stdout.join("")) as { signals: { severity: number }[] }).signals[0]!.severity).toBe(1);
  const bad = await detect(["--kpi", "quiet.csv", "--config", "bad-config.yml"]);
  expect(bad.code).toBe(2);
  expect(bad.err).toContain("detection.timezone");
});

it("reads only https URLs, and never a private address", async () => {
  expect(await detect(["--kpi", "http://example.com/kpi.csv"])).toMatchObject({ code: 2, err: "firebreak: --kpi http://example.com/kpi.csv: must be an https:// URL" });
  const local = await detect(["--kpi", "https://127.0.0.1:8443/kpi.csv"]);
  expect(local.code).toBe(2);
  expect(local.err).toMatch(/refused: 127\.0\.0\.1 is a loopback address/);
});
