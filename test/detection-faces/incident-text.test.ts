// What a detection writes, without GitHub: the incident drafted through the issue form parses as
// a declaration with the right answers, every chart parses with the real `mermaid` package and
// stays small, markers survive hostile channel names, and a break finds its incident.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG } from "../../src/core/config.js";
import { parseDeclaration } from "../../src/core/declaration/form.js";
import type { Signal } from "../../src/core/detection/index.js";
import { bandChart, CHART_POINTS, type BandPoint } from "../../src/core/detection-incident/chart.js";
import { confidenceOf, detectionClearedNote, detectionIncidentDraft, detectionUpdateComment } from "../../src/core/detection-incident/draft.js";
import { shippedTemplates } from "../../src/templates.js";
import { groupSignals, incidentFor, matchesIncident, ongoingOn, scopeOf } from "../../src/core/detection-incident/signals.js";
import { detectionClearedMarker, detectionMarker, detectionMarksIn } from "../../src/core/model/markers.js";
import { mermaidBlocks, parseMermaid } from "../support/mermaid.js";

const form = shippedTemplates().form;

function signal(over: Partial<Signal> = {}): Signal {
  return {
    at: "2026-11-28T14:00:00.000Z",
    since: "2026-11-28T06:00:00.000Z",
    channel: "meta",
    layer: "delivery",
    metric: "spend",
    observed: 120,
    expected: 2400,
    low: 1900,
    high: 2900,
    score: 9.5,
    severity: 2,
    reason: "spend collapsed while the other channels held",
    ...over,
  };
}

function points(n: number, start = Date.parse("2026-11-26T15:00:00Z"), step = 3_600_000): BandPoint[] {
  return Array.from({ length: n }, (_, k) => ({
    at: new Date(start + k * step).toISOString(),
    observed: k > n - 8 ? 120 + k : 2400 + ((k * 37) % 300),
    expected: 2400,
    low: 1900.123456,
    high: 2900,
  }));
}

describe("the evidence chart", () => {
  it("parses as an xychart with Mermaid, hourly and daily, and keeps to the last 48 points", async () => {
    const hourly = bandChart(points(200), "spend of meta", "spend");
    const daily = bandChart(points(30, Date.parse("2026-10-01T00:00:00Z"), 86_400_000), "orders of all", "orders");
    for (const chart of [hourly, daily]) {
      const [block] = mermaidBlocks(chart);
      expect(await parseMermaid(block!)).toBe("xychart");
    }
    expect(hourly).toContain(`"12-04 22h"]`);
    expect(daily).toContain('"10-30"');
    const line = hourly.split("\n").find((l) => l.trim().startsWith("line"))!;
    expect(line.split(",")).toHaveLength(CHART_POINTS);
    // Four significant digits: a chart of 48 hours stays far under GitHub's comment size.
    expect(hourly).toContain("1900,");
    expect(hourly.length).toBeLessThan(2500);
  });

  it("makes hostile channel and metric names safe for Mermaid's lexer", async () => {
    const chart = bandChart(points(5), 'x"]\n    line [1]\n%% @owner <b>', 'spend"; click');
    expect(await parseMermaid(mermaidBlocks(chart)[0]!)).toBe("xychart");
    expect(chart).not.toContain("@owner");
    expect(chart).not.toContain("<b>");
  });

  it("in the README's example detection incident parses too", async () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const section = readme.slice(readme.indexOf("## Early detection from KPI data"), readme.indexOf("## CLI"));
    const blocks = mermaidBlocks(section);
    expect(blocks).toHaveLength(1);
    expect(await parseMermaid(blocks[0]!)).toBe("xychart");
  });

  it("is empty without points", () => {
    expect(bandChart([], "spend", "spend")).toBe("");
  });
});

describe("the incident a break opens", () => {
  const group = groupSignals([signal(), signal({ metric: "impressions", observed: 1000, expected: 50000, low: 40000, high: 60000, score: 4, since: "2026-11-28T05:00:00.000Z" })])[0]!;
  const draft = detectionIncidentDraft(group, {
    formTemplate: form,
    channels: DEFAULT_CONFIG.detection.channels,
    releases: [
      { tag: "v2.4.0", name: "Checkout @everyone", url: "https://github.com/acme/shop/releases/v2.4.0", publishedAt: "2026-11-28T04:30:00Z" },
      { tag: "v2.3.0", url: "https://github.com/acme/shop/releases/v2.3.0", publishedAt: "2026-11-20T09:00:00Z" },
    ],
    lookbackHours: 24,
    chart: bandChart(points(48), "spend of meta", "spend"),
  });

  it("reads back as a declaration: symptom with numbers, start, scope, layer, severity, threshold", () => {
    const d = parseDeclaration(draft.body, form, form);
    expect(d.isForm).toBe(true);
    expect(d.missing).toEqual([]);
    expect(d.symptom).toContain("`spend` of `meta` was 120");
    expect(d.symptom).toContain("95% below expected (expected 2,400, band 1,900–2,900)");
    expect(d.started).toBe("2026-11-28T05:00:00.000Z");
    expect(d.detected).toBe("2026-11-28T14:00:00.000Z");
    expect(d.scope).toEqual(["Meta"]);
    expect(d.layer).toBe("delivery");
    expect(d.severity).toBe(2);
    expect(d.outcomes).toBe("not-sure");
    expect(d.threshold).toHaveLength(2);
    // Releases in the window are what changed, inert; the older one is not.
    expect(d.whatChanged).toContain("`v2.4.0` (Checkout @\u2060everyone)");
    expect(d.whatChanged).not.toContain("v2.3.0");
  });

  it("carries the evidence above the form, with a chart that parses, and its marker", async () => {
    expect(draft.body.startsWith(detectionMarker({ channel: "meta", layer: "delivery", since: "2026-11-28T05:00:00.000Z" }))).toBe(true);
    expect(draft.body.indexOf("| metric | layer |")).toBeLessThan(draft.body.indexOf("### What are you seeing?"));
    expect(draft.body).toContain("Likely layer: **delivery** (confidence high)");
    expect(await parseMermaid(mermaidBlocks(draft.body)[0]!)).toBe("xychart");
    expect(draft.title).toBe("Detected: spend of meta 95% below expected (delivery)");
  });

  it("reads platform conversions falling while orders hold as reporting only", () => {
    const g = groupSignals([signal({ layer: "measurement", metric: "platform_conversions" })])[0]!;
    const d = parseDeclaration(detectionIncidentDraft(g, { formTemplate: form, channels: {}, releases: [], lookbackHours: 24, chart: "" }).body, form, form);
    expect(d.outcomes).toBe("reporting-only");
    expect(d.layer).toBe("measurement");
    expect(d.scope).toEqual(["Other"]);
    expect(d.whatChanged).toContain("No release was published");
  });

  it("updates and clearing notes carry their markers and charts that parse", async () => {
    const update = detectionUpdateComment(group, bandChart(points(10), "spend", "spend"));
    expect(detectionMarksIn(update)).toEqual([{ key: group.key, cleared: false }]);
    const note = detectionClearedNote(group.key, "spend", points(3)[2], bandChart(points(10), "spend", "spend"));
    expect(detectionMarksIn(note)).toEqual([{ key: group.key, cleared: true }]);
    expect(note).toContain("does not close the incident");
    for (const text of [update, note]) expect(await parseMermaid(mermaidBlocks(text)[0]!)).toBe("xychart");
  });
});

describe("which incident a break belongs to", () => {
  const config = DEFAULT_CONFIG;
  const key = { channel: "meta", layer: "delivery" };
  const incident = (number: number, labels: string[], scope: string[], body = "") => ({ number, labels, declaration: { scope }, body });

  it("maps KPI channels to the form's scope, slices to the whole site", () => {
    expect(scopeOf("meta", config.detection.channels)).toBe("Meta");
    expect(scopeOf("email", config.detection.channels)).toBe("Email/SMS");
    expect(scopeOf("line:shoes", config.detection.channels)).toBe("Whole site");
    expect(scopeOf("pinterest", config.detection.channels)).toBe("Other");
  });

  it("matches the same layer with a scope holding the channel; the one Firebreak opened for it comes first", () => {
    expect(matchesIncident(incident(3, ["incident", "layer:delivery"], ["Google", "Meta"]), key, config)).toBe(true);
    expect(matchesIncident(incident(3, ["incident", "layer:economics"], ["Meta"]), key, config)).toBe(false);
    expect(matchesIncident(incident(3, ["incident", "layer:delivery"], ["Google"]), key, config)).toBe(false);
    expect(matchesIncident(incident(3, [], ["Meta"]), { channel: "meta", layer: "unknown" }, config)).toBe(false);
    const own = incident(9, ["incident", "layer:delivery"], ["Meta"], detectionMarker({ ...key, since: "2026-11-28T06:00:00Z" }));
    expect(incidentFor([incident(4, ["incident", "layer:delivery"], ["Meta"]), own], key, config)?.number).toBe(9);
    expect(incidentFor([incident(5, ["layer:delivery"], ["Meta"]), incident(4, ["layer:delivery"], ["Meta"])], key, config)?.number).toBe(4);
  });

  it("knows a break is ongoing until a clearing follows it, and a new break after that", () => {
    const first = { ...key, since: "2026-11-20T06:00:00Z" };
    const second = { ...key, since: "2026-11-28T06:00:00Z" };
    expect(ongoingOn([detectionMarker(first)], key)).toEqual(first);
    expect(ongoingOn([detectionMarker(first), detectionClearedMarker(first)], key)).toBeUndefined();
    expect(ongoingOn([detectionMarker(first), detectionClearedMarker(first), detectionMarker(second)], key)).toEqual(second);
  });

  it("keeps markers whole for channel names that would end the comment or split the key", () => {
    const odd = { channel: "meta --> <!-- x y=z", layer: "delivery", since: "2026-11-28T06:00:00Z" };
    const marker = detectionMarker(odd);
    expect(marker.match(/-->/g)).toHaveLength(1);
    expect(detectionMarksIn(`text ${marker} more`)).toEqual([{ key: odd, cleared: false }]);
    expect(detectionMarksIn("<!-- firebreak:detection channel=%E0%A4%A layer=delivery since=x -->")).toEqual([]);
  });

  it("groups signals by channel and layer, led by the strongest, from the earliest start", () => {
    const groups = groupSignals([signal({ metric: "clicks", score: 3 }), signal({ score: 8, since: "2026-11-28T07:00:00.000Z" }), signal({ channel: "google" })]);
    expect(groups.map((g) => [g.key.channel, g.lead.metric, g.signals.length])).toEqual([
      ["meta", "spend", 2],
      ["google", "spend", 1],
    ]);
    expect(groups[0]!.key.since).toBe("2026-11-28T06:00:00.000Z");
    expect(confidenceOf(signal())).toBe("high");
    expect(confidenceOf(signal({ observed: 1500 }))).toBe("medium");
    expect(confidenceOf(signal({ observed: 1700 }))).toBe("low");
    expect(confidenceOf(signal({ layer: "unknown" }))).toBe("low");
  });
});
