// A generated history of 200 incidents whose figures can be checked by hand. Incident i (1…200)
// is declared at FROM + 10 h·i and has:
//   layer LAYERS[(i−1) mod 5], severity (i−1) mod 3 + 1
//   start → detection i min; declaration → owner 2i min; → containment 3i min (even i);
//   → resolution 15i min and closed (i mod 4 = 0), confirmed layer = its layer, likely layer wrong when i mod 8 = 0
//   repeat of i−1 when i mod 50 = 0; peak parallel interventions i mod 7
//   cost rate €100/hour when i mod 20 = 0; postmortem 1000+i when closed: complete when i mod 8 = 0,
//   its fix linked when i mod 16 = 0, open ones due 2026-01-01 (i < 100) or 2027-12-31
//   escalated from routine variance: i ∈ {7, 77}
// plus routine variance #501…#510 (#501 and #502 declared, then /not-incident) and three
// incidents declared before the period (#901…#903).
import type { ReportInput, ReportIssue } from "../../src/core/report/metrics.js";
import { LAYERS } from "../../src/core/model/domain.js";
import { declaredIncident } from "../support/incident-factory.js";

export const FROM = "2026-09-01T00:00:00.000Z";
export const TO = "2026-11-30T00:00:00.000Z";

const at = (base: string, minutes: number) => new Date(Date.parse(base) + minutes * 60_000).toISOString();

function incident(i: number): ReportIssue {
  const declaredAt = at(FROM, i * 600);
  const layer = LAYERS[(i - 1) % 5]!;
  const closed = i % 4 === 0;
  const wrong = LAYERS[i % 5]!;
  const state = declaredIncident({
    status: closed ? "closed" : "investigating",
    severity: (((i - 1) % 3) + 1) as 1 | 2 | 3,
    declaredAt,
    declaration: {
      startedAt: at(declaredAt, -i),
      ...(i % 20 === 0 ? { cost: { amount: 100, per: "hour" as const, text: "€100/hour" } } : {}),
    },
    layer: { likely: i % 8 === 0 ? wrong : layer, confidence: "medium", source: "form", ...(closed ? { confirmed: layer } : {}) },
    maxParallel: i % 7,
    times: {
      owner: at(declaredAt, 2 * i),
      ...(i % 2 === 0 ? { contained: at(declaredAt, 3 * i) } : {}),
      ...(closed ? { resolved: at(declaredAt, 15 * i), closed: at(declaredAt, 15 * i + 60) } : {}),
    },
    ...(i % 50 === 0 ? { repeatOf: { issue: i - 1 } } : {}),
    ...(closed ? { postmortem: { issue: 1000 + i, complete: i % 8 === 0, ...(i % 16 === 0 ? { fix: "https://github.com/acme/shop/pull/1" } : {}) } } : {}),
    timeline: [{ at: declaredAt, text: i === 7 || i === 77 ? "Escalated to an incident" : "Declared", by: "dana-detects" }],
  });
  return { number: i, title: `Incident ${i}`, url: `https://github.com/acme/shop/issues/${i}`, state };
}

function variance(n: number): ReportIssue {
  const declaredAt = at(FROM, n);
  const state = declaredIncident({
    status: "routine-variance",
    declaredAt,
    timeline: [{ at: declaredAt, text: n <= 502 ? "Not an incident: normal weekend dip" : "Routine variance", by: "dana-detects" }],
  });
  return { number: n, title: `Variance ${n}`, url: `https://github.com/acme/shop/issues/${n}`, state };
}

export function history(): ReportInput {
  const incidents = Array.from({ length: 200 }, (_, k) => incident(k + 1));
  const before = [901, 902, 903].map((n) => ({ ...incident(1), number: n, state: { ...incident(1).state, declaredAt: "2026-08-01T00:00:00.000Z" } }));
  const postmortems = incidents
    .filter((r) => r.number % 4 === 0)
    .map((r) => ({ number: 1000 + r.number, incident: r.number, open: r.number % 8 !== 0, ...(r.number % 8 !== 0 ? { due: r.number < 100 ? "2026-01-01" : "2027-12-31" } : {}) }));
  return { from: FROM, to: TO, issues: [...incidents, ...Array.from({ length: 10 }, (_, k) => variance(501 + k)), ...before], postmortems };
}
