// Tracking QA's configuration (SPEC §8): the tags it knows, the expectations a step names
// (`tag` or `tag:event`) and the zod schema of the `tracking_qa` key.
import { RE2JS } from "re2js";
import { z } from "zod";
import { SEVERITIES } from "../model/domain.js";
import { parseDuration } from "../time.js";

// Tags and expectations

export const BUILTIN_TAGS = ["meta_pixel", "ga4", "gtm", "tiktok", "consent", "consent_denied"] as const;
export type BuiltinTag = (typeof BUILTIN_TAGS)[number];

/** Tags that show up as network requests in the browser stage. */
export const HIT_TAGS = ["meta_pixel", "ga4", "gtm", "tiktok"] as const;
export type HitTag = (typeof HIT_TAGS)[number];

/** Tags whose events are network hits, so `tag:event` can be checked. */
export const EVENT_TAGS = ["meta_pixel", "ga4", "tiktok"] as const;
export type EventTag = (typeof EVENT_TAGS)[number];

export const TAG_LABELS: Record<BuiltinTag, string> = {
  meta_pixel: "Meta Pixel",
  ga4: "GA4",
  gtm: "Google Tag Manager",
  tiktok: "TikTok Pixel",
  consent: "Consent-mode default",
  consent_denied: "No marketing beacon before consent",
};

export interface Expectation {
  /** As written in the config, e.g. `meta_pixel:InitiateCheckout`. */
  raw: string;
  tag: string;
  event?: string;
  custom: boolean;
}

export function isBuiltinTag(name: string): name is BuiltinTag {
  return (BUILTIN_TAGS as readonly string[]).includes(name);
}
export function isHitTag(name: string): name is HitTag {
  return (HIT_TAGS as readonly string[]).includes(name);
}
function isEventTag(name: string): name is EventTag {
  return (EVENT_TAGS as readonly string[]).includes(name);
}

export type ExpectationParse = { ok: true; expectation: Expectation } | { ok: false; message: string };

/** `tag` or `tag:event`; tag is built in or a name under `custom`. */
export function parseExpectation(raw: string, customNames: readonly string[]): ExpectationParse {
  const text = raw.trim();
  const colon = text.indexOf(":");
  const tag = (colon === -1 ? text : text.slice(0, colon)).trim();
  const event = colon === -1 ? undefined : text.slice(colon + 1).trim();
  const known = [...BUILTIN_TAGS, ...customNames].join(", ");
  if (tag === "") return { ok: false, message: `"${raw}" names no tag; use one of: ${known}` };
  const custom = !isBuiltinTag(tag);
  if (custom && !customNames.includes(tag)) {
    return { ok: false, message: `unknown tag "${tag}" in "${raw}"; use one of: ${known} (or add it under tracking_qa.custom)` };
  }
  if (event === undefined) return { ok: true, expectation: { raw: text, tag, custom } };
  if (event === "" || /\s/.test(event)) {
    return { ok: false, message: `"${raw}" needs an event name after the colon, e.g. ${tag}:Purchase` };
  }
  if (!isEventTag(tag)) {
    return {
      ok: false,
      message: `"${raw}": ${tag} has no network events of its own; events can be expected for ${EVENT_TAGS.join(", ")}`,
    };
  }
  return { ok: true, expectation: { raw: text, tag, event, custom } };
}

// ---------------------------------------------------------------------------------------
// Config: the `tracking_qa` key

/** Ids arrive from YAML as numbers when unquoted; big ones lose digits, so say so. */
function tagId(pattern: RegExp, shape: string) {
  return z
    .preprocess(
      (value, ctx) => {
        if (typeof value !== "number") return value;
        if (Number.isSafeInteger(value)) return String(value);
        ctx.addIssue({ code: "custom", message: "this id is too long for a YAML number: quote it" });
        return value;
      },
      z.string().trim().regex(pattern, { error: `expected ${shape}` }),
    )
    .transform((id) => id.toUpperCase());
}

const REGEX_LITERAL = /^\/(.+)\/([a-z]*)$/s;

/** Evidence quoted from a page is the matched text only, and at most this long (SPEC §13). */
export const MAX_CUSTOM_EVIDENCE = 120;

function capEvidence(text: string): string {
  return text.length <= MAX_CUSTOM_EVIDENCE ? text : `${text.slice(0, MAX_CUSTOM_EVIDENCE - 1)}…`;
}

/**
 * A custom matcher: plain text (case-sensitive substring) or `/regex/flags`. A regex comes from
 * a repository's config and runs on pages anyone can serve, so it runs on RE2 (linear time,
 * no backreferences or lookaround): `/(a+)+b/` costs the same as `/ab/` (SPEC §13).
 */
export function customMatcher(spec: string): { test(text: string): string | undefined } {
  const literal = REGEX_LITERAL.exec(spec);
  if (literal) {
    const flagText = literal[2] ?? "";
    if (/[^gimsuyd]/.test(flagText)) throw new Error("unknown regex flag");
    // g and y make a JS RegExp stateful; a presence check needs neither, RE2 has neither.
    const flags = (flagText.includes("i") ? RE2JS.CASE_INSENSITIVE : 0) | (flagText.includes("m") ? RE2JS.MULTILINE : 0) | (flagText.includes("s") ? RE2JS.DOTALL : 0);
    const re = RE2JS.compile(RE2JS.translateRegExp(literal[1] ?? ""), flags);
    return {
      test: (text) => {
        const m = re.matcher(text);
        return m.find() ? capEvidence(m.group(0) ?? "") : undefined;
      },
    };
  }
  return { test: (text) => (text.includes(spec) ? capEvidence(spec) : undefined) };
}

const customSpec = z
  .string()
  .min(1)
  .refine(
    (spec) => {
      try {
        customMatcher(spec);
        return true;
      } catch {
        return false;
      }
    },
    { error: "not a valid /regex/flags" },
  );

const selector = z.string().trim().min(1, { error: "a selector is needed, e.g. #add-to-cart" });

/** What a journey does on the page, in order (SPEC §17): each action is one key. */
const actionSchema = z.union(
  [
    z.strictObject({ click: selector }),
    z.strictObject({
      fill: z.record(selector, z.string()).refine((fields) => Object.keys(fields).length > 0, { error: "fill needs {selector: text}" }),
    }),
    z.strictObject({ goto: z.string().trim().min(1, { error: "goto needs a path, e.g. /checkout" }) }),
    z.strictObject({ wait_for: selector }),
  ],
  { error: "an action is one of click: selector, fill: {selector: text}, goto: path, wait_for: selector" },
);
export type JourneyAction = z.output<typeof actionSchema>;

const stepSchema = z.object({
  path: z.string().trim().min(1, { error: "a step needs a path, e.g. /checkout" }),
  expect: z.array(z.string()).default([]),
  actions: z.array(actionSchema).max(20).optional(),
});

/** Every path a step visits: its own and its journey's `goto`s (the address guard checks them all). */
export function stepPaths(step: TrackingQaStep): string[] {
  return [step.path, ...(step.actions ?? []).flatMap((a) => ("goto" in a ? [a.goto] : []))];
}

export const trackingQaSchema = z
  .object({
    base_url: z
      .url({ protocol: /^https?$/, error: "base_url must be an http(s) URL" })
      .optional()
      .describe("Site the steps' paths are resolved against; tracking QA is off without it."),
    ids: z
      .object({
        meta_pixel: tagId(/^\d+$/, "a Meta Pixel id (digits)").optional(),
        ga4: tagId(/^G-[A-Z0-9]+$/i, "a GA4 measurement id like G-ABC123").optional(),
        gtm: tagId(/^GTM-[A-Z0-9]+$/i, "a GTM container id like GTM-XYZ9").optional(),
        tiktok: tagId(/^[A-Z0-9]+$/i, "a TikTok pixel code like C4TIKTOK").optional(),
      })
      .default({})
      .describe("The ids each tag must carry: meta_pixel, ga4 (G-…), gtm (GTM-…), tiktok."),
    custom: z
      .record(
        z.string().regex(/^[a-z][a-z0-9_-]*$/i, { error: "custom tag names are letters, digits, _ and -" }),
        customSpec,
      )
      .default({})
      .describe("Extra tags by name: text to find in the page, or /regex/flags."),
    steps: z
      .array(stepSchema)
      .default([])
      .describe("Pages to check: path, expect (tag, or tag:event for the browser stage) and actions (click, fill, goto, wait_for: a journey, browser stage)."),
    browser: z.boolean().default(false).describe("Also load each step in headless Chromium and record the tags' network hits."),
    timeout_ms: z.number().int().min(500).max(120_000).default(10_000).describe("Per page and stage."),
    concurrency: z.number().int().min(1).max(8).default(4).describe("Pages fetched at once (the browser stage caps at 4)."),
    severity: z
      .literal(SEVERITIES, { error: "severity must be 1, 2 or 3" })
      .default(2)
      .describe("Severity of the incident a failed run opens."),
    monitor_every: z
      .string()
      .trim()
      .regex(/^\d+[mhd]$/, "a duration such as 30m, 1h or 1d")
      .refine((every) => (parseDuration(every) ?? 0) >= 15 * 60_000, { error: "monitor at most every 15 minutes" })
      .optional()
      .describe("Also check production from the scheduled pass this often (e.g. 1h); a failure opens or updates the one open monitoring incident. Off when unset."),
    production_environments: z
      .array(z.string().trim().min(1))
      .default(["production"])
      .describe(
        "Deployment environments that are production. A successful deployment elsewhere (and not marked production by GitHub) runs the pre-merge gate: a check run, no incident.",
      ),
    meta_event_id: z
      .boolean()
      .default(false)
      .describe("Require Meta browser events to carry an event id (eid), for deduplication with the Conversions API (browser stage)."),
    // A deployment can report success before the CDN serves the new pages.
    delay_seconds: z
      .number()
      .int()
      .min(0)
      // The run waits inside the workflow job (10-minute timeout in the shipped workflow).
      .max(480)
      .default(0)
      .describe("Wait after a successful deployment_status before checking (at most 8 minutes)."),
  })
  .superRefine((qa, ctx) => {
    const customNames = Object.keys(qa.custom);
    for (const name of customNames) {
      if (isBuiltinTag(name)) {
        ctx.addIssue({ code: "custom", path: ["custom", name], message: `"${name}" is a built-in tag; pick another name` });
      }
    }
    qa.steps.forEach((step, i) => {
      step.expect.forEach((raw, j) => {
        const parsed = parseExpectation(raw, customNames);
        if (!parsed.ok) ctx.addIssue({ code: "custom", path: ["steps", i, "expect", j], message: parsed.message });
      });
      if (qa.base_url === undefined) return;
      const base = qa.base_url;
      if (!URL.canParse(step.path, base)) {
        ctx.addIssue({ code: "custom", path: ["steps", i, "path"], message: `cannot resolve "${step.path}" against base_url` });
      }
      (step.actions ?? []).forEach((action, j) => {
        if ("goto" in action && !URL.canParse(action.goto, base)) {
          ctx.addIssue({ code: "custom", path: ["steps", i, "actions", j, "goto"], message: `cannot resolve "${action.goto}" against base_url` });
        }
      });
    });
  });

export type TrackingQaConfig = z.output<typeof trackingQaSchema>;
export type TrackingQaStep = TrackingQaConfig["steps"][number];

/** The step's expectations, skipping ones the schema would have refused. */
export function stepExpectations(step: TrackingQaStep, config: TrackingQaConfig): Expectation[] {
  const customNames = Object.keys(config.custom);
  const out: Expectation[] = [];
  for (const raw of step.expect) {
    const parsed = parseExpectation(raw, customNames);
    if (parsed.ok) out.push(parsed.expectation);
  }
  return out;
}

export function configuredId(tag: string, config: TrackingQaConfig): string | undefined {
  return isHitTag(tag) ? config.ids[tag] : undefined;
}

/**
 * A deployment is production when GitHub marks it so or its environment is listed in
 * `tracking_qa.production_environments` (SPEC §17); any other one is a preview for the gate.
 */
export function isProductionDeployment(deployment: { environment: string; production_environment?: boolean }, config: TrackingQaConfig): boolean {
  return deployment.production_environment === true || config.production_environments.includes(deployment.environment);
}
