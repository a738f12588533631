import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { describe, expect, it } from "vitest";
import { parseCost } from "../../src/core/declaration/cost.js";
import { DeclarationSchema, MISSING_ITEMS, parseDeclaration } from "../../src/core/declaration/form.js";
import { formFieldIds, formFields } from "../../src/core/declaration/template.js";

const root = join(import.meta.dirname, "..", "..");
const fixtures = join(root, "test", "fixtures", "forms");
const shipped = readFileSync(join(root, "templates", "ISSUE_TEMPLATE", "marketing-incident.yml"), "utf8");
const shippedFields = formFields(shipped) ?? [];

describe("parseDeclaration: fixtures (template.yml, issue.md, expected.json)", () => {
  const cases = readdirSync(fixtures, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();

  it("has the cases the parser must handle", () => {
    expect(cases).toEqual(
      expect.arrayContaining([
        "full-form",
        "all-empty",
        "renamed-labels",
        "code-fence",
        "lowercase-x",
        "multi-select-scope",
        "not-a-form",
        "missing-required",
        "crlf-line-endings",
      ]),
    );
  });

  it.each(cases)("%s", (name) => {
    const dir = join(fixtures, name);
    const templatePath = join(dir, "template.yml");
    const template = existsSync(templatePath) ? readFileSync(templatePath, "utf8") : shipped;
    let body = readFileSync(join(dir, "issue.md"), "utf8");
    // Whatever a checkout does to line endings, this case must reach the parser as CRLF.
    if (name === "crlf-line-endings" && !body.includes("\r\n")) body = body.replace(/\n/g, "\r\n");
    const expected: unknown = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8"));
    const declaration = parseDeclaration(body, template, shipped);
    expect(declaration).toEqual(expected);
    expect(DeclarationSchema.safeParse(declaration).success).toBe(true);
  });
});

/** A body as GitHub renders the shipped form, from answers by field id. */
function render(answers: Record<string, string>): string {
  return shippedFields.filter((f) => f.id !== undefined && answers[f.id] !== undefined)
    .map((f) => `### ${f.label}\n\n${answers[f.id ?? ""]}`)
    .join("\n\n");
}

describe("parseDeclaration: headings and markup", () => {
  it("reads a heading with trailing spaces, a closing #-sequence and odd spacing", () => {
    const d = parseDeclaration("###   What are you seeing?   ##  \n\nCVR down\n\n### Severity\n\nSEV1", shipped, shipped);
    expect(d.symptom).toBe("CVR down");
    expect(d.severity).toBe(1);
  });

  it("ignores ####, indented and quoted headings", () => {
    const body = "### What are you seeing?\n\nA\n#### Severity\n    ### Severity\n> ### Severity\n\nB";
    const d = parseDeclaration(body, shipped, shipped);
    expect(d.symptom).toBe("A\n#### Severity\n    ### Severity\n> ### Severity\n\nB");
    expect(d.severity).toBeUndefined();
  });

  it("does not let an unclosed fence swallow later fields", () => {
    const d = parseDeclaration(render({ symptom: "pasted ``` by accident", severity: "SEV2" }).replace("pasted ", "```\n"), shipped, shipped);
    expect(d.severity).toBe(2);
  });

  it("treats headings inside a multi-line HTML comment as hidden text", () => {
    const body = "### What are you seeing?\n\nA\n<!--\n### Severity\nSEV1\n-->\n\n### Likely layer\n\nDelivery";
    const d = parseDeclaration(body, shipped, shipped);
    expect(d.severity).toBeUndefined();
    expect(d.layer).toBe("delivery");
    expect(d.symptom).toContain("<!--");
  });

  it("skips Firebreak's own regions wherever they are", () => {
    const body = `${render({ symptom: "A" })}\n\n<!-- firebreak:card:start -->\n### Severity\n\nSEV1\n<!-- firebreak:card:end -->\n\n### Severity\n\nSEV3`;
    const d = parseDeclaration(body, shipped, shipped);
    expect(d.symptom).toBe("A");
    expect(d.severity).toBe(3);
  });

  it("keeps the first of two identical headings and treats the second as answer text", () => {
    const d = parseDeclaration("### Severity\n\nSEV2\n\n### Severity\n\nSEV1", shipped, shipped);
    expect(d.severity).toBe(2);
  });

  it("reads bare field ids as headings (hand-written declarations)", () => {
    const d = parseDeclaration("### symptom\n\nAll spend stopped\n\n### severity\n\n1\n\n### threshold\n\n- [x] waiting costs", shipped, shipped);
    expect(d).toMatchObject({ isForm: true, symptom: "All spend stopped", severity: 1, threshold: ["waiting costs"] });
  });

  it("still reads the shipped labels after a repository renamed its own", () => {
    const custom = "name: X\ndescription: Y\nbody:\n  - type: textarea\n    id: symptom\n    attributes:\n      label: Symptom\n";
    const d = parseDeclaration(render({ symptom: "old wording", severity: "SEV3" }), custom, shipped);
    expect(d).toMatchObject({ symptom: "old wording", severity: 3 });
  });

  it("falls back to the shipped form when the template knows none of Firebreak's ids", () => {
    const bugForm =
      "name: Bug\ndescription: A bug\nbody:\n  - type: textarea\n    id: what-happened\n    attributes:\n      label: What are you seeing?\n";
    const d = parseDeclaration(render({ symptom: "S", severity: "SEV2" }), bugForm, shipped);
    expect(d).toMatchObject({ isForm: true, symptom: "S", severity: 2 });
  });

  it.each([
    ["null", null],
    ["empty", ""],
    ["whitespace", "  \n\t\r\n"],
    ["only a card", "<!-- firebreak:card:start -->\n### Severity\n\nSEV1\n<!-- firebreak:card:end -->"],
  ])("returns an empty non-form declaration for %s", (_name, body) => {
    expect(parseDeclaration(body, shipped, shipped)).toEqual({ isForm: false, scope: [], threshold: [], missing: [...MISSING_ITEMS] });
  });

  it.each([
    ["broken YAML", "body: [unclosed"],
    ["YAML that is not a form", "just a string"],
    ["empty", ""],
    ["aliases bomb", 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n'],
  ])("falls back to the shipped labels with a template that is %s", (_name, template) => {
    const d = parseDeclaration(render({ symptom: "S", scope: "Meta, Google" }), template, shipped);
    expect(d).toMatchObject({ isForm: true, symptom: "S", scope: ["Meta", "Google"] });
  });
});

describe("parseDeclaration: answers", () => {
  it.each([
    ["Yes — orders or revenue changed", "business"],
    ["No — only platform reporting changed", "reporting-only"],
    ["Not sure yet", "not-sure"],
    ["no, just the reporting", "reporting-only"],
    ["Revenue is down", "business"],
  ] as const)("outcomes %j -> %s", (answer, expected) => {
    expect(parseDeclaration(render({ outcomes: answer }), shipped, shipped).outcomes).toBe(expected);
  });

  it("maps renamed outcome and severity options by their place in the template", () => {
    const template = [
      "name: X",
      "description: Y",
      "body:",
      "  - type: dropdown",
      "    id: outcomes",
      "    attributes: { label: Money?, options: [Real impact, Dashboards lie, Dunno] }",
      "  - type: dropdown",
      "    id: severity",
      "    attributes: { label: Urgency, options: [Drop everything, Today, This week] }",
    ].join("\n");
    const d = parseDeclaration("### Money?\n\nDashboards lie\n\n### Urgency\n\nThis week", template, shipped);
    expect(d).toMatchObject({ outcomes: "reporting-only", severity: 3 });
  });

  it.each([
    ["Not sure", undefined],
    ["Business operations", "operations"],
    ["Measurement", "measurement"],
    ["Probably delivery (ads rejected)", "delivery"],
    ["tracking", "measurement"],
    ["something else", undefined],
  ] as const)("layer %j -> %s", (answer, expected) => {
    expect(parseDeclaration(render({ layer: answer }), shipped, shipped).layer).toBe(expected);
  });

  it.each([
    ["SEV1 — critical: revenue or customers are hit hard right now", 1],
    ["sev 2", 2],
    ["Sev-3", 3],
    ["2", 2],
    ["critical", 1],
    ["SEV4", undefined],
  ] as const)("severity %j -> %s", (answer, expected) => {
    expect(parseDeclaration(render({ severity: answer }), shipped, shipped).severity).toBe(expected);
  });

  it("canonicalises channel names and keeps unknown ones as given", () => {
    const d = parseDeclaration(render({ scope: "facebook, Google Ads, email, TikTok, Snapchat, meta" }), shipped, shipped);
    expect(d.scope).toEqual(["Meta", "Google", "Email/SMS", "TikTok", "Snapchat"]);
  });

  it("lists only the triage items that are missing; unticked boxes are an answer", () => {
    const unticked = shippedFields.find((f) => f.id === "threshold")?.options.map((o) => `- [ ] ${o}`).join("\n") ?? "";
    const d = parseDeclaration(render({ symptom: "S", threshold: unticked }), shipped, shipped);
    expect(d.threshold).toEqual([]);
    expect(d.missing).toEqual(["start time", "scope", "outcomes", "severity"]);
  });
});

describe("parseCost", () => {
  it.each([
    ["$2,000/hour", 2000, "hour"],
    ["about 500 EUR per day", 500, "day"],
    ["1.5k/h", 1500, "hour"],
    ["€300 an hour", 300, "hour"],
    ["£1,200/hr", 1200, "hour"],
    ["~$12k per day", 12000, "day"],
    ["2.000 €/d", 2000, "day"],
    ["1-2k per day", 1500, "day"],
    ["$2,000 - $3,000 / hour", 2500, "hour"],
    ["hourly: about 1,500 USD", 1500, "hour"],
    ["daily 40k", 40000, "day"],
    ["2000 USD per 24h", 2000, "day"],
    ["since 09:00, roughly 2k/h", 2000, "hour"],
    ["$2,000/hour (~$48k per day)", 2000, "hour"],
    ["0.5 million a day", 500000, "day"],
    ["1,5k/h", 1500, "hour"],
  ] as const)("%j -> %d per %s", (text, amount, per) => {
    expect(parseCost(text)).toEqual({ amount, per, text });
  });

  it.each(["$2,000", "a lot", "per hour", "0/h", "unknown", "", "$5 per week"])("%j -> undefined", (text) => {
    expect(parseCost(text)).toBeUndefined();
  });
});

describe("the shipped form as data", () => {
  const yaml = parseYaml(shipped) as {
    body: {
      type: string;
      id?: string;
      attributes: { label?: string; options?: (string | { label: string })[]; multiple?: boolean };
      validations?: { required?: boolean };
    }[];
  };
  const fields = yaml.body.filter((b) => b.type !== "markdown");

  it("formFields reads every field of templates/ISSUE_TEMPLATE/marketing-incident.yml", () => {
    expect(
      fields.map((f) => ({
        id: f.id,
        type: f.type,
        label: f.attributes.label,
        options: (f.attributes.options ?? []).map((o) => (typeof o === "string" ? o : o.label)),
        multiple: f.type === "checkboxes" || f.attributes.multiple === true,
        required: f.validations?.required === true,
      })),
    ).toEqual(formFields(shipped));
  });

  it("formFieldIds lists the ids in form order", () => {
    expect(formFieldIds(shipped)).toEqual([
      "symptom",
      "started",
      "detected",
      "scope",
      "scope-detail",
      "outcomes",
      "what-changed",
      "layer",
      "severity",
      "threshold",
      "containment",
      "cost",
    ]);
  });

  it("formFieldIds is empty for a broken template", () => {
    expect(formFieldIds("body: [")).toEqual([]);
    expect(formFieldIds("")).toEqual([]);
  });
});

describe("parseDeclaration: GitHub's empty answers", () => {
  it("treats a dropdown's None like _No response_", () => {
    const d = parseDeclaration(render({ scope: "None", outcomes: "None", layer: "None", severity: "None", symptom: "None" }), shipped, shipped);
    expect(d).toMatchObject({ scope: [], symptom: "None" });
    expect(d.outcomes).toBeUndefined();
    expect(d.severity).toBeUndefined();
    expect(d.layer).toBeUndefined();
  });
});
