// Parses Mermaid text with the real `mermaid` package, as GitHub's renderer would: charts
// Firebreak writes (postmortem timelines, detection evidence) must parse. Mermaid needs a DOM;
// a happy-dom window is made global only for it, at the first parse, so the rest of a test file
// keeps Node's own globals (vitest's happy-dom environment would replace URL and fetch too).
import type { Mermaid } from "mermaid";

let loaded: Promise<Mermaid> | undefined;

async function load(): Promise<Mermaid> {
  if (!("document" in globalThis)) {
    const { Window } = await import("happy-dom");
    const window = new Window();
    // Mermaid's sanitiser (DOMPurify) binds to `window` when it is imported: set it first.
    Object.assign(globalThis, { window, document: window.document });
  }
  const mermaid = (await import("mermaid")).default;
  mermaid.initialize({ startOnLoad: false });
  return mermaid;
}

/** The diagram type Mermaid read, or the parse error it threw. */
export async function parseMermaid(text: string): Promise<string> {
  loaded ??= load();
  const parsed = await (await loaded).parse(text);
  return parsed ? parsed.diagramType : "";
}

/** The text inside each ```mermaid fence of a Markdown body. */
export function mermaidBlocks(markdown: string): string[] {
  const blocks: string[] = [];
  const fence = /```mermaid\n([\s\S]*?)\n```/g;
  for (let m = fence.exec(markdown); m; m = fence.exec(markdown)) blocks.push(m[1]!);
  return blocks;
}
