// The relay step after a plan is applied (SPEC §16): the events the record changes made, sent to
// each destination that wants them and has not had them, then recorded. Sends come after the
// GitHub writes and can never fail them: every error ends here as a line in the log and a warning
// on the card. A duplicate is possible only when GitHub refuses the record write after a send.
import { parseBody } from "../core/card.js";
import { issueUpdate } from "../core/decide/issue-update.js";
import type { EngineInput } from "../core/decide/types.js";
import type { IncidentState } from "../core/model/incident.js";
import type { IssueUpdate } from "../core/model/plan.js";
import { destinationName } from "../core/relay/config.js";
import type { RelayEvent } from "../core/relay/events.js";
import { deliveryKey, dueDeliveries, relayEvents } from "../core/relay/events.js";
import { relayMessage } from "../core/relay/message.js";
import { payloadFor } from "../core/relay/platforms.js";
import type { RelayOutcome } from "../core/relay/record.js";
import { withRelayOutcome } from "../core/relay/record.js";
import type { RepoRef } from "../github/client.js";
import type { RelayDeps } from "./send.js";
import { destinationUrl, send } from "./send.js";

type RelayInput = Pick<EngineInput, "config" | "issue" | "event" | "recordTrusted">;

/** Why a send failed, without the URL (a Slack or Teams webhook URL is a secret). */
export function failureReason(error: unknown, url: string | undefined): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) parts.push(e.message);
  const text = parts.join(": ") || String(error);
  return (url ? text.split(url).join("<url>") : text).replace(/https?:\/\/\S+/g, "<url>").slice(0, 300);
}

/**
 * Sends what the event made news and returns the issue update that records it (undefined when
 * there is nothing to record). `issue` is the issue as written by the plan; `before` its record
 * before this event (undefined when it had none that Firebreak wrote); `extra`, news the record
 * does not show (a reminder the nudge job sent).
 */
export async function relayNews(
  ref: RepoRef,
  input: RelayInput,
  before: IncidentState | undefined,
  after: IncidentState | undefined,
  deps: RelayDeps,
  log?: (line: string) => void,
  extra: readonly RelayEvent[] = [],
): Promise<IssueUpdate | undefined> {
  const destinations = input.config.relay;
  if (!after || destinations.length === 0) return undefined;
  const incident = { number: input.issue.number, title: input.issue.title, url: input.issue.html_url, repository: `${ref.owner}/${ref.repo}` };
  const outcome: RelayOutcome = { sent: [], failed: [], reached: [] };
  for (const { event, destination: d } of dueDeliveries([...relayEvents(before, after, input.event.at), ...extra], after, destinations)) {
    const name = destinationName(d);
    let url: string | undefined;
    try {
      url = destinationUrl(d, deps);
      await send(d, url, payloadFor(d.kind, relayMessage(event, after, incident, input.config)), deps);
      outcome.sent.push(deliveryKey(event, d));
      if (!outcome.reached.includes(name)) outcome.reached.push(name);
    } catch (error) {
      const reason = failureReason(error, url);
      log?.(`#${incident.number}: relay of ${event.key} to ${name} failed: ${reason}`);
      outcome.failed.push({ key: deliveryKey(event, d), destination: name, reason });
    }
  }
  const reached = outcome.reached.filter((name) => !outcome.failed.some((f) => f.destination === name));
  const recorded = withRelayOutcome(after, { ...outcome, reached }, input.event.at);
  if (recorded === after) return undefined;
  const update = issueUpdate(input, after, recorded, parseBody(input.issue.body).userText);
  return update?.body ? { body: update.body } : undefined;
}

/** The record before an event, as far as Firebreak wrote it: only news since then is relayed. */
export function recordBefore(input: Pick<RelayInput, "issue" | "recordTrusted">): IncidentState | undefined {
  return input.recordTrusted === false ? undefined : parseBody(input.issue.body).state;
}
