// The configuration reference, generated from the zod schema so it cannot drift: the shipped
// `firebreak.schema.json` (for editors) and the README's table of every key.
// `scripts/write-config-reference.mjs` writes both from the build.
import { z } from "zod";
import { configSchema, DEFAULT_CONFIG } from "./config.js";

/** The part of JSON Schema the reference reads. */
export interface JsonSchemaNode {
  type?: string | string[];
  description?: string;
  default?: unknown;
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
  items?: JsonSchemaNode;
  additionalProperties?: boolean | JsonSchemaNode;
  propertyNames?: JsonSchemaNode;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchemaNode[];
  oneOf?: JsonSchemaNode[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  [keyword: string]: unknown;
}

function isNode(value: unknown): value is JsonSchemaNode {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Objects with named keys accept no others: Firebreak reports unknown keys as errors, so editors
 * should flag them too. (Records such as `tracking_qa.custom` keep their own rule.)
 */
function closeObjects(node: JsonSchemaNode): JsonSchemaNode {
  const out: JsonSchemaNode = {};
  for (const [keyword, value] of Object.entries(node)) {
    if (keyword === "properties" && isNode(value)) {
      out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, isNode(v) ? closeObjects(v) : v])) as Record<string, JsonSchemaNode>;
    } else if ((keyword === "items" || keyword === "additionalProperties") && isNode(value)) {
      out[keyword] = closeObjects(value);
    } else if ((keyword === "anyOf" || keyword === "oneOf" || keyword === "allOf") && Array.isArray(value)) {
      out[keyword] = value.map((v: unknown) => (isNode(v) ? closeObjects(v) : v)) as JsonSchemaNode[];
    } else {
      out[keyword] = value;
    }
  }
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

/** The JSON Schema of `.github/firebreak.yml` (draft 2020-12), as shipped in `firebreak.schema.json`. */
export function configJsonSchema(): JsonSchemaNode {
  const generated = z.toJSONSchema(configSchema, { io: "input" }) as unknown as JsonSchemaNode;
  const { $schema, properties, ...rest } = closeObjects(generated);
  return {
    // No $id: the schema has no canonical URL of its own (each fork publishes it at its own
    // address); editors reference the file, e.g. `# yaml-language-server: $schema=…`.
    $schema,
    title: "Firebreak configuration (.github/firebreak.yml)",
    description: "Every key is optional. An invalid key falls back to its default and is reported in one \"Firebreak configuration error\" issue.",
    ...rest,
    properties: {
      _extends: {
        type: "string",
        description: "inherit another file first (`.github`, `org/.github` or `org/repo:path.yml`): keys here override it, objects merge, lists replace",
      },
      ...properties,
    },
  };
}

export interface ConfigKey {
  /** Dotted path; `[]` marks the items of a list, `<name>` a key of your choosing. */
  path: string;
  type: string;
  /** The default as it would be written in the file; undefined for sections and keys without one. */
  default?: string;
  description: string;
}

function typeOf(node: JsonSchemaNode): string {
  if (node.enum) return `one of ${node.enum.map((v) => JSON.stringify(v)).join(", ")}`;
  if (node.const !== undefined) return JSON.stringify(node.const);
  const alternatives = node.anyOf ?? node.oneOf;
  if (alternatives) return alternatives.map(typeOf).join(" or ");
  const type = Array.isArray(node.type) ? node.type.join(" or ") : (node.type ?? "any");
  if (type === "array") return `list of ${node.items ? typeOf(node.items) : "any"}`;
  if (type === "object" && !node.properties && isNode(node.additionalProperties)) return `map of ${typeOf(node.additionalProperties)}`;
  const limits: string[] = [];
  if (node.minimum !== undefined && node.maximum !== undefined) limits.push(`${node.minimum}–${node.maximum}`);
  else if (node.minimum !== undefined) limits.push(`≥ ${node.minimum}`);
  else if (node.maximum !== undefined) limits.push(`≤ ${node.maximum}`);
  if (node.maxLength !== undefined) limits.push(`${node.minLength ?? 0}–${node.maxLength} characters`);
  else if (node.minLength !== undefined) limits.push(node.minLength === 1 ? "non-empty" : `≥ ${node.minLength} characters`);
  if (node.format) limits.push(node.format);
  // Short patterns say something; long ones (a login's) are noise in a table.
  if (node.pattern && node.pattern.length <= 24) limits.push(`matching \`${node.pattern}\``);
  return limits.length > 0 ? `${type} (${limits.join(", ")})` : type;
}

/** The effective default: what Firebreak uses when the key is left out. */
function defaultAt(path: readonly string[], node: JsonSchemaNode): unknown {
  if (!path.some((p) => p === "[]" || p === "<name>")) {
    let value: unknown = DEFAULT_CONFIG;
    for (const key of path) {
      value = isNode(value) ? value[key] : undefined;
      if (value === undefined) break;
    }
    if (value !== undefined) return value;
  }
  return node.default;
}

function formatDefault(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

function walk(node: JsonSchemaNode, path: string[], out: ConfigKey[]): void {
  const isSection = Boolean(node.properties);
  if (path.length > 0) {
    const value = isSection ? undefined : defaultAt(path, node);
    out.push({
      path: path.join(".").replace(/\.\[\]/g, "[]"),
      type: node.properties ? "object" : typeOf(node),
      ...(formatDefault(value) !== undefined ? { default: formatDefault(value) } : {}),
      description: node.description ?? "",
    });
  }
  for (const [key, child] of Object.entries(node.properties ?? {})) walk(child, [...path, key], out);
  if (isNode(node.items) && node.items.properties) {
    for (const [key, child] of Object.entries(node.items.properties)) walk(child, [...path, "[]", key], out);
  }
  if (!node.properties && isNode(node.additionalProperties) && node.additionalProperties.properties) {
    walk(node.additionalProperties, [...path, "<name>"], out);
  }
}

/** Every key of the file, nested keys as dotted paths, in the schema's order. */
export function configKeys(schema: JsonSchemaNode = configJsonSchema()): ConfigKey[] {
  const out: ConfigKey[] = [];
  walk(schema, [], out);
  return out;
}

function cell(text: string): string {
  return text.replace(/\r?\n/g, " ").replace(/\|/g, "\\|");
}

/** The README's configuration reference: one table row per key. */
export function configReferenceMarkdown(schema: JsonSchemaNode = configJsonSchema()): string {
  const rows = configKeys(schema).map((k) => {
    const fallback = k.default === undefined ? "—" : k.default === "" ? '`""`' : `\`${k.default.replace(/`/g, "'")}\``;
    return `| \`${cell(k.path)}\` | ${cell(k.type)} | ${cell(fallback)} | ${cell(k.description) || "—"} |`;
  });
  return [
    "<!-- Generated from the zod schema in src/core/config.ts by scripts/write-config-reference.mjs: edit the schema, not this table. -->",
    "",
    "| key | type | default | description |",
    "|---|---|---|---|",
    ...rows,
  ].join("\n");
}
