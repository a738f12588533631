// The issue form is valid against SchemaStore's github-issue-forms.json (SPEC §12), has
// exactly the field ids and types of SPEC §3, and this repository's copy is the shipped one.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { parse as parseYaml } from "yaml";
import { describe, expect, it } from "vitest";
import { CHANNELS } from "../../src/core/model/domain.js";

const root = join(import.meta.dirname, "..", "..");
const copies = {
  shipped: join(root, "templates", "ISSUE_TEMPLATE", "marketing-incident.yml"),
  repository: join(root, ".github", "ISSUE_TEMPLATE", "marketing-incident.yml"),
};
const schema = JSON.parse(readFileSync(join(root, "test", "fixtures", "github-issue-forms.schema.json"), "utf8")) as object;

interface FormItem {
  type: string;
  id?: string;
  attributes: { label?: string; options?: (string | { label: string })[]; multiple?: boolean; value?: string };
  validations?: { required?: boolean };
}
interface Form {
  name: string;
  title?: string;
  labels?: string[];
  body: FormItem[];
}

function load(path: string): { text: string; form: Form } {
  const text = readFileSync(path, "utf8");
  return { text, form: parseYaml(text) as Form };
}

describe("marketing-incident issue form", () => {
  it("the repository's copy is identical to the shipped form", () => {
    expect(readFileSync(copies.repository, "utf8")).toBe(readFileSync(copies.shipped, "utf8"));
  });

  // Draft-07, Ajv's default; the schema compiles in strict mode as it is.
  const ajv = new Ajv({ allErrors: true });
  const validate = ajv.compile(schema);

  it.each(Object.entries(copies))("%s copy is valid against SchemaStore's github-issue-forms schema", (_name, path) => {
    const valid = validate(load(path).form);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it("the schema is the real one: it rejects a broken form", () => {
    expect(validate({ name: "x", description: "y", body: [{ type: "dropdown", id: "bad id!", attributes: { label: "L" } }] })).toBe(
      false,
    );
    expect(validate({ name: "x", body: [] })).toBe(false);
  });

  const { form } = load(copies.shipped);
  const fields = form.body.filter((b) => b.type !== "markdown");
  const byId = new Map(fields.map((f) => [f.id, f]));

  it("is named, titled and labelled for incidents", () => {
    expect(form.name).toBe("Marketing incident");
    expect(form.labels).toEqual(["incident"]);
    expect(form.title).toBe("[Incident] ");
  });

  it("has exactly the field ids and types of SPEC §3, in order", () => {
    expect(fields.map((f) => [f.id, f.type, f.validations?.required === true])).toEqual([
      ["symptom", "textarea", true],
      ["started", "input", true],
      ["detected", "input", false],
      ["scope", "dropdown", false],
      ["scope-detail", "textarea", false],
      ["outcomes", "dropdown", true],
      ["what-changed", "textarea", false],
      ["layer", "dropdown", false],
      ["severity", "dropdown", true],
      ["threshold", "checkboxes", false],
      ["containment", "textarea", false],
      ["cost", "input", false],
    ]);
  });

  it("scope is a multi-select of the channels", () => {
    expect(byId.get("scope")?.attributes.multiple).toBe(true);
    expect(byId.get("scope")?.attributes.options).toEqual([...CHANNELS]);
  });

  it("outcomes separates business change from reporting change", () => {
    expect(byId.get("outcomes")?.attributes.options).toEqual([
      "Yes — orders or revenue changed",
      "No — only platform reporting changed",
      "Not sure yet",
    ]);
  });

  it("layer offers not sure and the five layers", () => {
    expect(byId.get("layer")?.attributes.options).toEqual([
      "Not sure",
      "Economics",
      "Measurement",
      "Conversion",
      "Delivery",
      "Business operations",
    ]);
  });

  it("severity offers SEV1-3, each with a one-line meaning", () => {
    const options = (byId.get("severity")?.attributes.options ?? []) as string[];
    expect(options).toHaveLength(3);
    options.forEach((o, i) => {
      expect(o).toMatch(new RegExp(`^SEV${i + 1} — (critical|major|minor): \\S.+$`));
      expect(o).not.toContain("\n");
    });
  });

  it("threshold has exactly the three reasons", () => {
    const options = (byId.get("threshold")?.attributes.options ?? []).map((o) => (typeof o === "string" ? o : o.label));
    expect(options).toEqual([
      "Waiting costs materially more",
      "It changes near-term decisions",
      "It needs a coordinated response across teams, systems or channels",
    ]);
  });

  it("every field has a label and a description for the person filling it in", () => {
    for (const f of fields) {
      expect(f.attributes.label, f.id).toBeTruthy();
      expect((f.attributes as { description?: string }).description, f.id).toBeTruthy();
    }
    expect(new Set(fields.map((f) => f.attributes.label)).size).toBe(fields.length);
  });
});
