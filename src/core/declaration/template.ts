// The issue form's template (templates/ISSUE_TEMPLATE/marketing-incident.yml, or the
// repository's own): its fields read from the YAML, and answers rendered as GitHub renders a
// submitted form. The core reads no files: callers pass the template text.

import { parse as parseYaml } from "yaml";
import { z } from "zod";

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

/** Parses a template; `formFields` caches it. */
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

/** The fields of a template, or undefined when the YAML is broken or holds no usable field. */
export function formFields(templateYaml: string): FormField[] | undefined {
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
    return (formFields(templateYaml) ?? []).flatMap((f) => (f.id ? [f.id] : []));
  } catch {
    return [];
  }
}

/** How a heading is compared with a label: GitHub copies labels verbatim, people do not. */
export function headingKey(text: string): string {
  return text.normalize("NFKC").replace(/\s+/g, " ").trim().replace(/:$/, "").trim().toLowerCase();
}

/** Answers to render as a submitted form: text, or for dropdowns and checkboxes the options chosen (a prefix is enough). */
export type FormAnswers = Partial<Record<string, string | readonly string[]>>;

/**
 * Renders answers the way GitHub renders a submitted issue form (`### label`, `_No response_`,
 * `- [X]`), through the given template's labels and options, so that issues Firebreak opens
 * itself parse like any person's.
 */
export function renderFormBody(answers: FormAnswers, templateYaml: string): string {
  const fields = formFields(templateYaml) ?? [];
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
