// Records and issues for relay tests: built from the shared incident factory.
import { DEFAULT_CONFIG, type FirebreakConfig } from "../../src/core/config.js";
import { renderBody } from "../../src/core/card.js";
import type { IncidentState, IssueView } from "../../src/core/model/incident.js";
import type { RelayDestination } from "../../src/core/relay/config.js";
import { declaredIncident } from "../support/incident-factory.js";

/** User text that would notify people or link somewhere if relayed as written. */
export const HOSTILE = "Orders down <!channel> @here <@U024BE7LH> <users/all> <at>Ops</at> [click](https://evil.example/x) see https://evil.example & <b>bold</b>\u202E";

export const updated: IncidentState = declaredIncident({
  status: "investigating",
  roles: { owner: "olga-owner" },
  times: { owner: "2026-11-24T09:15:00.000Z" },
  check: { text: "compare Meta Events Manager with store orders", by: "olga-owner", at: "2026-11-24T09:40:00.000Z" },
  updates: [
    {
      at: "2026-11-24T09:45:00.000Z",
      by: "olga-owner",
      fields: { symptom: HOSTILE, scope: "Meta, Google", layer: "measurement", confidence: "medium", owner: "olga-owner", next: "check the pixel on /checkout" },
      missing: [],
    },
  ],
});

export function configWith(relay: Partial<RelayDestination>[]): FirebreakConfig {
  return { ...DEFAULT_CONFIG, relay: relay.map((d) => ({ kind: "slack", url_env: "FIREBREAK_RELAY_SLACK", events: ["declared", "update", "severity", "contained", "resolved", "closed", "postmortem-complete", "nudge"], severities: [1, 2, 3], ...d })) };
}

/** Issue #7 as the plan left it: its body holds `state`'s card. */
export function issueWith(state: IncidentState, config: FirebreakConfig = DEFAULT_CONFIG): IssueView {
  const url = "https://github.com/acme/shop/issues/7";
  return {
    number: 7,
    title: "Meta purchases @here down",
    body: renderBody(state, "### What changed\n\nthe form", { config, now: "2026-11-24T09:45:00.000Z", issueUrl: url }) ?? "",
    state: "open",
    html_url: url,
    created_at: "2026-11-24T09:00:00Z",
    user: { login: "dana-detects" },
    labels: ["incident"],
    assignees: [],
  };
}
