// Tests use the fixture site (src/dev/fixture-site.ts); this re-export keeps test
// imports short and the fixture in one place.
export * from "../../src/dev/fixture-site.js";

import type { QaReport } from "../../src/tracking-qa/run.js";
import type { StepResult } from "../../src/core/tracking-qa/evaluation.js";

/** Looks up a step's result, and its expectations' statuses, in a report a test holds. */
export function reportLookup(report: () => QaReport) {
  const step = (path: string): StepResult => {
    const found = report().steps.find((s) => s.path === path);
    if (!found) throw new Error(`no result for ${path}`);
    return found;
  };
  const statuses = (path: string) => Object.fromEntries(step(path).expectations.map((e) => [e.expectation, e.status]));
  return { step, statuses };
}
