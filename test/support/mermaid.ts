// Parses Mermaid text with the real `mermaid` package, as GitHub's renderer would: charts
// Firebreak writes (postmortem timelines, detection evidence) must parse. Mermaid needs a DOM,
// so test files that use this run in vitest's `happy-dom` environment
// (`// @vitest-environment happy-dom` at the top of the file).
import mermaid from "mermaid";

let ready = false;

/** The diagram type Mermaid read, or the parse error it threw. */
export async function parseMermaid(text: string): Promise<string> {
  if (!ready) {
    mermaid.initialize({ startOnLoad: false });
    ready = true;
  }
  const parsed = await mermaid.parse(text);
  return parsed ? parsed.diagramType : "";
}

/** The text inside each ```mermaid fence of a Markdown body. */
export function mermaidBlocks(markdown: string): string[] {
  const blocks: string[] = [];
  const fence = /```mermaid\n([\s\S]*?)\n```/g;
  for (let m = fence.exec(markdown); m; m = fence.exec(markdown)) blocks.push(m[1]!);
  return blocks;
}
