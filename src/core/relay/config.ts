// The `relay:` key (SPEC §16): where incident news goes outside GitHub. A destination names the
// environment variable that holds its webhook URL, never the URL: config files may be public.
import { z } from "zod";

export const RELAY_KINDS = ["slack", "teams", "google-chat", "webhook"] as const;
export type RelayKind = (typeof RELAY_KINDS)[number];

export const RELAY_EVENTS = ["declared", "update", "severity", "contained", "resolved", "closed", "postmortem-complete", "nudge"] as const;
export type RelayEventKind = (typeof RELAY_EVENTS)[number];

/** The prefix the hosted App allows: its environment holds its own secrets too (SPEC §13). */
export const HOSTED_RELAY_ENV_PREFIX = "FIREBREAK_RELAY_";

export const relayDestinationSchema = z.object({
  kind: z.enum(RELAY_KINDS).describe("the platform: slack (incoming webhook), teams (workflow webhook), google-chat or webhook (JSON)"),
  url_env: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]{0,99}$/, "an environment variable name such as FIREBREAK_RELAY_SLACK")
    .describe("the environment variable (an Action secret) holding the webhook URL; `FIREBREAK_RELAY_…` in the hosted App"),
  events: z
    .array(z.enum(RELAY_EVENTS))
    .default([...RELAY_EVENTS])
    .describe("which events are relayed"),
  severities: z
    .array(z.union([z.literal(1), z.literal(2), z.literal(3)]))
    .default([1, 2, 3])
    .describe("incidents of which severities are relayed"),
});
export type RelayDestination = z.output<typeof relayDestinationSchema>;

export const relaySchema = z.array(relayDestinationSchema).max(10);

/** How a destination is named on the card and in logs: its kind and variable, never its URL. */
export function destinationName(d: Pick<RelayDestination, "kind" | "url_env">): string {
  return `${d.kind} (${d.url_env})`;
}
