// Incident records for tests: realistic defaults, validated against the schema the card
// stores, so a test never builds a record Firebreak itself could not have written.
import type { IncidentState } from "../../src/core/model/incident.js";
import { incidentStateSchema } from "../../src/core/model/incident.js";

export type IncidentPatch = Partial<Omit<IncidentState, "declaration" | "layer" | "roles" | "times">> & {
  declaration?: Partial<IncidentState["declaration"]>;
  layer?: Partial<IncidentState["layer"]>;
  roles?: Partial<IncidentState["roles"]>;
  times?: Partial<IncidentState["times"]>;
};

/** A freshly declared SEV2 incident: the form's answers and nothing else yet. */
export function declaredIncident(patch: IncidentPatch = {}): IncidentState {
  const base: IncidentState = {
    v: 1,
    status: "triage",
    severity: 2,
    declaration: {
      symptom: "Meta-reported purchases down 60% since 06:00 CET while store orders are flat",
      started: "2026-11-24 06:00 CET",
      startedAt: "2026-11-24T05:00:00.000Z",
      scope: ["Meta", "Google"],
      outcomes: "reporting-only",
      threshold: ["Waiting costs materially more"],
      missing: [],
      isForm: true,
    },
    declaredAt: "2026-11-24T09:00:00.000Z",
    layer: { likely: "measurement", confidence: "high", source: "form" },
    roles: { detector: "dana-detects", responders: [] },
    containment: [],
    interventions: [],
    maxParallel: 2,
    updates: [],
    releases: [],
    times: {},
    timeline: [{ at: "2026-11-24T09:00:00.000Z", text: "Declared SEV2", by: "dana-detects" }],
    applied: [],
    replied: [],
    notified: [],
  };
  return build(base, patch);
}

/** The incident after a full response: owner, responders, interventions, updates, resolved and closed. */
export function closedIncident(patch: IncidentPatch = {}): IncidentState {
  const base: IncidentState = {
    ...declaredIncident(),
    status: "closed",
    declaration: {
      ...declaredIncident().declaration,
      detected: "2026-11-24 09:40 CET",
      detectedAt: "2026-11-24T08:40:00.000Z",
      scopeDetail: "mobile checkout, DE and AT",
      whatChanged: "Theme release v4.2 at 05:50 CET",
      cost: { amount: 400, per: "hour", text: "€400/hour" },
    },
    layer: { likely: "measurement", confidence: "high", source: "form", confirmed: "conversion" },
    roles: {
      detector: "dana-detects",
      owner: "olga-owner",
      responders: [{ login: "rui-tracking", layer: "measurement" }, { login: "sam-shop" }],
      comms: "cleo-comms",
    },
    containment: [{ at: "2026-11-24T10:10:00.000Z", by: "olga-owner", text: "Paused Meta prospecting" }],
    interventions: [
      { n: 1, text: "Pause Meta prospecting", by: "olga-owner", at: "2026-11-24T09:30:00.000Z", doneAt: "2026-11-24T12:00:00.000Z" },
      { n: 2, text: "Roll back theme to v4.1", by: "sam-shop", at: "2026-11-24T10:00:00.000Z", doneAt: "2026-11-24T11:00:00.000Z" },
      { n: 3, text: "Switch GA4 tag to server-side", by: "rui-tracking", at: "2026-11-24T10:30:00.000Z" },
    ],
    updates: [
      {
        at: "2026-11-24T09:45:00.000Z",
        by: "olga-owner",
        fields: { symptom: "purchases under-reported", scope: "Meta, Google", owner: "olga-owner", confidence: "medium" },
        missing: ["layer", "next"],
      },
      {
        at: "2026-11-24T11:30:00.000Z",
        by: "olga-owner",
        fields: {
          symptom: "checkout button broken on iOS",
          scope: "Meta, Google",
          layer: "conversion",
          confidence: "high",
          owner: "olga-owner",
          next: "verify orders recover",
        },
        missing: [],
      },
    ],
    resolution: {
      cause: "Theme v4.2 broke the checkout button on iOS Safari",
      evidence: "Rollback restored the checkout rate within 20 minutes",
      layer: "conversion",
      fix: "Rolled back to v4.1",
      at: "2026-11-24T14:02:00.000Z",
      by: "olga-owner",
      commentId: 9001,
    },
    times: {
      owner: "2026-11-24T09:15:00.000Z",
      contained: "2026-11-24T10:10:00.000Z",
      resolved: "2026-11-24T14:02:00.000Z",
      closed: "2026-11-25T09:00:00.000Z",
    },
    timeline: [
      { at: "2026-11-24T09:00:00.000Z", text: "Declared SEV2", by: "dana-detects" },
      { at: "2026-11-24T09:15:00.000Z", text: "Owner set", by: "olga-owner" },
      { at: "2026-11-24T09:30:00.000Z", text: "Intervention #1: Pause Meta prospecting", by: "olga-owner" },
      { at: "2026-11-24T10:00:00.000Z", text: "Intervention #2: Roll back theme to v4.1", by: "sam-shop" },
      { at: "2026-11-24T10:10:00.000Z", text: "Contained: Paused Meta prospecting", by: "olga-owner" },
      { at: "2026-11-24T10:30:00.000Z", text: "Intervention #3: Switch GA4 tag to server-side", by: "rui-tracking" },
      { at: "2026-11-24T14:02:00.000Z", text: "Resolved: theme v4.2 broke checkout on iOS", by: "olga-owner" },
      { at: "2026-11-25T09:00:00.000Z", text: "Closed", by: "olga-owner" },
    ],
    applied: [9001],
  };
  return build(base, patch);
}

function build(base: IncidentState, patch: IncidentPatch): IncidentState {
  return incidentStateSchema.parse({
    ...base,
    ...patch,
    declaration: { ...base.declaration, ...patch.declaration },
    layer: { ...base.layer, ...patch.layer },
    roles: { ...base.roles, ...patch.roles },
    times: { ...base.times, ...patch.times },
  });
}
