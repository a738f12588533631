// `firebreak report` against the local GitHub: incidents driven by real commands at set times,
// figures checked by hand, a record copied into someone else's issue left out (SPEC §13), and
// the three formats. (Its charts are the renderer's, parsed by Mermaid in metrics.test.ts.)
import { afterEach, beforeEach, expect, it } from "vitest";
import { memoryIo } from "../../src/cli/common.js";
import { runReconcile } from "../../src/cli/reconcile.js";
import { runReport } from "../../src/cli/report.js";
import type { Report } from "../../src/core/report/metrics.js";
import { LocalGitHub } from "../../src/dev/local-github/index.js";
import { mermaidBlocks } from "../support/mermaid.js";

let gh: LocalGitHub;
let env: Record<string, string>;
let now = new Date("2026-11-02T10:00:00Z");
const later = (minutes: number) => (now = new Date(Date.parse("2026-11-02T10:00:00Z") + minutes * 60_000));

beforeEach(async () => {
  now = new Date("2026-11-02T10:00:00Z");
  gh = new LocalGitHub({ clock: () => now });
  const { url } = await gh.start();
  gh.addRepo("acme/shop");
  gh.addCollaborator("acme/shop", "devon", "write");
  gh.addCollaborator("acme/shop", "mallory", "read");
  gh.createLabel("acme/shop", "incident");
  gh.createLabel("acme/shop", "routine-variance");
  env = { GITHUB_TOKEN: gh.tokenFor("acme"), GITHUB_API_URL: url };
});
afterEach(() => gh.stop());

const reconcile = () => runReconcile({ repo: "acme/shop" }, memoryIo(env), { throttle: false });

async function report(format: "md" | "json" | "csv") {
  const io = memoryIo(env);
  const code = await runReport({ repo: "acme/shop", format }, io, { throttle: false }, new Date("2026-12-01T00:00:00Z"));
  return { code, out: io.stdout.join("\n"), requests: gh.requests.length };
}

it("reports the period's incidents from their records, leaving out a record someone else wrote", async () => {
  gh.openIssue("acme/shop", "devon", { title: "Checkout broken on iOS", body: "Orders from iOS stopped at 10:00.", labels: ["incident"] });
  await reconcile();
  later(15);
  gh.comment("acme/shop", 1, "devon", "/owner @devon");
  later(45);
  gh.comment("acme/shop", 1, "devon", "/contain paused Meta prospecting");
  later(180);
  gh.comment("acme/shop", 1, "devon", "/resolve\ncause: theme v4.2 broke the button\nlayer: conversion\nevidence: test orders pass after the rollback");
  await reconcile();
  later(24 * 60);
  // #2 is the dashboard the first pass opened.
  const second = gh.openIssue("acme/shop", "devon", { title: "=1+1 Meta spend stopped", body: "Spend at zero.", labels: ["incident"] }).number;
  await reconcile();
  later(24 * 60 + 60);
  gh.comment("acme/shop", second, "devon", "/owner @devon");
  await reconcile();
  // A copy of #1's body, record included, in an issue Firebreak never wrote.
  gh.openIssue("acme/shop", "mallory", { title: "Not ours", body: gh.issue("acme/shop", 1)?.body ?? "", labels: ["routine-variance"] });

  gh.resetRequests();
  const json = await report("json");
  expect(json.code).toBe(0);
  const parsed = JSON.parse(json.out) as Report;
  expect(parsed.period).toEqual({ from: "2026-09-02T00:00:00.000Z", to: "2026-12-01T00:00:00.000Z" });
  expect(parsed.incidents.map((r) => [r.number, r.status, r.minutes])).toEqual([
    [1, "resolved", { own: 15, contain: 45, resolve: 180 }],
    [3, "investigating", { own: 60 }],
  ]);
  expect(parsed.metrics.times).toEqual({
    detect: { count: 0 },
    own: { count: 2, median: 15, p90: 60 },
    contain: { count: 1, median: 45, p90: 45 },
    resolve: { count: 1, median: 180, p90: 180 },
  });
  expect(parsed.metrics.classification).toEqual({ incidents: 2, routineVariance: 0, escalated: [], notIncident: [] });
  // The token owner's login, the config, three labels' lists, one trust query.
  expect(json.requests).toBe(6);

  const csv = (await report("csv")).out.split("\n");
  expect(csv[0]).toBe("number,title,url,severity,status,declared_at,likely_layer,confirmed_layer,detect_minutes,own_minutes,contain_minutes,resolve_minutes,repeat_of,peak_parallel,cost,currency,postmortem");
  expect(csv[2]).toMatch(/^3,'=1\+1 Meta spend stopped,http:\/\/[^,]+\/acme\/shop\/issues\/3,2,investigating,2026-11-03T10:00:00Z,,,,60,,,,0,,,$/);

  const md = (await report("md")).out;
  expect(md).toContain("**2 incident(s)** · 0 routine variance");
  expect(md).toContain("| declaration → owner | 2 | 15m | 1h 00m |");
  expect(mermaidBlocks(md).map((c) => c.split("\n")[0])).toEqual(["pie title Incidents by layer", "xychart-beta"]);
});
