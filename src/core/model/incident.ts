// The incident record Firebreak keeps in the issue body, and the GitHub facts it is built from.
import { z } from "zod";
import { CONFIDENCES, LAYERS, SEVERITIES, STATUSES, type Layer } from "./domain.js";

const layer = z.enum(LAYERS);
const severity = z.union(SEVERITIES.map((n) => z.literal(n)) as [z.ZodLiteral<1>, z.ZodLiteral<2>, z.ZodLiteral<3>]);
const iso = z.string().max(40);
const text = z.string().max(4000);
const loginText = z.string().max(100);

export const timelineEntrySchema = z.object({ at: iso, text, by: loginText.optional() });
export type TimelineEntry = z.infer<typeof timelineEntrySchema>;

export const interventionSchema = z.object({
  n: z.number().int().positive(),
  text,
  by: loginText,
  at: iso,
  doneAt: iso.optional(),
});
export type Intervention = z.infer<typeof interventionSchema>;

export const UPDATE_FIELDS = ["symptom", "scope", "layer", "confidence", "owner", "next"] as const;
export type UpdateField = (typeof UPDATE_FIELDS)[number];

export const updateSchema = z.object({
  at: iso,
  by: loginText,
  fields: z.partialRecord(z.enum(UPDATE_FIELDS), text),
  missing: z.array(z.enum(UPDATE_FIELDS)),
});
export type StatusUpdate = z.infer<typeof updateSchema>;

export const incidentStateSchema = z.object({
  v: z.literal(1),
  status: z.enum(STATUSES),
  severity,
  /** Where the incident stands on the way in: the form's answers, parsed once at declaration. */
  declaration: z.object({
    symptom: text.optional(),
    started: z.string().max(200).optional(),
    startedAt: iso.optional(),
    detected: z.string().max(200).optional(),
    detectedAt: iso.optional(),
    scope: z.array(z.string().max(100)).max(20),
    scopeDetail: text.optional(),
    outcomes: z.enum(["business", "reporting-only", "not-sure"]).optional(),
    whatChanged: text.optional(),
    containment: text.optional(),
    cost: z.object({ amount: z.number(), per: z.enum(["hour", "day"]), text: z.string().max(200) }).optional(),
    threshold: z.array(z.string().max(300)).max(10),
    missing: z.array(z.string().max(100)).max(20),
    isForm: z.boolean(),
  }),
  declaredAt: iso,
  layer: z.object({
    likely: layer.optional(),
    confidence: z.enum(CONFIDENCES).optional(),
    source: z.enum(["form", "suggested", "command", "label"]).optional(),
    reason: text.optional(),
    confirmed: layer.optional(),
  }),
  roles: z.object({
    detector: loginText,
    owner: loginText.optional(),
    /** Why the owner could not be made assignee (not a collaborator), when so. */
    ownerNote: text.optional(),
    responders: z.array(z.object({ login: loginText, layer: layer.optional() })).max(30),
    comms: loginText.optional(),
  }),
  containment: z.array(z.object({ at: iso, by: loginText, text })).max(50),
  check: z.object({ text, by: loginText, at: iso, assignee: loginText.optional(), due: iso.optional() }).optional(),
  interventions: z.array(interventionSchema).max(200),
  /** The most interventions that were active at once. */
  maxParallel: z.number().int().nonnegative(),
  updates: z.array(updateSchema).max(200),
  resolution: z
    .object({
      cause: text,
      evidence: text,
      layer: layer.optional(),
      fix: text.optional(),
      at: iso,
      by: loginText,
      commentId: z.number().int(),
    })
    .optional(),
  releases: z
    .array(z.object({ tag: z.string().max(200), name: z.string().max(300).optional(), url: z.string().max(500), at: iso }))
    .max(20),
  repeatOf: z
    .object({ issue: z.number().int(), postmortem: z.number().int().optional(), fix: text.optional() })
    .optional(),
  /** The postmortem, and once it closed complete the link to its process fix (for repeats). */
  postmortem: z.object({ issue: z.number().int(), complete: z.boolean(), fix: z.string().max(500).optional() }).optional(),
  /** Event times of the milestones that elapsed times are measured between. */
  times: z.object({ owner: iso.optional(), contained: iso.optional(), resolved: iso.optional(), closed: iso.optional() }),
  timeline: z.array(timelineEntrySchema).max(500),
  /** Timeline entries dropped to keep the card small: they live in the comments. */
  earlier: z.number().int().nonnegative().optional(),
  /** Ids of the comments whose commands are applied: each command comment takes effect once. */
  applied: z.array(z.number().int()).max(2000),
  /**
   * Comments with an id up to this one count as applied: GitHub's comment ids only grow, so
   * the oldest ids can leave `applied` without any command taking effect twice.
   */
  appliedThrough: z.number().int().optional(),
  /** Keys of replies already written, so a redelivered event never replies twice. */
  replied: z.array(z.string().max(80)).max(500),
  /**
   * Applied command comments whose acknowledgement (a +1) had not been seen when the card was
   * written: the card goes first, so a process that dies before reacting leaves them here for
   * the next event that reads the log.
   */
  unacked: z.array(z.number().int()).max(100).optional(),
  notified: z.array(severity).max(3),
  /**
   * Relayed outside GitHub (SPEC §16): `event>URL_ENV` keys delivered, those that failed and are
   * tried again on the next event or scheduled pass, and the destinations failing now.
   */
  relay: z
    .object({
      sent: z.array(z.string().max(200)).max(200),
      pending: z.array(z.string().max(200)).max(50),
      failing: z.array(z.object({ destination: z.string().max(120), since: iso, reason: z.string().max(300) })).max(10),
    })
    .optional(),
});

export type IncidentState = z.infer<typeof incidentStateSchema>;

/** What the core knows of an issue: parsed from webhook payloads and API answers by the GitHub layer. */
export const issueViewSchema = z.object({
  number: z.number().int(),
  title: z.string(),
  body: z.string().nullable().transform((b) => b ?? ""),
  state: z.enum(["open", "closed"]),
  state_reason: z.string().nullable().optional(),
  html_url: z.string(),
  created_at: z.string(),
  updated_at: z.string().optional(),
  closed_at: z.string().nullable().optional(),
  user: z.object({ login: z.string(), type: z.string().optional() }).nullable(),
  author_association: z.string().optional(),
  labels: z
    .array(z.union([z.string(), z.object({ name: z.string() })]))
    .transform((ls) => ls.map((l) => (typeof l === "string" ? l : l.name))),
  assignees: z
    .array(z.object({ login: z.string() }))
    .nullable()
    .optional()
    .transform((as) => (as ?? []).map((a) => a.login)),
  pull_request: z.unknown().optional(),
});
export type IssueView = z.output<typeof issueViewSchema>;

export const commentViewSchema = z.object({
  id: z.number().int(),
  body: z.string().nullable().transform((b) => b ?? ""),
  user: z.object({ login: z.string(), type: z.string().optional() }).nullable(),
  author_association: z.string().optional(),
  created_at: z.string(),
  updated_at: z.string().optional(),
  html_url: z.string().optional(),
  /** GitHub's reaction rollup: a +1 means the command was acknowledged. */
  reactions: z.object({ "+1": z.number().optional() }).loose().optional(),
});
export type CommentView = z.output<typeof commentViewSchema>;

/** The layer the resolution confirmed: set with /layer after the fact, or on /resolve. */
export function confirmedLayer(state: IncidentState): Layer | undefined {
  return state.layer.confirmed ?? state.resolution?.layer;
}

export function loginOf(user: { login: string } | null): string {
  return user?.login ?? "ghost";
}
