// The schema of .github/firebreak.yml: the single source of its keys, their defaults,
// the shipped JSON Schema and the README's configuration reference.
import { z } from "zod";
import { LineCounter, parse as parseYaml, YAMLError } from "yaml";
import { trackingQaSchema } from "./tracking-qa/config.js";
import { relaySchema } from "./relay/config.js";
import { detectionSchema } from "./detection/config.js";

const labelName = z.string().trim().min(1).max(50);
const login = z
  .string()
  .trim()
  .regex(/^@?[A-Za-z0-9][A-Za-z0-9-]*(\[bot\])?(\/[A-Za-z0-9._-]+)?$/, "a GitHub login or org/team")
  .transform((s) => s.replace(/^@/, ""));

const severityLevel = z.object({
  name: z.string().describe("what the severity is called on the card"),
  update_every: z
    .string()
    .regex(/^\d+[mhd]$/, "a duration such as 60m, 4h or 1d")
    .describe("how often the incident needs an update"),
  owner_within: z
    .string()
    .regex(/^\d+[mhd]$/, "a duration such as 15m, 1h or 1d")
    .describe("how soon after declaration the incident needs an owner; then the notify list (else the detector) is reminded"),
});

export const configSchema = z.object({
  labels: z
    .object({
      incident: labelName.default("incident"),
      postmortem: labelName.default("postmortem"),
      routine_variance: labelName.default("routine-variance"),
      repeat: labelName.default("repeat"),
      config_error: labelName.default("firebreak-config"),
      dashboard: labelName.default("firebreak-dashboard"),
      severity: z
        .object({ 1: labelName.default("sev:1"), 2: labelName.default("sev:2"), 3: labelName.default("sev:3") })
        .prefault({}),
      layer: z
        .object({
          economics: labelName.default("layer:economics"),
          measurement: labelName.default("layer:measurement"),
          conversion: labelName.default("layer:conversion"),
          delivery: labelName.default("layer:delivery"),
          operations: labelName.default("layer:operations"),
        })
        .prefault({}),
      status: z
        .object({
          triage: labelName.default("status:triage"),
          investigating: labelName.default("status:investigating"),
          contained: labelName.default("status:contained"),
          resolved: labelName.default("status:resolved"),
          closed: labelName.default("status:closed"),
        })
        .prefault({}),
    })
    .prefault({})
    .describe("names of the labels Firebreak owns"),
  severities: z
    .object({
      1: severityLevel.default({ name: "critical", update_every: "60m", owner_within: "15m" }),
      2: severityLevel.default({ name: "major", update_every: "4h", owner_within: "1h" }),
      3: severityLevel.default({ name: "minor", update_every: "24h", owner_within: "1d" }),
    })
    .prefault({})
    .describe("what each severity is called and how often it needs an update"),
  max_parallel_interventions: z
    .number()
    .int()
    .min(1)
    .max(20)
    .default(2)
    .describe("active /change interventions before Firebreak warns that stacked changes blur which one worked"),
  responders: z
    .array(login)
    .default([])
    .describe("logins or org/team slugs allowed to command besides people with triage permission"),
  allow_bots: z.array(login).default([]).describe("other bots whose events Firebreak acts on (ignored otherwise)"),
  permission_cache_minutes: z
    .number()
    .int()
    .min(0)
    .max(24 * 60)
    .default(10)
    .describe("how long the App keeps a person's looked-up repository permission (the Action keeps it for the run)"),
  gate_incident_close: z
    .boolean()
    .default(true)
    .describe("reopen an incident closed as completed before /resolve recorded cause and evidence"),
  postmortem: z
    .object({
      due_days: z.number().int().min(1).max(90).default(5).describe("days until the postmortem is due"),
      template: z
        .string()
        .default(".github/firebreak/postmortem.md")
        .describe("repository path of a postmortem template overriding the shipped one"),
    })
    .prefault({}),
  repeat_window_days: z
    .number()
    .int()
    .min(0)
    .max(3650)
    .default(180)
    .describe("how long after an incident closed a new one in its family counts as a repeat"),
  lookback_hours: z
    .number()
    .int()
    .min(0)
    .max(24 * 14)
    .default(24)
    .describe("releases published this long before the start are listed as what changed"),
  notify: z
    .object({ 1: z.array(login).default([]), 2: z.array(login).default([]), 3: z.array(login).default([]) })
    .prefault({})
    .describe("per severity, users or teams mentioned once when an incident is declared at or escalated to it"),
  tracking_qa: trackingQaSchema.prefault({}).describe("release-triggered tracking QA (off until base_url is set)"),
  schedule: z
    .object({
      max_calls: z
        .number()
        .int()
        .min(10)
        .max(5000)
        .default(200)
        .describe("GitHub API calls one scheduled pass may spend in this repository; the next pass continues where it stopped"),
    })
    .prefault({})
    .describe("the scheduled pass (reconcile; the Action's schedule run, the App's scheduler, `firebreak reconcile`)"),
  relay: relaySchema.default([]).describe("destinations outside GitHub (Slack, Teams, Google Chat, JSON webhooks) that hear about incidents"),
  nudges: z
    .boolean()
    .default(true)
    .describe("remind whoever owes the next move (an overdue update, owner, check or postmortem) from the scheduled pass; false turns reminders off"),
  detection: detectionSchema.prefault({}).describe("early detection from KPI series (SPEC §14): sources, time zone, reporting lag, sensitivity"),
});

export type FirebreakConfig = z.output<typeof configSchema>;
export const DEFAULT_CONFIG: FirebreakConfig = configSchema.parse({});

export interface ConfigError {
  key: string;
  reason: string;
}

export interface LoadedConfig {
  config: FirebreakConfig;
  errors: ConfigError[];
}

type AnySchema = z.ZodType;

function objectShape(schema: AnySchema): Record<string, AnySchema> | undefined {
  let s: AnySchema = schema;
  // Unwrap default/prefault/optional to reach the object that holds the keys.
  for (;;) {
    if (s instanceof z.ZodObject) return s.shape as Record<string, AnySchema>;
    if (s instanceof z.ZodDefault || s instanceof z.ZodPrefault || s instanceof z.ZodOptional) {
      s = s.def.innerType as AnySchema;
      continue;
    }
    return undefined;
  }
}

function arrayElement(schema: AnySchema): AnySchema | undefined {
  let s: AnySchema = schema;
  for (;;) {
    if (s instanceof z.ZodArray) return s.element as AnySchema;
    if (s instanceof z.ZodDefault || s instanceof z.ZodPrefault || s instanceof z.ZodOptional) {
      s = s.def.innerType as AnySchema;
      continue;
    }
    return undefined;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describeIssue(issue: z.core.$ZodIssue): string {
  return issue.message;
}

// Keeps every valid key and falls back to the default for each invalid one, key by key,
// so one typo never switches the whole file off. `fallback` is this key's value in its
// parent's default (a severity's `update_every` has no default of its own, its level has).
function lenient(schema: AnySchema, value: unknown, path: string[], errors: ConfigError[], fallback?: unknown): unknown {
  const shape = objectShape(schema);
  if (shape && isPlainObject(value)) {
    const own = schema.safeParse(undefined);
    const defaults = own.success && isPlainObject(own.data) ? own.data : isPlainObject(fallback) ? fallback : {};
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      if (!(key in shape)) errors.push({ key: [...path, key].join("."), reason: "unknown key (ignored)" });
    }
    for (const [key, child] of Object.entries(shape)) {
      out[key] = lenient(child, value[key], [...path, key], errors, defaults[key]);
    }
    // Checks across keys (refinements) run once the keys are settled: a key they reject falls back too.
    for (let round = 0; round < 3; round++) {
      const checked = schema.safeParse(out);
      if (checked.success) return out;
      for (const issue of checked.error.issues) {
        const key = [...path, ...issue.path.map(String)].join(".");
        errors.push({ key: key || "(file)", reason: `${describeIssue(issue)} — the default is used` });
        const first = issue.path[0];
        if (first === undefined || !(String(first) in shape)) return own.success ? own.data : fallback;
        out[String(first)] = defaults[String(first)];
      }
    }
    return own.success ? own.data : fallback;
  }
  if (value === undefined && fallback !== undefined) return fallback;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  // A list keeps its valid items: one mistyped login must not take every responder's rights away.
  const element = arrayElement(schema);
  if (element && Array.isArray(value)) {
    const kept = value.flatMap((item, i) => {
      const parsed = element.safeParse(item);
      if (parsed.success) return [parsed.data];
      errors.push({ key: [...path, String(i)].join("."), reason: `${describeIssue(parsed.error.issues[0]!)} — this item is left out` });
      return [];
    });
    const list = schema.safeParse(kept);
    if (list.success) return list.data;
  }
  for (const issue of result.error.issues) {
    const key = [...path, ...issue.path.map(String)].join(".");
    errors.push({ key: key || "(file)", reason: `${describeIssue(issue)} — the default is used` });
  }
  const own = schema.safeParse(undefined);
  return own.success ? own.data : fallback;
}

/** Validates a parsed config object key by key. */
export function resolveConfig(raw: unknown): LoadedConfig {
  const errors: ConfigError[] = [];
  if (raw === undefined || raw === null) return { config: DEFAULT_CONFIG, errors };
  if (!isPlainObject(raw)) {
    return { config: DEFAULT_CONFIG, errors: [{ key: "(file)", reason: "the file must be a YAML mapping of keys — defaults are used" }] };
  }
  const { _extends: _ignored, ...rest } = raw;
  const config = lenient(configSchema, rest, [], errors) as FirebreakConfig;
  return { config, errors };
}

/**
 * The longest config file read (twice the fully commented example). A malformed file can make
 * the `yaml` parser report an error every other character (a broken quoted scalar followed by
 * `- [ ] - [ ] …`), about 16,000 errors on 32 K characters: the bound keeps such a file near
 * 100 ms, parsed once per change of the file (src/github/config.ts).
 */
export const MAX_CONFIG_CHARS = 16_384;

/** Parses YAML text; a syntax error is reported with its line and column, never thrown. */
export function parseConfigYaml(text: string): { value: unknown; errors: ConfigError[] } {
  if (text.length > MAX_CONFIG_CHARS) {
    return { value: undefined, errors: [{ key: "(file)", reason: `the file is ${text.length.toLocaleString("en-US")} characters; Firebreak reads at most ${MAX_CONFIG_CHARS.toLocaleString("en-US")} — defaults are used` }] };
  }
  // Only the first error is shown, with its place from the line counter, so no error is
  // prettified, and none needs a stack trace: capturing one for each of thousands of errors was
  // most of the parser's work.
  const lines = new LineCounter();
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return { value: parseYaml(text, { maxAliasCount: 100, prettyErrors: false, lineCounter: lines }) as unknown, errors: [] };
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] ?? "invalid YAML" : "invalid YAML";
    const place = error instanceof YAMLError ? lines.linePos(error.pos[0]) : undefined;
    const at = place ? ` at line ${place.line}, column ${place.col}` : "";
    return { value: undefined, errors: [{ key: "(file)", reason: `not valid YAML: ${reason}${at} — defaults are used` }] };
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

/**
 * `_extends` merge (Probot convention): the repository's keys override the inherited ones,
 * objects merge key by key and arrays replace.
 */
export function mergeConfig(base: unknown, override: unknown): unknown {
  if (isPlainObject(base) && isPlainObject(override)) {
    const out: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(override)) out[key] = mergeConfig(base[key], value);
    return out;
  }
  return override === undefined ? base : override;
}

/** Where `_extends` points: a repository of the same owner, and optionally a file in it. */
export interface ExtendsTarget {
  owner: string;
  repo: string;
  path?: string;
}

/**
 * Reads `_extends: repo`, `_extends: repo:path` or `_extends: owner/repo[:path]` from a raw
 * config (SPEC §13: inheritance stays in the owner). Another owner's repository, or a value that
 * names no repository, is refused: `{ refused }` says why without quoting the value.
 */
export function extendsTarget(raw: unknown, owner: string): ExtendsTarget | { refused: string } | undefined {
  if (!isPlainObject(raw) || raw._extends === undefined) return undefined;
  if (typeof raw._extends !== "string") return { refused: "must name a repository of this repository's owner (`.github`, `repo` or `repo:path`) — nothing inherited" };
  const match = /^(?:([\w.-]{1,100})\/)?([\w.-]{1,100})(?::([^\s:]{1,300}))?$/.exec(raw._extends.trim());
  if (!match) return { refused: "must name a repository of this repository's owner (`.github`, `repo` or `repo:path`) — nothing inherited" };
  if (match[1] !== undefined && match[1].toLowerCase() !== owner.toLowerCase()) {
    return { refused: "may only name a repository of this repository's owner — another owner's repository is never read, nothing inherited" };
  }
  return { owner, repo: match[2]!, ...(match[3] ? { path: match[3] } : {}) };
}

/** True when `path` (dot-joined) leads to a value the repository's own file sets. */
function setIn(raw: unknown, key: string): boolean {
  let at: unknown = raw;
  for (const segment of key.split(".")) {
    if (Array.isArray(at)) at = at[Number(segment)];
    else if (isPlainObject(at)) at = at[segment];
    else return false;
    if (at === undefined) return false;
  }
  return true;
}

/**
 * Validates a repository's file merged over the file it inherits. Problems with the repository's
 * own values are reported as usual; problems that come from the inherited file (another
 * repository, possibly private) are reported by the schema's top-level key only, never with a
 * value, an unknown key's name or a parser message from that file (SPEC §13).
 */
export function resolveInherited(own: unknown, inherited: ReturnType<typeof parseConfigYaml>): LoadedConfig {
  if (inherited.errors.length > 0 || (inherited.value !== undefined && inherited.value !== null && !isPlainObject(inherited.value))) {
    const resolved = resolveConfig(own);
    return { config: resolved.config, errors: [{ key: "_extends", reason: "the inherited file is not a valid YAML mapping — nothing inherited" }, ...resolved.errors] };
  }
  const resolved = resolveConfig(mergeConfig(inherited.value, own));
  const errors: ConfigError[] = [];
  const inheritedKeys = new Set<string>();
  let unknownInherited = false;
  for (const error of resolved.errors) {
    if (error.key !== "(file)" && setIn(own, error.key)) {
      errors.push(error);
      continue;
    }
    const top = error.key.split(".")[0] ?? "";
    if (top in configSchema.shape && !(error.reason.startsWith("unknown key") && !error.key.includes("."))) inheritedKeys.add(top);
    else unknownInherited = true;
  }
  for (const key of inheritedKeys) errors.push({ key: "_extends", reason: `the inherited file's \`${key}\` is not valid — its default is used` });
  if (unknownInherited) errors.push({ key: "_extends", reason: "the inherited file has keys Firebreak does not know (ignored)" });
  return { config: resolved.config, errors };
}

export function configErrorFingerprint(error: ConfigError): string {
  return `${error.key}: ${error.reason}`;
}

export function allLabels(config: FirebreakConfig): string[] {
  const l = config.labels;
  return [
    l.incident,
    l.postmortem,
    l.routine_variance,
    l.repeat,
    l.config_error,
    l.dashboard,
    ...Object.values(l.severity),
    ...Object.values(l.layer),
    ...Object.values(l.status),
  ];
}
