// The configuration reference comes from the zod schema: the shipped firebreak.schema.json must
// equal what the schema emits today, name every key, and accept what Firebreak accepts.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { configSchema, DEFAULT_CONFIG, resolveConfig } from "../../src/core/config.js";
import { configJsonSchema, configKeys, configReferenceMarkdown } from "../../src/core/config-reference.js";

const root = join(import.meta.dirname, "..", "..");
const schemaFile = join(root, "firebreak.schema.json");
const exampleFile = join(root, "templates", "firebreak.example.yml");

function validator() {
  const ajv = new Ajv2020({ allErrors: true, strict: true, validateFormats: false });
  return ajv.compile(configJsonSchema());
}

describe("firebreak.schema.json", () => {
  it("is exactly what the zod schema emits (regenerate: npm run build && node scripts/write-config-reference.mjs)", () => {
    const shipped: unknown = JSON.parse(readFileSync(schemaFile, "utf8"));
    expect(shipped).toEqual(configJsonSchema());
  });

  it("is draft 2020-12 with a title and no $id (no URL is ours to claim), and compiles in Ajv's strict mode", () => {
    const schema = configJsonSchema();
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(schema.$id).toBeUndefined();
    expect(schema.title).toContain("firebreak.yml");
    expect(() => validator()).not.toThrow();
  });

  it("has a property for every top-level key of the zod schema, plus `_extends`", () => {
    const properties = Object.keys(configJsonSchema().properties ?? {});
    expect(properties.sort()).toEqual(["_extends", ...Object.keys(configSchema.shape)].sort());
  });

  it.skipIf(!existsSync(exampleFile))("accepts the example config templates/firebreak.example.yml (skipped until that file exists)", () => {
    const example: unknown = parseYaml(readFileSync(exampleFile, "utf8"));
    const validate = validator();
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    // And Firebreak itself finds nothing wrong with it.
    expect(resolveConfig(example).errors).toEqual([]);
  });

  it("accepts an empty file, the defaults written out, and a typical file", () => {
    const validate = validator();
    expect(validate({})).toBe(true);
    expect(validate(JSON.parse(JSON.stringify(DEFAULT_CONFIG)))).toBe(true);
    expect(validate({ _extends: "acme/.github", labels: { severity: { 1: "P1" } }, responders: ["@alice", "acme/oncall"], notify: { 1: ["acme/leads"] } })).toBe(true);
  });

  const rejected: [string, unknown][] = [
    ["a string where a number belongs", { max_parallel_interventions: "two" }],
    ["a number out of range", { max_parallel_interventions: 0 }],
    ["a fraction where an integer belongs", { postmortem: { due_days: 2.5 } }],
    ["a bad cadence", { severities: { 1: { name: "critical", update_every: "hourly" } } }],
    ["an unknown top-level key (a typo)", { max_paralel_interventions: 3 }],
    ["an unknown nested key", { labels: { colour: "red" } }],
    ["an empty label name", { labels: { incident: "" } }],
    ["a login with spaces", { responders: ["not a login"] }],
    ["a severity outside 1–3 for tracking QA", { tracking_qa: { severity: 4 } }],
    ["a file that is not a mapping", ["a", "b"]],
  ];
  for (const [name, value] of rejected) {
    it(`rejects ${name}, as Firebreak reports it`, () => {
      expect(validator()(value)).toBe(false);
      expect(resolveConfig(value).errors.length).toBeGreaterThan(0);
    });
  }
});

describe("the Markdown configuration reference", () => {
  const markdown = configReferenceMarkdown();
  const rows = markdown.split("\n").filter((l) => l.startsWith("| `"));

  it("has a row for every top-level key of the zod schema", () => {
    for (const key of Object.keys(configSchema.shape)) {
      expect(markdown).toContain(`| \`${key}\` |`);
    }
  });

  it("has a row for every nested key, as a dotted path", () => {
    for (const path of ["labels.severity.1", "labels.status.closed", "severities.2.update_every", "postmortem.due_days", "notify.3", "tracking_qa.ids.ga4", "tracking_qa.steps[].expect"]) {
      expect(markdown).toContain(`| \`${path}\` |`);
    }
    expect(rows).toHaveLength(configKeys().length);
    expect(new Set(configKeys().map((k) => k.path)).size).toBe(rows.length);
  });

  it("shows each key's type, effective default and description", () => {
    const row = (path: string) => rows.find((r) => r.startsWith(`| \`${path}\` |`));
    expect(row("max_parallel_interventions")).toBe(
      "| `max_parallel_interventions` | integer (1–20) | `2` | active /change interventions before Firebreak warns that stacked changes blur which one worked |",
    );
    expect(row("severities.1.update_every")).toContain("| `60m` |");
    expect(row("labels.config_error")).toContain("| `firebreak-config` |");
    expect(row("gate_incident_close")).toContain("| boolean | `true` |");
    expect(row("responders")).toContain("| list of string | `[]` |");
    expect(row("tracking_qa.severity")).toContain("| one of 1, 2, 3 | `2` |");
    expect(row("postmortem.due_days")).toContain("days until the postmortem is due");
  });

  it("keeps every row a well-formed four-column table row", () => {
    for (const r of rows) expect(r.match(/(?<!\\)\|/g)).toHaveLength(5);
    expect(markdown).toContain("| key | type | default | description |");
  });
});

describe("the README's configuration reference", () => {
  it("is the table the schema generates today (run `npm run docs:config` after changing the schema)", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const start = readme.indexOf("<!-- config-reference:start -->");
    const end = readme.indexOf("<!-- config-reference:end -->");
    expect(start).toBeGreaterThan(0);
    expect(readme.slice(start + "<!-- config-reference:start -->".length, end)).toBe(`\n${configReferenceMarkdown()}\n`);
  });

  it("lists every command the registry knows, in the command reference", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    for (const name of ["owner", "responder", "comms", "severity", "layer", "update", "contain", "check", "change", "resolve", "escalate", "not-incident", "postmortem", "help"]) {
      expect(readme).toContain(`| \`/${name}`);
    }
  });
});
