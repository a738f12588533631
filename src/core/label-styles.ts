// Colours and descriptions of Firebreak's labels, for `firebreak labels` and first use.
import type { FirebreakConfig } from "./config.js";

export interface LabelStyle {
  name: string;
  color: string;
  description: string;
}

export function labelStyles(config: FirebreakConfig): LabelStyle[] {
  const l = config.labels;
  return [
    { name: l.incident, color: "b60205", description: "Marketing incident managed by Firebreak" },
    { name: l.postmortem, color: "5319e7", description: "Postmortem of a marketing incident" },
    { name: l.routine_variance, color: "c5def5", description: "Looked at: routine variance, not an incident" },
    { name: l.repeat, color: "d93f0b", description: "Same layer and channel as a recent incident" },
    { name: l.config_error, color: "fbca04", description: "Firebreak configuration problem" },
    { name: l.severity[1], color: "b60205", description: "SEV1 — critical" },
    { name: l.severity[2], color: "d93f0b", description: "SEV2 — major" },
    { name: l.severity[3], color: "fbca04", description: "SEV3 — minor" },
    { name: l.layer.economics, color: "0e8a16", description: "Layer: unit economics (CPA, ROAS, margin)" },
    { name: l.layer.measurement, color: "1d76db", description: "Layer: measurement and tracking" },
    { name: l.layer.conversion, color: "5319e7", description: "Layer: site conversion" },
    { name: l.layer.delivery, color: "006b75", description: "Layer: ad delivery and spend" },
    { name: l.layer.operations, color: "795548", description: "Layer: business operations (stock, pricing, promotions)" },
    { name: l.status.triage, color: "ededed", description: "Incident status: triage" },
    { name: l.status.investigating, color: "ededed", description: "Incident status: investigating" },
    { name: l.status.contained, color: "ededed", description: "Incident status: contained" },
    { name: l.status.resolved, color: "ededed", description: "Incident status: resolved" },
    { name: l.status.closed, color: "ededed", description: "Incident status: closed" },
  ];
}
