// The files Firebreak ships in templates/: read from the package (App, CLI) or the Action's
// checkout, both of which lay templates/ beside build/ and dist/.
import { readFileSync } from "node:fs";
import type { ShippedTemplates } from "./github/shell/deps.js";

export function templatePath(name: string): URL {
  return new URL(`../templates/${name}`, import.meta.url);
}

export function readTemplate(name: string): string {
  return readFileSync(templatePath(name), "utf8");
}

export function shippedTemplates(): ShippedTemplates {
  return { form: readTemplate("ISSUE_TEMPLATE/marketing-incident.yml"), postmortem: readTemplate("postmortem.md") };
}
