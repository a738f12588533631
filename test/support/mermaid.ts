// Parses Mermaid charts with the `mermaid` package, as GitHub's renderer would. Mermaid needs a
// DOM: call from a test file run in happy-dom (`// @vitest-environment happy-dom`).
import type { Mermaid } from "mermaid";

let loaded: Promise<Mermaid> | undefined;

/** The charts of every ```mermaid fence in `markdown`. */
export function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

/** Resolves with the diagram type; rejects with Mermaid's parse error. */
export async function parseMermaid(chart: string): Promise<string> {
  loaded ??= import("mermaid").then(({ default: mermaid }) => {
    mermaid.initialize({ startOnLoad: false });
    return mermaid;
  });
  const mermaid = await loaded;
  const result = await mermaid.parse(chart.replace(/^```mermaid\n|```\s*$/g, ""));
  if (!result) throw new Error("mermaid did not parse the chart");
  return result.diagramType;
}
