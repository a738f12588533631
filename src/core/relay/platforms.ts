// Each platform's own message format (SPEC §16), with user text made inert in that platform's
// markup: nobody is notified, nothing links, no markup escapes its place.
//   Slack: Block Kit for incoming webhooks; mrkdwn needs `&`, `<`, `>` escaped, which also
//     disarms `<!channel>`, `<!here>`, `<@U…>`, `<!subteam^…>` and `<url|text>` links.
//   Teams: an Adaptive Card in the `message` envelope workflow webhooks take; TextBlock
//     Markdown links are escaped, and `<at>` mentions need entities Firebreak never sends.
//   Google Chat: cardsV2; card text is HTML, so it is escaped (`<users/all>` stays text).
//   Webhook: plain JSON, text as written minus invisible characters and live mentions.
import type { RelayKind } from "./config.js";
import type { RelayMessage } from "./message.js";
import { escapeHtml, noAutolinks, noLinks, noMentions, withoutInvisible } from "../text/inert.js";

/** One line of user text, capped: chat messages are read at a glance. */
function flat(text: string, max = 300): string {
  const one = withoutInvisible(text).replace(/\s+/g, " ").trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

export function slackText(text: string, max?: number): string {
  return noAutolinks(noMentions(flat(text, max).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")));
}

export function teamsText(text: string, max?: number): string {
  return noLinks(noMentions(flat(text, max)));
}

export function chatText(text: string, max?: number): string {
  return noAutolinks(noMentions(escapeHtml(flat(text, max))));
}

function webhookText(text: string): string {
  return noMentions(flat(text, 2000));
}

/** Firebreak's own words about the incident: the title is user text too. */
function subject(m: RelayMessage, esc: (t: string, max?: number) => string): string {
  return `#${m.incident.number} ${esc(m.incident.title, 150)}`;
}

function context(m: RelayMessage): string {
  return `SEV${m.severity} (${m.severityName}) · ${m.status} · ${m.incident.repository}`;
}

export function slackPayload(m: RelayMessage) {
  const fields = m.fields.map((f) => ({ type: "mrkdwn" as const, text: `*${f.label}*\n${slackText(f.value)}` }));
  return {
    text: `${m.headline}: ${subject(m, slackText)}`,
    unfurl_links: false,
    unfurl_media: false,
    blocks: [
      { type: "header" as const, text: { type: "plain_text" as const, text: m.headline, emoji: true } },
      { type: "section" as const, text: { type: "mrkdwn" as const, text: `*<${m.incident.url}|${subject(m, slackText)}>*${m.detail ? `\n${slackText(m.detail)}` : ""}` } },
      { type: "section" as const, fields },
      { type: "context" as const, elements: [{ type: "mrkdwn" as const, text: slackText(context(m)) }] },
      {
        type: "actions" as const,
        elements: [{ type: "button" as const, text: { type: "plain_text" as const, text: "Open the incident" }, url: m.incident.url }],
      },
    ],
  };
}

export function teamsPayload(m: RelayMessage) {
  return {
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        contentUrl: null,
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: "1.4",
          body: [
            { type: "TextBlock", text: m.headline, weight: "Bolder", size: "Medium", wrap: true },
            { type: "TextBlock", text: subject(m, teamsText), wrap: true },
            ...(m.detail ? [{ type: "TextBlock", text: teamsText(m.detail), wrap: true }] : []),
            { type: "FactSet", facts: m.fields.map((f) => ({ title: f.label, value: teamsText(f.value) })) },
            { type: "TextBlock", text: teamsText(context(m)), isSubtle: true, wrap: true },
          ],
          actions: [{ type: "Action.OpenUrl", title: "Open the incident", url: m.incident.url }],
        },
      },
    ],
  };
}

export function googleChatPayload(m: RelayMessage) {
  return {
    text: `${m.headline}: ${subject(m, chatText)}`,
    cardsV2: [
      {
        cardId: `firebreak-${m.incident.number}-${m.event.kind}`,
        card: {
          header: { title: m.headline, subtitle: subject(m, chatText) },
          sections: [
            {
              widgets: [
                ...(m.detail ? [{ textParagraph: { text: chatText(m.detail) } }] : []),
                ...m.fields.map((f) => ({ decoratedText: { topLabel: f.label, text: chatText(f.value), wrapText: true } })),
                { decoratedText: { topLabel: "Incident", text: chatText(context(m)), wrapText: true } },
                { buttonList: { buttons: [{ text: "Open the incident", onClick: { openLink: { url: m.incident.url } } }] } },
              ],
            },
          ],
        },
      },
    ],
  };
}

/** The generic JSON webhook: stable field names for whatever the receiver does with them. */
export function webhookPayload(m: RelayMessage) {
  return {
    source: "firebreak",
    event: m.event.kind,
    key: m.event.key,
    at: m.event.at,
    headline: m.headline,
    incident: { ...m.incident, title: webhookText(m.incident.title), severity: m.severity, status: m.status },
    ...(m.detail ? { detail: webhookText(m.detail) } : {}),
    fields: Object.fromEntries(m.fields.map((f) => [f.label.toLowerCase().replace(/\s+/g, "_"), webhookText(f.value)])),
  };
}

export function payloadFor(kind: RelayKind, m: RelayMessage): object {
  switch (kind) {
    case "slack":
      return slackPayload(m);
    case "teams":
      return teamsPayload(m);
    case "google-chat":
      return googleChatPayload(m);
    case "webhook":
      return webhookPayload(m);
  }
}
