// The evidence chart: a series against its band as a Mermaid `xychart-beta`, which GitHub
// renders in issues and comments. Kept small (SPEC §12): a bounded number of points, values
// rounded to four significant digits, labels reduced to characters the chart's lexer accepts.
import { mermaidLabel } from "../postmortem/chart.js";
import { utcText } from "../time.js";

export interface BandPoint {
  at: string;
  observed: number;
  expected: number;
  low: number;
  high: number;
}

/** At most this many points: two days of hours, or seven weeks of days. */
export const CHART_POINTS = 48;

function value(n: number): string {
  return Number.isFinite(n) ? String(Number(n.toPrecision(4))) : "0";
}

/** "11-28 14h" for hourly points, "11-28" when every point is a day. */
function axisLabels(points: readonly BandPoint[]): string[] {
  const daily = points.every((p) => p.at.length <= 10 || /T00:00(:00(\.0+)?)?(Z|[+-]00:?00)?$/.test(p.at));
  return points.map((p) => {
    const t = Date.parse(p.at);
    if (!Number.isFinite(t)) return "?";
    const iso = new Date(t).toISOString();
    return daily ? iso.slice(5, 10) : `${iso.slice(5, 10)} ${iso.slice(11, 13)}h`;
  });
}

/**
 * The chart as a fenced block, or "" with no points. Lines in order: observed, expected, low,
 * high (xychart has no legend, so the caption names them).
 */
export function bandChart(points: readonly BandPoint[], title: string, unit: string): string {
  const shown = points.slice(-CHART_POINTS);
  if (shown.length === 0) return "";
  const all = shown.flatMap((p) => [p.observed, p.expected, p.low, p.high]).filter(Number.isFinite);
  const top = Math.max(...all);
  const bottom = Math.min(0, ...all);
  const series = (pick: (p: BandPoint) => number) => `[${shown.map((p) => value(pick(p))).join(", ")}]`;
  return [
    "```mermaid",
    "xychart-beta",
    `    title "${mermaidLabel(title, 80)}"`,
    `    x-axis [${axisLabels(shown)
      .map((l) => `"${l}"`)
      .join(", ")}]`,
    `    y-axis "${mermaidLabel(unit, 40) || "value"}" ${value(bottom)} --> ${value(top > bottom ? top : bottom + 1)}`,
    `    line ${series((p) => p.observed)}`,
    `    line ${series((p) => p.expected)}`,
    `    line ${series((p) => p.low)}`,
    `    line ${series((p) => p.high)}`,
    "```",
    `<sub>Lines: observed, expected, and the band's low and high edges; the last ${shown.length} final points up to ${utcText(shown[shown.length - 1]!.at)} (newer points are still provisional).</sub>`,
  ].join("\n");
}
