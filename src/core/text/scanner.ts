// The one Markdown scanner: which lines of a body are fenced code, quotes, HTML comments or a
// Firebreak region, as GitHub shows them. The form parser, the command grammar and the
// postmortem gate all ask it, so "inside a code block" means the same thing everywhere.
import { regionEndOf, regionStartOf } from "../model/markers.js";

/**
 * "text" (where headings, boxes and commands count), "code" (a fenced block, fences
 * included), "quote" (a `>` line), "comment" (a multi-line HTML comment, invisible on
 * GitHub) or "firebreak" (a Firebreak-owned region such as the status card).
 */
export type LineKind = "text" | "code" | "quote" | "comment" | "firebreak";

export interface ScanOptions {
  /**
   * What a fence or comment that never closes covers. "rest": the rest of the body, as
   * CommonMark renders it. "nothing": its opening line is text, so one stray ``` in a form
   * answer does not swallow every later field.
   */
  unclosed: "rest" | "nothing";
}

/** A body's lines, whatever its line endings. */
export function linesOf(body: string): string[] {
  return body.replace(/\r\n?/g, "\n").split("\n");
}

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})/;
const FENCE_CLOSE = /^ {0,3}(`{3,}|~{3,})[ \t]*$/;
const COMMENT_OPEN = /^ {0,3}<!--/;
const QUOTE = /^ {0,3}>/;

/** The kind of each line. Closers are looked up in precomputed lists, so hostile bodies stay near linear. */
export function lineKinds(lines: readonly string[], options: ScanOptions): LineKind[] {
  const n = lines.length;
  const kinds = new Array<LineKind>(n).fill("text");

  // The next line at or after i that holds "-->", for closing comments in one look-up.
  const nextCommentEnd = new Int32Array(n + 1).fill(-1);
  for (let i = n - 1; i >= 0; i--) nextCommentEnd[i] = (lines[i] ?? "").includes("-->") ? i : (nextCommentEnd[i + 1] ?? -1);

  // Closing fences per fence character, and region ends per name, in line order.
  const closers: Record<string, { at: number; length: number }[]> = { "`": [], "~": [] };
  const regionEnds = new Map<string, { at: number }[]>();
  for (let i = 0; i < n; i++) {
    const line = lines[i] ?? "";
    const close = FENCE_CLOSE.exec(line)?.[1];
    if (close) closers[close[0] ?? "`"]?.push({ at: i, length: close.length });
    const end = regionEndOf(line);
    if (end) {
      const list = regionEnds.get(end) ?? [];
      list.push({ at: i });
      regionEnds.set(end, list);
    }
  }
  const firstAfter = (list: readonly { at: number }[], i: number): number => {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((list[mid]?.at ?? 0) <= i) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const mark = (from: number, to: number, kind: LineKind): void => {
    for (let k = from; k <= to; k++) kinds[k] = kind;
  };
  const rest = options.unclosed === "rest";

  const unclosable: Record<string, number> = {};
  let i = 0;
  while (i < n) {
    const line = lines[i] ?? "";
    const region = regionStartOf(line);
    if (region) {
      const ends = regionEnds.get(region) ?? [];
      const end = ends[firstAfter(ends, i)]?.at;
      if (end !== undefined) {
        mark(i, end, "firebreak");
        i = end + 1;
        continue;
      }
    }
    const open = FENCE_OPEN.exec(line);
    const fence = open?.[1];
    // A backtick fence's info string may not hold a backtick (that is inline code).
    if (fence && !(fence[0] === "`" && line.slice(open[0].length).includes("`"))) {
      const char = fence[0] ?? "`";
      // A fence that found no closer rules out every later fence as long or longer.
      if (fence.length < (unclosable[char] ?? Infinity)) {
        const list = closers[char] ?? [];
        let k = firstAfter(list, i);
        while (k < list.length && (list[k]?.length ?? 0) < fence.length) k++;
        const close = list[k];
        const to = close?.at ?? (rest ? n - 1 : undefined);
        if (to !== undefined) {
          mark(i, to, "code");
          i = to + 1;
          continue;
        }
        unclosable[char] = fence.length;
      }
    } else if (COMMENT_OPEN.test(line) && !line.slice(line.indexOf("<!--") + 4).includes("-->")) {
      const end = nextCommentEnd[i + 1] ?? -1;
      const to = end >= 0 ? end : rest ? n - 1 : undefined;
      if (to !== undefined) {
        mark(i, to, "comment");
        i = to + 1;
        continue;
      }
    } else if (QUOTE.test(line)) {
      kinds[i] = "quote";
    }
    i++;
  }
  return kinds;
}

/**
 * Text with its HTML comments blanked, comments inside a line too: GitHub hides them, so
 * nothing in one answers or ticks anything. Line breaks stay, so line numbers still match.
 */
export function withoutComments(text: string): string {
  return text.replace(/<!--[\s\S]*?(?:-->|$)/g, (comment) => comment.replace(/[^\n]/g, ""));
}

/** `text` without the run of `chars` at its end. A loop, because `/[…]+$/` rescans a long run from each of its characters. */
export function trimEndOf(text: string, chars: string): string {
  let end = text.length;
  while (end > 0 && chars.includes(text[end - 1]!)) end--;
  return text.slice(0, end);
}
