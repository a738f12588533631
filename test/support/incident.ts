// Incident issues as Firebreak leaves them after a declaration: built by the real core.
import { decide } from "../../src/core/decide/decide.js";
import { DEFAULT_CONFIG } from "../../src/core/config.js";
import { issueViewSchema } from "../../src/core/model/incident.js";
import { shippedTemplates } from "../../src/templates.js";
import { FULL_FORM, issuesEvent } from "./payloads.js";

/** The body and labels of a freshly declared incident (issue #1, declared at 10:20 UTC). */
export function declaredIssue(form = FULL_FORM): { body: string; labels: string[] } {
  const payload = issuesEvent("opened", { body: form });
  const issue = issueViewSchema.parse(payload.issue);
  const result = decide({
    event: { kind: "declare", at: issue.created_at, actor: "Codertocat" },
    issue,
    config: DEFAULT_CONFIG,
    formTemplate: shippedTemplates().form,
    shippedForm: shippedTemplates().form,
    mayCommand: () => true,
    isBot: (l) => l.endsWith("[bot]"),
  });
  const update = result.plan.update;
  if (!update?.body || !update.labels) throw new Error("declaration wrote no card");
  return { body: update.body, labels: update.labels };
}
