// Neutralising user text before Firebreak repeats it: nobody gets notified by a card or a
// reply, and no markup escapes the place it is shown in (table cell, list item, quote).

const WORD_JOINER = "\u2060";

/** Breaks @-mentions and team mentions so that repeating them notifies nobody. */
export function noMentions(text: string): string {
  return text.replace(/@(?=[A-Za-z0-9])/g, `@${WORD_JOINER}`);
}

/** Escapes what HTML and HTML comments need; markdown emphasis stays as the author wrote it. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** User text for one line of Markdown (a table cell or list item): no line breaks, no pipes. */
export function inline(text: string | undefined, max = 300): string {
  if (!text) return "";
  const flat = text
    // Control and bidirectional-override characters: they can hide or reorder what a reader sees.
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B-\u001F\u007F\u202A-\u202E\u2066-\u2069]/g, "")
    .replace(/\s+/g, " ")
    .trim();
  const cut = flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
  return noMentions(escapeHtml(cut)).replace(/\|/g, "\\|").replace(/`/g, "'");
}

/** A mention that should notify: only for logins Firebreak itself decided to ping. */
export function mention(login: string): string {
  return `@${login.replace(/[^A-Za-z0-9/_.\-[\]]/g, "")}`;
}

/** A login shown without notifying its owner. */
export function person(login: string | undefined): string {
  return login ? `\`${login.replace(/[`\s]/g, "")}\`` : "—";
}
