// @vitest-environment happy-dom
// The report on a generated 200-incident history (test/report/history.ts says how each figure
// arises), every figure checked by hand, and every chart parsed by Mermaid.
import { describe, expect, it } from "vitest";
import { buildReport, nearestRank } from "../../src/core/report/metrics.js";
import { renderReportMarkdown, reportCharts } from "../../src/core/report/render.js";
import { renderDashboard } from "../../src/core/report/dashboard.js";
import { DEFAULT_CONFIG } from "../../src/core/config.js";
import { mermaidBlocks, parseMermaid } from "../support/mermaid.js";
import { history } from "./history.js";

const report = buildReport(history());
const m = report.metrics;

describe("nearest rank", () => {
  it("takes the value at rank ⌈p·n⌉", () => {
    expect(nearestRank([15, 20, 35, 40, 50], 0.5)).toBe(35);
    expect(nearestRank([15, 20, 35, 40, 50], 0.9)).toBe(50);
    expect(nearestRank([3, 1, 2, 4], 0.5)).toBe(2);
    expect(nearestRank([7], 0.9)).toBe(7);
    expect(nearestRank([], 0.5)).toBeUndefined();
  });
});

describe("200 incidents", () => {
  it("counts the period's incidents by layer × severity: residues mod 15 0…4 hold 14, the rest 13", () => {
    expect(m.incidents).toBe(200);
    expect(m.byLayerSeverity).toEqual({
      economics: { "1": 14, "2": 13, "3": 13 },
      measurement: { "1": 13, "2": 14, "3": 13 },
      conversion: { "1": 13, "2": 13, "3": 14 },
      delivery: { "1": 14, "2": 13, "3": 13 },
      operations: { "1": 13, "2": 14, "3": 13 },
      unknown: { "1": 0, "2": 0, "3": 0 },
    });
  });

  it("takes median and p90 by nearest rank", () => {
    expect(m.times).toEqual({
      detect: { count: 200, median: 100, p90: 180 }, // 1…200: ranks 100 and 180
      own: { count: 200, median: 200, p90: 360 }, // 2·(1…200)
      contain: { count: 100, median: 300, p90: 540 }, // 6, 12, …, 600: ranks 50 and 90
      resolve: { count: 50, median: 1500, p90: 2700 }, // 60, 120, …, 3000: ranks 25 and 45
    });
  });

  it("measures the detection gap per layer", () => {
    // economics: i = 1, 6, …, 196 (40 incidents): rank 20 → 96, rank 36 → 176; each other layer is shifted by 1…4.
    expect(m.detectionGap).toEqual({
      economics: { count: 40, median: 96, p90: 176 },
      measurement: { count: 40, median: 97, p90: 177 },
      conversion: { count: 40, median: 98, p90: 178 },
      delivery: { count: 40, median: 99, p90: 179 },
      operations: { count: 40, median: 100, p90: 180 },
    });
  });

  it("finds repeats, triage accuracy, classification, peak parallel work, cost and postmortem gaps", () => {
    expect(m.repeats).toEqual([50, 100, 150, 200]);
    expect(m.triage).toEqual({ judged: 50, right: 25, accuracy: 0.5 });
    expect(m.classification).toEqual({ incidents: 200, routineVariance: 10, escalated: [7, 77], notIncident: [501, 502] });
    expect(m.peakParallel).toEqual({ max: 6, incident: 6 });
    // €100/h over 16i minutes for i = 20, 40, …, 200, each rounded: 533 + 1067 + 1600 + 2133 + 2667 + 3200 + 3733 + 4267 + 4800 + 5333.
    expect(m.cost).toEqual({ total: 29333, currency: "€", incidents: 10 });
    expect(m.postmortemsOverdue).toEqual([1004, 1012, 1020, 1028, 1036, 1044, 1052, 1060, 1068, 1076, 1084, 1092]);
    expect(m.fixesNotLinked).toEqual([8, 24, 40, 56, 72, 88, 104, 120, 136, 152, 168, 184, 200]);
  });

  it("renders Markdown whose every Mermaid chart parses", async () => {
    const markdown = renderReportMarkdown(report);
    expect(markdown).toContain("**200 incident(s)** · 10 routine variance · triage accuracy 50% (25 of 50) · peak parallel interventions 6 (#6) · estimated cost ≈ €29,333 over 10 incident(s) with a cost rate");
    expect(markdown).toContain("| start → detection | 200 | 1h 40m | 3h 00m |");
    const charts = mermaidBlocks(markdown);
    expect(charts).toEqual(reportCharts(report).map((c) => c.replace(/^```mermaid\n|\n```$/g, "")));
    expect(await Promise.all(charts.map(parseMermaid))).toEqual(["pie", "xychart", "xychart"]);
  });
});

describe("the dashboard", () => {
  it("lists open incidents with what they owe and postmortems due, above the report, and its charts parse", async () => {
    const input = history();
    const body = renderDashboard({ at: input.to, incidents: input.issues, postmortems: input.postmortems, report }, DEFAULT_CONFIG);
    // 150 of the period's plus the three declared before it, all still investigating.
    expect(body).toContain("## Open incidents (153)");
    // #3: SEV3, declared 2026-09-02 06:00 (88d 18h before), never updated, no owner in its record.
    expect(body).toContain("| #3 Incident 3 | SEV3 | conversion | investigating | — | 88d 18h | ⚠️ update (every 24h), owner |");
    expect(body).toContain("## Postmortems due (25)\n\n- #1004 for incident #4: due 2026-01-01 ⚠️ overdue");
    expect(body).toContain("## Last 30 days: 2026-09-01 → 2026-11-30");
    expect(await Promise.all(mermaidBlocks(body).map(parseMermaid))).toEqual(["pie", "xychart", "xychart"]);
  });
});
