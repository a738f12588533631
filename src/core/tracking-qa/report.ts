// A QA run as GitHub Markdown: one table row per step × expectation, and the failures that
// decide whether a run passed.
import type { ExpectationStatus, StepResult } from "./evaluation.js";
import { cell, shorten } from "./evidence.js";

// Reporting

const ICONS: Record<ExpectationStatus, string> = {
  ok: "✅",
  missing: "❌",
  "wrong-id": "❌",
  duplicate: "❌",
  error: "❌",
  "needs-browser": "⚠️",
};

/** GitHub Markdown: one row per step × expectation, with what was seen. */
export function renderQaTable(results: readonly StepResult[]): string {
  const lines = ["| Step | Expectation | Result | Seen |", "| --- | --- | --- | --- |"];
  for (const r of results) {
    const step = `\`${cell(r.path)}\`${r.httpStatus !== undefined ? ` (HTTP ${r.httpStatus})` : ""}`;
    if (r.expectations.length === 0) {
      const ok = r.error === undefined;
      lines.push(`| ${step} | page answers | ${ok ? "✅ ok" : "❌ error"} | ${cell(r.error ?? "2xx/3xx")} |`);
      continue;
    }
    for (const e of r.expectations) {
      lines.push(`| ${step} | \`${cell(e.expectation)}\` | ${ICONS[e.status]} ${e.status} | ${cell(shorten(e.seen, 300))} |`);
    }
  }
  return lines.join("\n");
}

export interface QaFailure {
  path: string;
  url: string;
  /** The expectation, or "page" when the page itself failed and had no expectations. */
  expectation: string;
  status: Exclude<ExpectationStatus, "ok" | "needs-browser">;
  seen: string;
}

export interface QaSummary {
  passed: boolean;
  failures: QaFailure[];
  /** Checks that only the browser stage can answer; reported, not failed. */
  needsBrowser: number;
  checks: number;
}

export function qaSummary(results: readonly StepResult[]): QaSummary {
  const failures: QaFailure[] = [];
  let needsBrowser = 0;
  let checks = 0;
  for (const r of results) {
    if (r.expectations.length === 0 && r.error !== undefined) {
      failures.push({ path: r.path, url: r.url, expectation: "page", status: "error", seen: r.error });
    }
    for (const e of r.expectations) {
      checks += 1;
      if (e.status === "needs-browser") needsBrowser += 1;
      else if (e.status !== "ok") failures.push({ path: r.path, url: r.url, expectation: e.expectation, status: e.status, seen: e.seen });
    }
  }
  return { passed: failures.length === 0, failures, needsBrowser, checks };
}
