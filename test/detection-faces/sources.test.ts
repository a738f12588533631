// Reading KPI sources (SPEC §13, §14): the auth header from an environment variable goes only to
// the configured host, the hosted App names only FIREBREAK_KPI_… variables, and each failure is
// one clear configuration error that never quotes the secret. And what `firebreak init` writes.
import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG, parseConfigYaml, resolveConfig } from "../../src/core/config.js";
import { detectionSchema, parseKpi } from "../../src/core/detection/index.js";
import { FileCache } from "../../src/github/files.js";
import { LabelStyler } from "../../src/github/labels.js";
import type { ShellDeps } from "../../src/github/shell/deps.js";
import type { AnalysisRequest } from "../../src/github/shell/kpi-analyst.js";
import { analyseHere, rememberAnalyses } from "../../src/github/shell/kpi-analyst.js";
import { readKpiSources } from "../../src/github/shell/kpi-sources.js";
import { bandKey } from "../../src/core/detection-incident/analysis.js";
import { hourlyKpi } from "./kpi.js";
import { readTemplate, shippedTemplates } from "../../src/templates.js";
import type { GitHubClient } from "../../src/github/client.js";

const CSV = "timestamp,channel,spend\n2026-11-28T01:00:00Z,meta,12\n";
const noGitHub = { request: () => Promise.reject(new Error("no GitHub call expected")) } as unknown as GitHubClient;
const ref = { owner: "acme", repo: "shop" };

interface Seen {
  url: string;
  headers: Record<string, string>;
}

/** A fetch that answers from a table of URLs and records what each request carried. */
function fakeFetch(answers: Record<string, () => Response>, seen: Seen[]): typeof fetch {
  return (async (input: string | URL, init?: RequestInit) => {
    const url = String(input);
    seen.push({ url, headers: { ...(init?.headers as Record<string, string> | undefined) } });
    const answer = answers[url];
    return answer ? answer() : new Response("nope", { status: 404 });
  }) as typeof fetch;
}

function deps(kpi: ShellDeps["kpi"]): ShellDeps {
  return { files: new FileCache(), labels: new LabelStyler(), botLogin: "firebreak[bot]", templates: shippedTemplates(), issueFromPayload: true, ...(kpi ? { kpi } : {}) };
}

const sources = (...list: unknown[]) => detectionSchema.parse({ sources: list });

describe("KPI URL sources", () => {
  it("sends the header to the configured host only: a redirect elsewhere goes without it", async () => {
    const seen: Seen[] = [];
    const fetch = fakeFetch(
      {
        "https://kpi.example.com/export.csv?key=1": () => new Response(null, { status: 302, headers: { location: "/v2/export.csv" } }),
        "https://kpi.example.com/v2/export.csv": () => new Response(null, { status: 302, headers: { location: "https://cdn.example.net/blob.csv" } }),
        "https://cdn.example.net/blob.csv": () => new Response(CSV),
      },
      seen,
    );
    const read = await readKpiSources(noGitHub, ref, sources({ url: "https://kpi.example.com/export.csv?key=1", auth_env: "FIREBREAK_KPI_SHEET" }), deps({ env: { FIREBREAK_KPI_SHEET: "X-Api-Key: s3cret" }, hosted: true, fetch }));
    expect(read.errors).toEqual([]);
    expect(read.sources.map((s) => s.name)).toEqual(["https://kpi.example.com/export.csv"]);
    expect(seen).toEqual([
      { url: "https://kpi.example.com/export.csv?key=1", headers: { "X-Api-Key": "s3cret" } },
      { url: "https://kpi.example.com/v2/export.csv", headers: { "X-Api-Key": "s3cret" } },
      { url: "https://cdn.example.net/blob.csv", headers: {} },
    ]);
  });

  it("refuses, in the hosted App, a variable outside FIREBREAK_KPI_, without fetching; the Action may name any", async () => {
    const seen: Seen[] = [];
    const fetch = fakeFetch({ "https://kpi.example.com/export.csv": () => new Response(CSV) }, seen);
    const config = sources({ url: "https://kpi.example.com/export.csv", auth_env: "AWS_SECRET_ACCESS_KEY" });
    const env = { AWS_SECRET_ACCESS_KEY: "Authorization: Bearer abc" };
    const hosted = await readKpiSources(noGitHub, ref, config, deps({ env, hosted: true, fetch }));
    expect(hosted.errors).toEqual([
      { key: "detection.sources.0", reason: "https://kpi.example.com/export.csv auth_env AWS_SECRET_ACCESS_KEY is refused: the hosted App reads only environment variables starting with FIREBREAK_KPI_" },
    ]);
    expect(seen).toEqual([]);
    const action = await readKpiSources(noGitHub, ref, config, deps({ env, hosted: false, fetch }));
    expect(action.errors).toEqual([]);
    expect(seen[0]!.headers).toEqual({ Authorization: "Bearer abc" });
  });

  it("names each failure once and never quotes the secret or the query", async () => {
    const seen: Seen[] = [];
    const fetch = fakeFetch({ "https://kpi.example.com/bad.csv": () => new Response("timestamp,channel,spend\nyesterday,meta,1\n") }, seen);
    const config = sources(
      { url: "https://kpi.example.com/gone.csv?token=hunter2" },
      { url: "https://kpi.example.com/a.csv", auth_env: "FIREBREAK_KPI_UNSET" },
      { url: "https://kpi.example.com/b.csv", auth_env: "FIREBREAK_KPI_BAD" },
      { url: "https://kpi.example.com/bad.csv" },
    );
    const read = await readKpiSources(noGitHub, ref, config, deps({ env: { FIREBREAK_KPI_BAD: "no colon hunter2" }, hosted: true, fetch }));
    expect(read.errors.map((e) => e.reason)).toEqual([
      "https://kpi.example.com/gone.csv answered HTTP 404",
      "https://kpi.example.com/a.csv auth_env FIREBREAK_KPI_UNSET is not set on the App's server",
      'https://kpi.example.com/b.csv auth_env FIREBREAK_KPI_BAD must hold "Header-Name: value"',
    ]);
    expect(JSON.stringify(read.errors)).not.toContain("hunter2");
    // A source that was read is the analysis's to judge: its bad line is reported from there.
    expect(read.sources.map((s) => [s.key, s.name, s.format])).toEqual([["detection.sources.3", "https://kpi.example.com/bad.csv", "csv"]]);
  });

  it("is refused outside the App and the Action, and a file source without GitHub's answer is not a configuration error", async () => {
    const read = await readKpiSources(noGitHub, ref, sources({ url: "https://kpi.example.com/a.csv" }), deps(undefined));
    expect(read.errors[0]!.reason).toContain("URL sources are read by the App and the Action");
    await expect(readKpiSources(noGitHub, ref, sources({ path: "data/kpi.csv" }), deps(undefined))).rejects.toThrow("no GitHub call expected");
    expect(DEFAULT_CONFIG.detection.sources).toEqual([]);
  });
});

describe("KPI analysis", () => {
  it("a source is analysed once while its text and the config stay the same, so a pass on an unchanged file redoes no work", async () => {
    const requests: AnalysisRequest[] = [];
    const analyse = rememberAnalyses((request) => {
      requests.push(request);
      return analyseHere(request);
    });
    const detection = sources({ path: "data/kpi/hourly.csv" });
    const request = (text: string, timezone = "UTC") => ({ text, options: { timezone }, detection });
    const first = await analyse("acme/shop#0", request(CSV));
    expect(await analyse("acme/shop#0", request(CSV))).toBe(first);
    expect(requests).toHaveLength(1);
    await analyse("acme/shop#0", request(`${CSV}2026-11-28T02:00:00Z,meta,13\n`));
    await analyse("acme/shop#0", request(`${CSV}2026-11-28T02:00:00Z,meta,13\n`, "Europe/Berlin"));
    await analyse("acme/other#0", request(CSV));
    expect(requests).toHaveLength(4);
  });

  it("tries a failed analysis again, and forgets the least recently used sources beyond its bound", async () => {
    let calls = 0;
    const analyse = rememberAnalyses((request) => {
      calls += 1;
      return calls === 1 ? Promise.reject(new Error("the worker died")) : analyseHere(request);
    }, CSV.length * 3);
    const request = (text: string) => ({ text, options: {}, detection: DEFAULT_CONFIG.detection });
    await expect(analyse("a", request(CSV))).rejects.toThrow("the worker died");
    await analyse("a", request(CSV));
    expect(calls).toBe(2);
    await analyse("b", request(`${CSV} `));
    await analyse("a", request(CSV)); // a is used again: b is now the least recent
    await analyse("c", request(`${CSV}  `));
    expect(calls).toBe(4);
    await analyse("a", request(CSV));
    expect(calls).toBe(4);
    await analyse("b", request(`${CSV} `));
    expect(calls).toBe(5);
  });

  it("reports bad input by line and column, and charts every signal it reports", async () => {
    expect(await analyseHere({ text: "timestamp,channel,spend\n2026-11-28T01:00:00Z,meta,twelve\n", options: {}, detection: DEFAULT_CONFIG.detection })).toMatchObject({
      ok: false,
      error: { line: 2, column: 3 },
    });
    const text = hourlyKpi({ end: "2026-11-28T12:00:00Z", breaks: [{ channel: "meta", metric: "spend", from: "2026-11-28T02:00:00Z", factor: 0.05 }] });
    const analysed = await analyseHere({ text, options: { format: "csv" }, detection: DEFAULT_CONFIG.detection });
    if (!analysed.ok) throw new Error(analysed.error.message);
    const { analysis } = analysed;
    expect(analysis.active.map((s) => [s.channel, s.layer])).toContainEqual(["meta", "delivery"]);
    for (const s of analysis.active) expect(analysis.bands[bandKey(s, s.at)]?.length).toBeGreaterThan(0);
    for (const s of analysis.raised) expect(analysis.bands[bandKey(s, analysis.newestAt!)]?.length).toBeGreaterThan(0);
  });
});

describe("what `firebreak init` writes for detection", () => {
  it("has an example KPI file the engine reads, and a commented detection block valid once uncommented", () => {
    const parsed = parseKpi(readTemplate("kpi/hourly.csv"), { format: "csv" });
    expect(parsed.ok).toBe(true);
    const lines = readTemplate("firebreak.example.yml").split("\n");
    const from = lines.indexOf("# detection:");
    const to = lines.findIndex((l, i) => i > from && !l.startsWith("#"));
    const block = lines.slice(from, to).map((l) => l.replace(/^# ?/, "")).join("\n");
    const resolved = resolveConfig(parseConfigYaml(block).value);
    expect(resolved.errors).toEqual([]);
    expect(resolved.config.detection.sources).toEqual([{ path: "data/kpi/hourly.csv" }, { url: "https://example.com/kpi.csv", auth_env: "FIREBREAK_KPI_SHEET" }]);
    expect(resolved.config.detection.channels).toEqual({ meta: "Meta", google: "Google", tiktok: "TikTok", email: "Email/SMS" });
  });
});
