// Each platform's payload, as its receiver gets it over HTTP: exact Slack Block Kit, an Adaptive
// Card the `adaptivecards` SDK parses without a warning, Google Chat cardsV2, the JSON webhook;
// and in each, user text that notifies nobody and links nowhere.
import { createRequire } from "node:module";
import type * as AdaptiveCards from "adaptivecards";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { parseBody } from "../../src/core/card.js";
import { relayNews } from "../../src/relay/index.js";
import { declaredIncident } from "../support/incident-factory.js";
import { configWith, issueWith, updated } from "./fixtures.js";
import { startSink, type Sink } from "../../src/dev/relay-sink.js";

// The SDK's `lib` is extension-less ESM that Node cannot load; its UMD bundle is the same code.
const AC = createRequire(import.meta.url)("adaptivecards/dist/adaptivecards.js") as typeof AdaptiveCards;

const before = declaredIncident();
const ref = { owner: "acme", repo: "shop" };
const event = { kind: "commands" as const, at: "2026-11-24T09:45:00.000Z" };
const J = "\u2060";

let sink: Sink;
beforeEach(async () => (sink = await startSink()));
afterEach(() => sink.close());

async function relayTo(kind: "slack" | "teams" | "google-chat" | "webhook") {
  const config = configWith([{ kind, url_env: "FIREBREAK_RELAY_X", events: ["update"] }]);
  const record = await relayNews(ref, { config, issue: issueWith(updated, config), event }, before, updated, { env: { FIREBREAK_RELAY_X: sink.url }, hosted: false });
  expect(sink.bodies).toHaveLength(1);
  return { body: sink.bodies[0] as Record<string, unknown>, record };
}

// Block Kit's limits as Slack's reference states them (header 150, section text 3000, ≤ 10 fields of ≤ 2000, button text 75).
const text = (type: "plain_text" | "mrkdwn", max: number) => z.object({ type: z.literal(type), text: z.string().min(1).max(max), emoji: z.boolean().optional() }).strict();
const slackMessage = z
  .object({
    text: z.string(),
    unfurl_links: z.boolean(),
    unfurl_media: z.boolean(),
    blocks: z
      .array(
        z.union([
          z.object({ type: z.literal("header"), text: text("plain_text", 150) }).strict(),
          z.object({ type: z.literal("section"), text: text("mrkdwn", 3000) }).strict(),
          z.object({ type: z.literal("section"), fields: z.array(text("mrkdwn", 2000)).min(1).max(10) }).strict(),
          z.object({ type: z.literal("context"), elements: z.array(text("mrkdwn", 3000)).min(1).max(10) }).strict(),
          z.object({ type: z.literal("actions"), elements: z.array(z.object({ type: z.literal("button"), text: text("plain_text", 75), url: z.string().url().max(3000) }).strict()).max(25) }).strict(),
        ]),
      )
      .max(50),
  })
  .strict();

// Google Chat's card reference: header.title required, sections of widgets, decoratedText.text required, buttons open links.
const chatMessage = z
  .object({
    text: z.string(),
    cardsV2: z.array(
      z
        .object({
          cardId: z.string().min(1),
          card: z
            .object({
              header: z.object({ title: z.string().min(1), subtitle: z.string() }).strict(),
              sections: z.array(
                z.object({
                  widgets: z
                    .array(
                      z.union([
                        z.object({ textParagraph: z.object({ text: z.string() }).strict() }).strict(),
                        z.object({ decoratedText: z.object({ topLabel: z.string(), text: z.string().min(1), wrapText: z.boolean() }).strict() }).strict(),
                        z.object({ buttonList: z.object({ buttons: z.array(z.object({ text: z.string(), onClick: z.object({ openLink: z.object({ url: z.string().url() }).strict() }).strict() }).strict()) }).strict() }).strict(),
                      ]),
                    )
                    .max(100),
                }),
              ),
            })
            .strict(),
        })
        .strict(),
    ),
  })
  .strict();

describe("Slack", () => {
  it("posts Block Kit with the update's evidence fields and the issue link, mentions and links disarmed", async () => {
    const { body, record } = await relayTo("slack");
    expect(slackMessage.safeParse(body).success).toBe(true);
    expect(body).toEqual({
      text: `SEV2 incident update: #7 Meta purchases @${J}here down`,
      unfurl_links: false,
      unfurl_media: false,
      blocks: [
        { type: "header", text: { type: "plain_text", text: "SEV2 incident update", emoji: true } },
        { type: "section", text: { type: "mrkdwn", text: `*<https://github.com/acme/shop/issues/7|#7 Meta purchases @${J}here down>*` } },
        {
          type: "section",
          fields: [
            {
              type: "mrkdwn",
              text: `*Symptom*\nOrders down &lt;!channel&gt; @${J}here &lt;@${J}U024BE7LH&gt; &lt;users/all&gt; &lt;at&gt;Ops&lt;/at&gt; [click](https${J}://evil.example/x) see https${J}://evil.example &amp; &lt;b&gt;bold&lt;/b&gt;`,
            },
            { type: "mrkdwn", text: "*Scope*\nMeta, Google" },
            { type: "mrkdwn", text: "*Layer*\nmeasurement" },
            { type: "mrkdwn", text: "*Confidence*\nmedium" },
            { type: "mrkdwn", text: "*Owner*\nolga-owner" },
            { type: "mrkdwn", text: "*Next check*\ncheck the pixel on /checkout" },
          ],
        },
        { type: "context", elements: [{ type: "mrkdwn", text: "SEV2 (major) · investigating · acme/shop" }] },
        { type: "actions", elements: [{ type: "button", text: { type: "plain_text", text: "Open the incident" }, url: "https://github.com/acme/shop/issues/7" }] },
      ],
    });
    // The only `<…>` left is Firebreak's own link to the issue.
    expect(JSON.stringify(body).match(/<[^>]*>/g)).toEqual(["<https://github.com/acme/shop/issues/7|#7 Meta purchases @\\u2060here down>"].map((s) => JSON.parse(`"${s}"`) as string));
    expect(parseBody(record?.body).state?.relay).toEqual({ sent: ["update@20261124T094500Z>FIREBREAK_RELAY_X"], pending: [], failing: [] });
  });
});

describe("Microsoft Teams", () => {
  it("posts an Adaptive Card in the workflow webhook's message envelope that the SDK parses cleanly", async () => {
    const { body } = await relayTo("teams");
    expect(body).toMatchObject({ type: "message", attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", contentUrl: null }] });
    const content = (body.attachments as { content: Record<string, unknown> }[])[0]!.content;
    const card = new AC.AdaptiveCard();
    const context = new AC.SerializationContext();
    card.parse(content, context);
    expect(context.eventCount).toBe(0);
    expect(card.validateProperties().validationEvents).toEqual([]);
    // Nothing was dropped or defaulted away: the SDK writes back what Firebreak sent.
    expect(card.toJSON()).toEqual(content);
    const facts = (content.body as { type: string; facts?: { title: string; value: string }[] }[]).find((b) => b.type === "FactSet")!.facts!;
    expect(facts.map((f) => f.title)).toEqual(["Symptom", "Scope", "Layer", "Confidence", "Owner", "Next check"]);
    expect(facts[0]!.value).toBe(
      `Orders down <!channel> @${J}here <@${J}U024BE7LH> <users/all> <at>Ops</at> \\[click\\](https${J}://evil.example/x) see https${J}://evil.example & <b>bold</b>`,
    );
    expect(content.actions).toEqual([{ type: "Action.OpenUrl", title: "Open the incident", url: "https://github.com/acme/shop/issues/7" }]);
  });
});

describe("Google Chat", () => {
  it("posts a cardsV2 card whose HTML text is escaped", async () => {
    const { body } = await relayTo("google-chat");
    expect(chatMessage.safeParse(body).success).toBe(true);
    const widgets = (body as z.infer<typeof chatMessage>).cardsV2[0]!.card.sections[0]!.widgets;
    expect(widgets[0]).toEqual({
      decoratedText: {
        topLabel: "Symptom",
        text: `Orders down &lt;!channel&gt; @${J}here &lt;@${J}U024BE7LH&gt; &lt;users/all&gt; &lt;at&gt;Ops&lt;/at&gt; [click](https${J}://evil.example/x) see https${J}://evil.example &amp; &lt;b&gt;bold&lt;/b&gt;`,
        wrapText: true,
      },
    });
    expect(widgets.at(-1)).toEqual({ buttonList: { buttons: [{ text: "Open the incident", onClick: { openLink: { url: "https://github.com/acme/shop/issues/7" } } }] } });
    expect((body as z.infer<typeof chatMessage>).cardsV2[0]!.card.header).toEqual({ title: "SEV2 incident update", subtitle: `#7 Meta purchases @${J}here down` });
  });
});

describe("JSON webhook", () => {
  it("posts stable fields with the event key", async () => {
    const { body } = await relayTo("webhook");
    expect(body).toEqual({
      source: "firebreak",
      event: "update",
      key: "update@20261124T094500Z",
      at: "2026-11-24T09:45:00.000Z",
      headline: "SEV2 incident update",
      incident: { number: 7, title: `Meta purchases @${J}here down`, url: "https://github.com/acme/shop/issues/7", repository: "acme/shop", severity: 2, status: "investigating" },
      fields: {
        symptom: `Orders down <!channel> @${J}here <@${J}U024BE7LH> <users/all> <at>Ops</at> [click](https://evil.example/x) see https://evil.example & <b>bold</b>`,
        scope: "Meta, Google",
        layer: "measurement",
        confidence: "medium",
        owner: "olga-owner",
        next_check: "check the pixel on /checkout",
      },
    });
  });
});
