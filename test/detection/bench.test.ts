// The bench's bound on how fast any detector could raise a break (src/dev/detect-eval/bench.ts):
// a sign-up count of about one an hour cannot be told from noise in 3 hours, even if it fell to
// none; the same count read daily, or a spend collapse, can.
import { describe, expect, it } from "vitest";
import { parseKpi } from "../../src/core/detection/index.js";
import { withinReach } from "../../src/dev/detect-eval/bench.js";
import type { Kind, Step } from "../../src/dev/detect-eval/generate.js";
import { generate } from "../../src/dev/detect-eval/generate.js";

function reach(step: Step, kind: Kind): boolean {
  const g = generate({ seed: 1, step, kind });
  const parsed = parseKpi(g.csv);
  if (!parsed.ok || !g.incident) throw new Error("generated history without an incident");
  return withinReach(parsed.data, g.incident, step === "hour" ? 3 : 1);
}

describe("within reach in 3 points", () => {
  it("is out of reach for a small hourly count, within it for the same count daily", () => {
    expect(reach("hour", "unknown")).toBe(false);
    expect(reach("day", "unknown")).toBe(true);
  });

  it("is always within reach for breaks of money and clicks", () => {
    expect(reach("hour", "delivery")).toBe(true);
    expect(reach("hour", "economics")).toBe(true);
  });
});
