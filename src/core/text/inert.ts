// Neutralising user text before Firebreak repeats it (SPEC §13): nobody gets notified by a card
// or a reply, nothing links anywhere (no links, images, autolinks or cross-references that leave
// a backlink on another issue), nothing hides or reorders what a reader sees, and no markup
// escapes the place it is shown in (table cell, list item, quote).

const WORD_JOINER = "\u2060";

/**
 * Control, zero-width and bidirectional characters: they hide or reorder what a reader sees.
 * Firebreak's own word joiners (inserted below to break mentions and links) are added after this.
 */
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u0008\u000B-\u001F\u007F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFEFF\uFFA0]/g;

export function withoutInvisible(text: string): string {
  return text.replace(INVISIBLE, "");
}

/** Breaks @-mentions and team mentions so that repeating them notifies nobody. */
export function noMentions(text: string): string {
  return text.replace(/@(?=[A-Za-z0-9])/g, `@${WORD_JOINER}`);
}

/** Escapes what HTML and HTML comments need; markdown emphasis stays as the author wrote it. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * No links of any kind: `[text](url)` and `![alt](src)` lose their brackets' meaning, bare URLs
 * and `www.` hosts are not autolinked, and `#12`, `owner/repo#12` and `GH-12` create no
 * cross-reference (a backlink on someone else's issue).
 */
export function noLinks(text: string): string {
  return noAutolinks(text.replace(/[[\]]/g, "\\$&"))
    .replace(/#(?=\d)/g, `#${WORD_JOINER}`)
    .replace(/\b(GH)-(?=\d)/gi, `$1${WORD_JOINER}-`);
}

/** Bare URLs, `www.` hosts and `mailto:` are not turned into links (chat platforms autolink too). */
export function noAutolinks(text: string): string {
  return text
    .replace(/\b([a-z][a-z0-9+.-]{1,20})(?=:\/\/)/gi, `$1${WORD_JOINER}`)
    .replace(/\b(www)\./gi, `$1${WORD_JOINER}.`)
    .replace(/\b(mailto|xmpp)(?=:)/gi, `$1${WORD_JOINER}`);
}

/** User text made inert for a Markdown block (a quote or list item spanning lines). */
export function inert(text: string): string {
  return noLinks(noMentions(escapeHtml(withoutInvisible(text.replace(/\r\n?/g, "\n")))));
}

/** User text for one line of Markdown (a table cell or list item): no line breaks, no pipes. */
export function inline(text: string | undefined, max = 300): string {
  if (!text) return "";
  const flat = withoutInvisible(text).replace(/\s+/g, " ").trim();
  const cut = flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
  return noLinks(noMentions(escapeHtml(cut))).replace(/\|/g, "\\|").replace(/`/g, "'");
}

/** A mention that should notify: only for logins Firebreak itself decided to ping. */
export function mention(login: string): string {
  return `@${login.replace(/[^A-Za-z0-9/_.\-[\]]/g, "")}`;
}

/** A login shown without notifying its owner: inside a code span, so nothing in it renders. */
export function person(login: string | undefined): string {
  const clean = login ? withoutInvisible(login).replace(/[`\s]/g, "").slice(0, 60) : "";
  return clean ? `\`${clean}\`` : "—";
}
