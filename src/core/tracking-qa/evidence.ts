// How what a page showed is put into words for a table or an issue: deduplicated, shortened,
// and inert (page and config text must not mention anyone or break out of a table cell).

export function unique(values: Iterable<string>): string[] {
  return [...new Set(values)];
}

export function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Text from pages and configs must not mention anyone or break out of a table cell. */
export function cell(text: string): string {
  return text
    .replace(/[\r\n]+/g, " ")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\|/g, "\\|")
    .replace(/@/g, "@\u200b")
    .replace(/`/g, "'");
}
