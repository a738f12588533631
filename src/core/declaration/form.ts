// Issue-form body -> declaration (SPEC §3). GitHub renders a submitted form as `### <label>`
// sections; the labels are the repository's to rename, so headings are mapped back to field
// ids through the form template the caller supplies (the repository's own, else the shipped
// one) and through the shipped template. The core reads no files: callers pass both texts.
//
// Written rather than taken from @github/issue-parser, which splits on `###` anywhere
// (inside code fences too) and throws on a broken template.

import { z } from "zod";
import { CHANNELS, LAYERS, LAYER_ALIASES, SEVERITIES, toLayer, type Layer, type Severity } from "../model/domain.js";
import { lineKinds, linesOf } from "../text/scanner.js";
import { parseCost, type CostRate } from "./cost.js";
import { formFields, headingKey, type FormField } from "./template.js";

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
  cost?: CostRate;
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
// Headings -> fields

/**
 * Heading -> field, in order of trust: the given template's labels, then the shipped
 * labels (issues opened before a rename), then the bare ids (hand-written `### symptom`).
 * A template that knows none of Firebreak's ids (a bug-report form passed by mistake, or
 * broken YAML) is replaced by the shipped form.
 */
function headingMap(templateYaml: string, shipped: readonly FormField[]): Map<string, FormField> {
  const given = formFields(templateYaml);
  const usable = given?.some((f) => f.id !== undefined && shipped.some((s) => s.id === f.id)) ? given : undefined;
  const map = new Map<string, FormField>();
  for (const field of [...(usable ?? []), ...shipped]) {
    const key = headingKey(field.label);
    if (key !== "" && !map.has(key)) map.set(key, field);
  }
  for (const field of [...(usable ?? []), ...shipped]) {
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
    const m = /^\s*[-*+]\s+\[([ xX])\](.*)$/.exec(line);
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

/** "Meta (Facebook)" → "Meta ": the text before the first `(`, dash or colon (one linear scan). */
function headOf(text: string): string {
  const m = /[(—–:]| - /.exec(text);
  return m ? text.slice(0, m.index) : text;
}

/** A channel as the form names it ("meta" → "Meta"), or the text as given. */
export function canonicalChannel(value: string): string {
  const key = headingKey(value);
  for (const channel of CHANNELS) if (headingKey(channel) === key) return channel;
  const alias = CHANNEL_ALIASES[key];
  if (alias) return alias;
  // "Meta (Facebook, Instagram)" or "Google — Search": the head names the channel.
  const head = headingKey(headOf(key));
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
  // The first "only"/"just" decides: a later one has no "report" after it that the first lacks
  // (one `.*` per occurrence would be quadratic on "only only only …").
  const only = /\b(?:only|just)\b/.exec(v);
  if ((only && /\breport/.test(v.slice(only.index))) || /\breporting only\b/.test(v)) return "reporting-only";
  if (/\b(orders|revenue|sales)\b/.test(v)) return "business";
  // A renamed option keeps its place in the list: yes, no, not sure.
  const index = optionIndex(value, field);
  return index >= 0 && index < OUTCOMES.length ? OUTCOMES[index] : undefined;
}

function toSeverity(value: string, field: FormField): Severity | undefined {
  const m = /\bsev(?:erity)?\s*(?:[-:]\s*)?([123])\b/i.exec(value) ?? /^\s*([123])\b/.exec(value);
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
  const direct = toLayer(v) ?? toLayer(headOf(v).trimEnd());
  if (direct) return direct;
  // "Probably measurement (pixel)": the first layer word in the answer.
  let best: { at: number; layer: Layer } | undefined;
  for (const [alias, layer] of Object.entries(LAYER_ALIASES)) {
    const at = v.search(new RegExp(`\\b${alias.replace(/[-]/g, "\\-")}\\b`));
    if (at >= 0 && (!best || at < best.at)) best = { at, layer };
  }
  return best?.layer;
}

// ---------------------------------------------------------------------------------------
// The declaration

function emptyDeclaration(): Declaration {
  return { isForm: false, scope: [], threshold: [], missing: [...MISSING_ITEMS] };
}

function dedupe(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function build(body: string, templateYaml: string, shippedYaml: string): Declaration {
  const shipped = formFields(shippedYaml) ?? [];
  const found = sections(body.length > MAX_BODY ? body.slice(0, MAX_BODY) : body, headingMap(templateYaml, shipped));
  const section = (id: string): Section | undefined => found.get(id);
  if (!shipped.some((f) => f.id !== undefined && found.has(f.id))) return emptyDeclaration();

  const text = (id: string): string | undefined => answer(section(id));
  const fieldOf = (id: string): FormField =>
    section(id)?.field ?? shipped.find((f) => f.id === id) ?? { type: "input", label: id, options: [], multiple: false, required: false };

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
 * else the shipped form; `shippedYaml` is the shipped form, whose labels are read too
 * (issues opened before a rename) and stand in for a broken or unrelated template.
 * Never throws: a body that holds none of the form's fields (an issue labelled `incident`
 * by hand, null, odd input) gives `isForm: false`, empty answers and every triage item in
 * `missing`. Missing required answers are tolerated (private repositories do not enforce
 * `required`).
 */
export function parseDeclaration(body: string | null, templateYaml: string, shippedYaml: string): Declaration {
  if (typeof body !== "string" || body.trim() === "") return emptyDeclaration();
  try {
    const text = (yaml: string): string => (typeof yaml === "string" ? yaml : "");
    const result = DeclarationSchema.safeParse(build(body, text(templateYaml), text(shippedYaml)));
    return result.success ? result.data : emptyDeclaration();
  } catch {
    return emptyDeclaration();
  }
}

/**
 * Whether a body is a submission of this form (the repository's, else the shipped one). GitHub
 * renders every field of a submitted form as a `### label` heading — unanswered ones as
 * `_No response_` — so a body that holds the heading of each field is one. This is how an
 * issue GitHub opened without the form's labels (they did not exist in the repository yet) is
 * still recognised as a declaration; a hand-written issue or another form's submission is not.
 */
export function isFormSubmission(body: string | null, templateYaml: string): boolean {
  if (typeof body !== "string" || body.trim() === "") return false;
  const fields = formFields(templateYaml);
  if (!fields || fields.length === 0) return false;
  const found = sections(body.length > MAX_BODY ? body.slice(0, MAX_BODY) : body, headingMap(templateYaml, fields));
  return fields.every((f) => found.has(f.id ?? `label:${f.label}`));
}
