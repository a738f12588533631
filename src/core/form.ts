// Issue-form body -> declaration (SPEC §3). GitHub renders a submitted form as `### <label>`
// sections; the labels are the repository's to rename, so headings are mapped back to field
// ids through the form template the caller supplies (the repository's own, else the shipped
// one). The core reads no files: callers pass the template text.
//
// Written rather than taken from @github/issue-parser, which splits on `###` anywhere
// (inside code fences too) and throws on a broken template.

import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { CHANNELS, LAYERS, LAYER_ALIASES, SEVERITIES, toLayer, type Layer, type Severity } from "./model/domain.js";
import { lineKinds, linesOf } from "./text/scanner.js";

export interface Declaration {
  isForm: boolean;
  symptom?: string;
  started?: string;
  detected?: string;
  /** Canonical CHANNELS values; values Firebreak does not know are kept as given. */
  scope: string[];
  scopeDetail?: string;
  outcomes?: "business" | "reporting-only" | "not-sure";
  whatChanged?: string;
  /** Undefined when the form says "not sure" or nothing. */
  layer?: Layer;
  severity?: Severity;
  /** Labels of the ticked threshold boxes, as rendered. */
  threshold: string[];
  containment?: string;
  /** Undefined when the answer gives no amount per hour or per day. */
  cost?: { amount: number; per: "hour" | "day"; text: string };
  /** Triage items the form lacks, as human phrases (see MISSING_ITEMS). */
  missing: string[];
}

export const OUTCOMES = ["business", "reporting-only", "not-sure"] as const;

/** What `missing` can hold, in the order it is listed. */
export const MISSING_ITEMS = ["symptom", "start time", "scope", "outcomes", "severity", "threshold"] as const;

export const DeclarationSchema: z.ZodType<Declaration> = z
  .object({
    isForm: z.boolean(),
    symptom: z.string().optional(),
    started: z.string().optional(),
    detected: z.string().optional(),
    scope: z.array(z.string()),
    scopeDetail: z.string().optional(),
    outcomes: z.enum(OUTCOMES).optional(),
    whatChanged: z.string().optional(),
    layer: z.enum(LAYERS).optional(),
    severity: z.literal(SEVERITIES).optional(),
    threshold: z.array(z.string()),
    containment: z.string().optional(),
    cost: z
      .object({ amount: z.number().positive().finite(), per: z.enum(["hour", "day"]), text: z.string() })
      .strict()
      .optional(),
    missing: z.array(z.enum(MISSING_ITEMS)),
  })
  .strict();

// ---------------------------------------------------------------------------------------
// The form's fields

export type FieldType = "checkboxes" | "dropdown" | "input" | "textarea";

export interface FormField {
  /** The template's `id`; fields without one are keyed by their label. */
  id?: string;
  type: FieldType;
  label: string;
  options: string[];
  multiple: boolean;
  required: boolean;
}

/**
 * The shipped form (templates/ISSUE_TEMPLATE/marketing-incident.yml) as data: the fallback
 * when a template is missing or broken, and a second set of labels so that issues written
 * with the shipped form still parse after a repository renamed its labels. A test keeps it
 * identical to the YAML. Code that writes a form body (a QA incident) should take its
 * labels from here.
 */
export const SHIPPED_FIELDS: readonly FormField[] = [
  { id: "symptom", type: "textarea", label: "What are you seeing?", options: [], multiple: false, required: true },
  { id: "started", type: "input", label: "When did it start?", options: [], multiple: false, required: true },
  { id: "detected", type: "input", label: "When was it noticed?", options: [], multiple: false, required: false },
  { id: "scope", type: "dropdown", label: "Which channels are hit?", options: [...CHANNELS], multiple: true, required: false },
  { id: "scope-detail", type: "textarea", label: "Where exactly?", options: [], multiple: false, required: false },
  {
    id: "outcomes",
    type: "dropdown",
    label: "Did business outcomes change?",
    options: ["Yes — orders or revenue changed", "No — only platform reporting changed", "Not sure yet"],
    multiple: false,
    required: true,
  },
  { id: "what-changed", type: "textarea", label: "What changed just before?", options: [], multiple: false, required: false },
  {
    id: "layer",
    type: "dropdown",
    label: "Likely layer",
    options: ["Not sure", "Economics", "Measurement", "Conversion", "Delivery", "Business operations"],
    multiple: false,
    required: false,
  },
  {
    id: "severity",
    type: "dropdown",
    label: "Severity",
    options: [
      "SEV1 — critical: revenue or customers are hit hard right now",
      "SEV2 — major: a channel or key number is materially off and it costs money by the hour",
      "SEV3 — minor: limited or slow-burning damage that still needs a fix soon",
    ],
    multiple: false,
    required: true,
  },
  {
    id: "threshold",
    type: "checkboxes",
    label: "Why can't this wait for the weekly review?",
    options: [
      "Waiting costs materially more",
      "It changes near-term decisions",
      "It needs a coordinated response across teams, systems or channels",
    ],
    multiple: true,
    required: false,
  },
  { id: "containment", type: "textarea", label: "What has been paused or protected so far?", options: [], multiple: false, required: false },
  { id: "cost", type: "input", label: "Rough cost per hour or per day", options: [], multiple: false, required: false },
];

/** The field ids Firebreak reads. */
export const FORM_FIELD_IDS = SHIPPED_FIELDS.map((f) => f.id ?? "");

const ItemSchema = z
  .object({
    type: z.enum(["checkboxes", "dropdown", "input", "markdown", "textarea"]),
    id: z.union([z.string(), z.number()]).optional(),
    attributes: z
      .object({
        label: z.union([z.string(), z.number()]).optional(),
        options: z.array(z.unknown()).optional(),
        multiple: z.boolean().optional(),
      })
      .loose()
      .optional(),
    validations: z.object({ required: z.boolean().optional() }).loose().nullish(),
  })
  .loose();

const TemplateSchema = z.object({ body: z.array(z.unknown()) }).loose();

/** Templates bigger than this are not forms anyone wrote by hand; parsing them is not worth it. */
const MAX_TEMPLATE = 200_000;

/** The fields of a template, or undefined when the YAML is broken or holds no usable field. */
function readTemplate(templateYaml: string): FormField[] | undefined {
  if (typeof templateYaml !== "string" || templateYaml.length === 0 || templateYaml.length > MAX_TEMPLATE) return undefined;
  let doc: unknown;
  try {
    doc = parseYaml(templateYaml, { logLevel: "silent", maxAliasCount: 100, uniqueKeys: false });
  } catch {
    return undefined;
  }
  const template = TemplateSchema.safeParse(doc);
  if (!template.success) return undefined;
  const fields: FormField[] = [];
  for (const raw of template.data.body) {
    const item = ItemSchema.safeParse(raw);
    if (!item.success || item.data.type === "markdown") continue;
    const label = item.data.attributes?.label;
    if (label === undefined || String(label).trim() === "") continue;
    const options = (item.data.attributes?.options ?? [])
      .map((o) => (typeof o === "string" || typeof o === "number" ? String(o) : labelOf(o)))
      .filter((o): o is string => o !== undefined);
    const id = item.data.id === undefined ? undefined : String(item.data.id);
    fields.push({
      ...(id ? { id } : {}),
      type: item.data.type,
      label: String(label),
      options,
      multiple: item.data.type === "checkboxes" || item.data.attributes?.multiple === true,
      required: item.data.validations?.required === true,
    });
  }
  return fields.length > 0 ? fields : undefined;
}

function labelOf(option: unknown): string | undefined {
  if (typeof option !== "object" || option === null || !("label" in option)) return undefined;
  const label = (option as { label: unknown }).label;
  return typeof label === "string" || typeof label === "number" ? String(label) : undefined;
}

// Templates arrive once per event and are mostly the same few strings.
const templateCache = new Map<string, FormField[] | undefined>();

function cachedTemplate(templateYaml: string): FormField[] | undefined {
  if (templateCache.has(templateYaml)) return templateCache.get(templateYaml);
  const fields = readTemplate(templateYaml);
  if (templateCache.size >= 16) templateCache.clear();
  templateCache.set(templateYaml, fields);
  return fields;
}

/**
 * The field ids a form template defines, in form order (markdown blocks and fields without
 * an id left out). Empty when the YAML is broken: a check then reports every id as absent.
 */
export function formFieldIds(templateYaml: string): string[] {
  try {
    return (cachedTemplate(templateYaml) ?? []).flatMap((f) => (f.id ? [f.id] : []));
  } catch {
    return [];
  }
}

/** How a heading is compared with a label: GitHub copies labels verbatim, people do not. */
function headingKey(text: string): string {
  return text.normalize("NFKC").replace(/\s+/g, " ").trim().replace(/:$/, "").trim().toLowerCase();
}

/**
 * Heading -> field, in order of trust: the given template's labels, then the shipped
 * labels (issues opened before a rename), then the bare ids (hand-written `### symptom`).
 * A template that knows none of Firebreak's ids (a bug-report form passed by mistake, or
 * broken YAML) is replaced by the shipped form.
 */
function headingMap(templateYaml: string): Map<string, FormField> {
  const given = cachedTemplate(templateYaml);
  const usable = given?.some((f) => f.id !== undefined && FORM_FIELD_IDS.includes(f.id)) ? given : undefined;
  const map = new Map<string, FormField>();
  for (const field of [...(usable ?? []), ...SHIPPED_FIELDS]) {
    const key = headingKey(field.label);
    if (key !== "" && !map.has(key)) map.set(key, field);
  }
  for (const field of [...(usable ?? []), ...SHIPPED_FIELDS]) {
    if (field.id && !map.has(headingKey(field.id))) map.set(headingKey(field.id), field);
  }
  return map;
}

// ---------------------------------------------------------------------------------------
// The body's sections

/** GitHub caps bodies at 65,536 characters; anything far beyond is not a submitted form. */
const MAX_BODY = 262_144;

/** The text of a level-3 ATX heading, or undefined. Closing `#`s are dropped as CommonMark does. */
function headingText(line: string): string | undefined {
  const m = /^ {0,3}###(?:[ \t](.*))?$/.exec(line);
  if (!m) return undefined;
  let text = (m[1] ?? "").trim();
  // Strip a closing sequence of #s only when a space precedes it ("C#" stays "C#").
  let end = text.length;
  while (end > 0 && text[end - 1] === "#") end--;
  if (end < text.length && (end === 0 || text[end - 1] === " " || text[end - 1] === "\t")) text = text.slice(0, end).trim();
  return text;
}

interface Section {
  field: FormField;
  lines: string[];
}

/**
 * Splits a body into the sections of known headings. Text before the first known heading
 * is dropped, and so are Firebreak's own regions; a heading that is unknown, or repeats one
 * already seen, is an answer's own markdown and stays in the section it appears in.
 */
function sections(body: string, map: Map<string, FormField>): Map<string, Section> {
  const lines = linesOf(body);
  const kinds = lineKinds(lines, { unclosed: "nothing" });
  const found = new Map<string, Section>();
  let current: Section | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (kinds[i] === "firebreak") continue;
    if (kinds[i] === "text") {
      const heading = headingText(line);
      const field = heading === undefined ? undefined : map.get(headingKey(heading));
      const key = field ? (field.id ?? `label:${field.label}`) : undefined;
      if (field && key !== undefined && !found.has(key)) {
        current = { field, lines: [] };
        found.set(key, current);
        continue;
      }
    }
    current?.lines.push(line);
  }
  return found;
}

const NO_RESPONSE = /^_no response_$/i;

/**
 * A section's answer: trimmed, undefined when empty or `_No response_`, and for a
 * dropdown also when it is "None" (the choice GitHub adds to optional dropdowns).
 */
function answer(section: Section | undefined): string | undefined {
  if (!section) return undefined;
  const text = section.lines.join("\n").trim();
  if (text === "" || NO_RESPONSE.test(text)) return undefined;
  return section.field.type === "dropdown" && /^none$/i.test(text) ? undefined : text;
}

/** Ticked boxes of a checkbox answer (`- [X] label`, `- [x] label`). */
function ticked(text: string): { ticked: string[]; any: boolean } {
  const out: string[] = [];
  let any = false;
  for (const line of text.split("\n")) {
    const m = /^\s*[-*+]\s+\[([ xX])\]\s*(.*)$/.exec(line);
    if (!m) continue;
    any = true;
    const label = (m[2] ?? "").trim();
    if (m[1] !== " " && label !== "") out.push(label);
  }
  return { ticked: out, any };
}

/**
 * A multi-select answer ("Meta, Whole site"). Options are matched first, longest first,
 * so a custom option that holds a comma stays whole; the rest splits on commas and lines.
 */
function multiValues(text: string, options: readonly string[]): string[] {
  const byLength = [...options].filter((o) => o !== "").sort((a, b) => b.length - a.length);
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /[\s,]/.test(text[i] ?? "")) i++;
    if (i >= text.length) break;
    const option = byLength.find((o) => text.startsWith(o, i) && /^(?:\s*,|\s*$|\s*\n)/.test(text.slice(i + o.length, i + o.length + 2)));
    let end: number;
    if (option) end = i + option.length;
    else {
      const comma = text.indexOf(",", i);
      const newline = text.indexOf("\n", i);
      end = Math.min(comma < 0 ? text.length : comma, newline < 0 ? text.length : newline);
    }
    const value = text
      .slice(i, end)
      .replace(/^[-*+]\s+/, "")
      .trim();
    if (value !== "") out.push(value);
    i = end;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Answers -> typed values

const CHANNEL_ALIASES: Record<string, string> = {
  facebook: "Meta",
  instagram: "Meta",
  fb: "Meta",
  ig: "Meta",
  "meta ads": "Meta",
  "google ads": "Google",
  adwords: "Google",
  youtube: "Google",
  pmax: "Google",
  "performance max": "Google",
  "tik tok": "TikTok",
  email: "Email/SMS",
  "e-mail": "Email/SMS",
  sms: "Email/SMS",
  "email and sms": "Email/SMS",
  crm: "Email/SMS",
  seo: "Organic",
  "organic search": "Organic",
  "organic social": "Organic",
  affiliate: "Affiliates",
  partners: "Affiliates",
  site: "Whole site",
  website: "Whole site",
  "entire site": "Whole site",
  "whole website": "Whole site",
  "all channels": "Whole site",
};

function canonicalChannel(value: string): string {
  const key = headingKey(value);
  for (const channel of CHANNELS) if (headingKey(channel) === key) return channel;
  const alias = CHANNEL_ALIASES[key];
  if (alias) return alias;
  // "Meta (Facebook, Instagram)" or "Google — Search": the head names the channel.
  const head = headingKey(key.split(/\s*(?:\(|—|–| - |:)/)[0] ?? "");
  for (const channel of CHANNELS) if (headingKey(channel) === head) return channel;
  return CHANNEL_ALIASES[head] ?? value;
}

function optionIndex(value: string, field: FormField): number {
  const key = headingKey(value);
  return field.options.findIndex((o) => headingKey(o) === key);
}

function toOutcomes(value: string, field: FormField): Declaration["outcomes"] {
  const v = headingKey(value);
  if (/^(not sure|unsure|unknown|don'?t know|do not know|unclear|tbd)\b/.test(v)) return "not-sure";
  if (/^yes\b/.test(v)) return "business";
  if (/^no\b/.test(v)) return "reporting-only";
  if (/\b(only|just)\b.*\breport/.test(v) || /\breporting only\b/.test(v)) return "reporting-only";
  if (/\b(orders|revenue|sales)\b/.test(v)) return "business";
  // A renamed option keeps its place in the list: yes, no, not sure.
  const index = optionIndex(value, field);
  return index >= 0 && index < OUTCOMES.length ? OUTCOMES[index] : undefined;
}

function toSeverity(value: string, field: FormField): Severity | undefined {
  const m = /\bsev(?:erity)?\s*[-:]?\s*([123])\b/i.exec(value) ?? /^\s*([123])\b/.exec(value);
  if (m) return Number(m[1]) as Severity;
  const index = optionIndex(value, field);
  if (index >= 0 && index < SEVERITIES.length) return SEVERITIES[index];
  const v = value.toLowerCase();
  if (/\bcritical\b/.test(v)) return 1;
  if (/\bmajor\b/.test(v)) return 2;
  if (/\bminor\b/.test(v)) return 3;
  return undefined;
}

function toLayerAnswer(value: string): Layer | undefined {
  const v = headingKey(value);
  if (/^(not sure|unsure|unknown|don'?t know|n\/a|none)\b/.test(v)) return undefined;
  const direct = toLayer(v) ?? toLayer(v.split(/\s*(?:\(|—|–| - |:)/)[0]);
  if (direct) return direct;
  // "Probably measurement (pixel)": the first layer word in the answer.
  let best: { at: number; layer: Layer } | undefined;
  for (const [alias, layer] of Object.entries(LAYER_ALIASES)) {
    const at = v.search(new RegExp(`\\b${alias.replace(/[-]/g, "\\-")}\\b`));
    if (at >= 0 && (!best || at < best.at)) best = { at, layer };
  }
  return best?.layer;
}

const NUMBER = String.raw`(\d{1,3}(?:[,.'’]\d{3})+|\d+)(?:[.,](\d+))?\s*(k|thousand|tsd|m|mn|mio|million|bn)?\b`;
const PERIOD =
  /(?:\/|\bper\b|\ban?\b|\beach\b|\bevery\b)\s*(hours?|hrs?|h|days?|d|24\s*h(?:ours?|rs?)?)\b|\b(hourly|daily)\b/i;

const SCALES: Record<string, number> = { k: 1e3, thousand: 1e3, tsd: 1e3, m: 1e6, mn: 1e6, mio: 1e6, million: 1e6, bn: 1e9 };

/** A number token's value before its "k"/"million": "2,000" and "2.000" are two thousand. */
function baseOf(m: RegExpMatchArray): number {
  const whole = Number((m[1] ?? "").replace(/[,.'’]/g, ""));
  return whole + (m[2] ? Number(`0.${m[2]}`) : 0);
}

function scaleOf(m: RegExpMatchArray): number | undefined {
  return m[3] ? SCALES[m[3].toLowerCase()] : undefined;
}

/**
 * A rough cost rate: "$2,000/hour", "about 500 EUR per day", "1.5k/h", "€300 an hour",
 * "1-2k per day" (a range counts as its middle). The amount is the number nearest before
 * the first "per hour/day" phrase (or the first after it: "hourly: 1,500"); the currency
 * stays in `text`. "2.000" and "2,000" are both two thousand. Undefined without a period
 * or a positive amount.
 */
export function parseCost(text: string): Declaration["cost"] {
  if (typeof text !== "string") return undefined;
  const given = text.trim();
  const t = given.slice(0, 300).normalize("NFKC");
  const period = PERIOD.exec(t);
  if (!period) return undefined;
  const unit = (period[1] ?? period[2] ?? "").toLowerCase().replace(/\s+/g, "");
  const per: "hour" | "day" = unit.startsWith("d") || unit.startsWith("24") ? "day" : "hour";

  const numbers = [...t.slice(0, period.index).matchAll(new RegExp(NUMBER, "gi"))];
  let amount: number | undefined;
  const last = numbers.at(-1);
  if (last) {
    const scale = scaleOf(last) ?? 1;
    amount = baseOf(last) * scale;
    const before = numbers.at(-2);
    // "1-2k", "1,000 – 2,000", "1k to 2k": the middle of the range; "1-2k" means 1k to 2k.
    if (before?.index !== undefined && last.index !== undefined) {
      const between = t.slice(before.index + before[0].length, last.index);
      if (/^\s*[$€£¥]?\s*(?:-|–|—|to)\s*[$€£¥]?\s*$/i.test(between)) {
        amount = (baseOf(before) * (scaleOf(before) ?? scale) + amount) / 2;
      }
    }
  } else {
    const after = new RegExp(NUMBER, "i").exec(t.slice(period.index + period[0].length));
    if (after) amount = baseOf(after) * (scaleOf(after) ?? 1);
  }
  if (amount === undefined || !Number.isFinite(amount) || amount <= 0) return undefined;
  return { amount, per, text: given };
}

// ---------------------------------------------------------------------------------------
// The declaration

function emptyDeclaration(): Declaration {
  return { isForm: false, scope: [], threshold: [], missing: [...MISSING_ITEMS] };
}

function dedupe(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function build(body: string, templateYaml: string): Declaration {
  const found = sections(body.length > MAX_BODY ? body.slice(0, MAX_BODY) : body, headingMap(templateYaml));
  const section = (id: string): Section | undefined => found.get(id);
  if (!FORM_FIELD_IDS.some((id) => found.has(id))) return emptyDeclaration();

  const text = (id: string): string | undefined => answer(section(id));
  const fieldOf = (id: string): FormField =>
    section(id)?.field ?? SHIPPED_FIELDS.find((f) => f.id === id) ?? { type: "input", label: id, options: [], multiple: false, required: false };

  const scopeText = text("scope");
  const scopeTicks = scopeText ? ticked(scopeText) : undefined;
  const scope = scopeText
    ? dedupe(
        (scopeTicks?.any ? scopeTicks.ticked : multiValues(scopeText, [...fieldOf("scope").options, ...CHANNELS])).map(
          canonicalChannel,
        ),
      )
    : [];

  const thresholdText = text("threshold");
  const thresholdTicks = thresholdText ? ticked(thresholdText) : undefined;
  const threshold = thresholdText
    ? thresholdTicks?.any
      ? thresholdTicks.ticked
      : fieldOf("threshold").type === "dropdown"
        ? multiValues(thresholdText, fieldOf("threshold").options)
        : []
    : [];

  const outcomesText = text("outcomes");
  const severityText = text("severity");
  const layerText = text("layer");
  const costText = text("cost");

  const declaration: Declaration = {
    isForm: true,
    symptom: text("symptom"),
    started: text("started"),
    detected: text("detected"),
    scope,
    scopeDetail: text("scope-detail"),
    outcomes: outcomesText ? toOutcomes(outcomesText, fieldOf("outcomes")) : undefined,
    whatChanged: text("what-changed"),
    layer: layerText ? toLayerAnswer(layerText) : undefined,
    severity: severityText ? toSeverity(severityText, fieldOf("severity")) : undefined,
    threshold: dedupe(threshold),
    containment: text("containment"),
    cost: costText ? parseCost(costText) : undefined,
    missing: [],
  };

  const missing: string[] = [];
  if (!declaration.symptom) missing.push("symptom");
  if (!declaration.started) missing.push("start time");
  if (declaration.scope.length === 0) missing.push("scope");
  if (!declaration.outcomes) missing.push("outcomes");
  if (!declaration.severity) missing.push("severity");
  // Unticked boxes are an answer (routine variance); only an absent section is missing.
  if (!found.has("threshold")) missing.push("threshold");
  declaration.missing = missing;

  // Drop the undefined keys so the result reads cleanly in snapshots and JSON.
  const compact = Object.fromEntries(Object.entries(declaration).filter(([, v]) => v !== undefined));
  return compact as unknown as Declaration;
}

/**
 * Reads a submitted issue form. `templateYaml` is the repository's form when it has one,
 * else the shipped form; a broken or unrelated template falls back to the shipped labels.
 * Never throws: a body that holds none of the form's fields (an issue labelled `incident`
 * by hand, null, odd input) gives `isForm: false`, empty answers and every triage item in
 * `missing`. Missing required answers are tolerated (private repositories do not enforce
 * `required`).
 */
export function parseDeclaration(body: string | null, templateYaml: string): Declaration {
  if (typeof body !== "string" || body.trim() === "") return emptyDeclaration();
  try {
    const result = DeclarationSchema.safeParse(build(body, typeof templateYaml === "string" ? templateYaml : ""));
    return result.success ? result.data : emptyDeclaration();
  } catch {
    return emptyDeclaration();
  }
}

/** Answers to render as a submitted form: text, or for dropdowns and checkboxes the options chosen (a prefix is enough). */
export type FormAnswers = Partial<Record<string, string | readonly string[]>>;

/**
 * Renders answers the way GitHub renders a submitted issue form (`### label`, `_No response_`,
 * `- [X]`), through the given template's labels and options (the shipped form by default), so
 * that issues Firebreak opens itself parse like any person's.
 */
export function renderFormBody(answers: FormAnswers, templateYaml?: string): string {
  const fields = (templateYaml ? cachedTemplate(templateYaml) : undefined) ?? SHIPPED_FIELDS;
  const chosen = (field: FormField, answer: string | readonly string[] | undefined): string[] => {
    const wanted = answer === undefined ? [] : typeof answer === "string" ? [answer] : [...answer];
    return wanted.map((w) => field.options.find((o) => o.toLowerCase().startsWith(w.toLowerCase())) ?? w);
  };
  return fields
    .filter((field) => field.id)
    .map((field) => {
      const answer = answers[field.id!];
      let text: string;
      if (field.type === "checkboxes") {
        const ticked = chosen(field, answer);
        text = field.options.map((o) => `- [${ticked.includes(o) ? "X" : " "}] ${o}`).join("\n");
      } else if (field.type === "dropdown") {
        const picked = chosen(field, answer);
        text = picked.length > 0 ? picked.join(", ") : "_No response_";
      } else {
        text = typeof answer === "string" && answer.trim() ? answer : "_No response_";
      }
      return `### ${field.label}\n\n${text}`;
    })
    .join("\n\n");
}
