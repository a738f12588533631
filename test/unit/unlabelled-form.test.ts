// A form submission GitHub left without its labels (they did not exist yet) is still a
// declaration: the core routes it to a form check, and the body is matched through the form.
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { DEFAULT_CONFIG } from "../../src/core/config.js";
import { routeIssueEvent } from "../../src/core/decide/needs.js";
import { isFormSubmission } from "../../src/core/declaration/form.js";
import type { IssueView } from "../../src/core/model/incident.js";

const fixture = (path: string) => readFileSync(new URL(`../fixtures/forms/${path}`, import.meta.url), "utf8");
const SHIPPED = readFileSync(new URL("../../templates/ISSUE_TEMPLATE/marketing-incident.yml", import.meta.url), "utf8");
const FULL = fixture("full-form/issue.md");

const issue = (body: string, labels: string[] = []): IssueView => ({
  number: 7, title: "t", body, state: "open", html_url: "u", created_at: "2026-11-24T09:00:00Z", user: { login: "dana" }, labels, assignees: [],
}) as unknown as IssueView;
const opened = { kind: "declare", at: "2026-11-24T09:00:00Z", actor: "dana" } as const;

it("routes an unlabelled opened issue with form headings to the form check; others stay ignored", () => {
  expect(routeIssueEvent(opened, issue(FULL), DEFAULT_CONFIG, "firebreak[bot]")).toEqual({ kind: "unlabelled-form", event: opened });
  expect(routeIssueEvent(opened, issue("Who owns the pixel?"), DEFAULT_CONFIG, "firebreak[bot]")).toEqual({ kind: "ignore", reason: "not labelled as an incident" });
  // Labelled: declared as before.
  expect(routeIssueEvent(opened, issue(FULL, ["incident"]), DEFAULT_CONFIG, "firebreak[bot]")).toMatchObject({ kind: "incident", declaring: true });
  // Only on opened: a later label event on an unlabelled issue is not a form submission.
  const labeled = { kind: "label", at: opened.at, actor: "dana", label: "bug", added: true } as const;
  expect(routeIssueEvent(labeled, issue(FULL), DEFAULT_CONFIG, "firebreak[bot]")).toMatchObject({ kind: "ignore" });
});

it("a body is a submission when it holds the heading of every field of the form", () => {
  expect(isFormSubmission(FULL, SHIPPED)).toBe(true);
  expect(isFormSubmission(fixture("all-empty/issue.md"), SHIPPED)).toBe(true); // `_No response_` everywhere still is the form
  expect(isFormSubmission("### Steps to reproduce\n\nOpen /about\n\n### Expected\n\nNo typo\n", SHIPPED)).toBe(false);
  expect(isFormSubmission("### What are you seeing?\n\nonly one heading\n", SHIPPED)).toBe(false);
  // Headings inside a code block do not count.
  expect(isFormSubmission(`\`\`\`\n${FULL}\n\`\`\`\n`, SHIPPED)).toBe(false);
  expect(isFormSubmission(null, SHIPPED)).toBe(false);
  expect(isFormSubmission(FULL, "not: [a form")).toBe(false);
});
