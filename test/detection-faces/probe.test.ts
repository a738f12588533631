import { it } from "vitest";
import { detect, parseKpi, replay, newestAt, detectionSchema } from "../../src/core/detection/index.js";
import { hourlyKpi } from "./kpi.js";
it("probe", () => {
  const cfg = detectionSchema.parse({});
  for (const breaks of [[], [{ channel: "meta", metric: "spend", hoursBeforeEnd: 12, factor: 0.05 }], [{ channel: "meta", metric: "spend", hoursBeforeEnd: 30, endsHoursBeforeEnd: 14, factor: 0.05 }]]) {
    const text = hourlyKpi({ end: "2026-11-28T15:00:00Z", breaks });
    const p = parseKpi(text, { format: "csv" });
    if (!p.ok) { console.log(p.error); continue; }
    const at = newestAt(p.data);
    console.log("at", at, "detect", JSON.stringify(detect(p.data, cfg, { at })));
    console.log("replay", JSON.stringify(replay(p.data, cfg)));
  }
});
