// The vocabulary every part of Firebreak shares: layers, severities, statuses.

export const LAYERS = ["economics", "measurement", "conversion", "delivery", "operations"] as const;
export type Layer = (typeof LAYERS)[number];

/** How people say a layer (issue form, commands): "business operations" means operations. */
export const LAYER_ALIASES: Record<string, Layer> = {
  economics: "economics",
  measurement: "measurement",
  tracking: "measurement",
  conversion: "conversion",
  delivery: "delivery",
  operations: "operations",
  ops: "operations",
  "business operations": "operations",
  "business-operations": "operations",
};

export function toLayer(text: string | undefined): Layer | undefined {
  if (!text) return undefined;
  return LAYER_ALIASES[text.trim().toLowerCase().replace(/\s+/g, " ")];
}

export const SEVERITIES = [1, 2, 3] as const;
export type Severity = (typeof SEVERITIES)[number];

export const CONFIDENCES = ["low", "medium", "high"] as const;
export type Confidence = (typeof CONFIDENCES)[number];

export const STATUSES = [
  "triage",
  "investigating",
  "contained",
  "resolved",
  "closed",
  "postmortem-complete",
  "dismissed",
  "routine-variance",
] as const;
export type Status = (typeof STATUSES)[number];

/** Channels of the form's `scope` dropdown. */
export const CHANNELS = ["Meta", "Google", "TikTok", "Email/SMS", "Organic", "Affiliates", "Whole site", "Other"] as const;
