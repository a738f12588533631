// The rules of SPEC §15 with a stepping clock: who owes what, from when, one window at a time.
import { describe, expect, it } from "vitest";
import { renderBody } from "../../src/core/card.js";
import { DEFAULT_CONFIG, resolveConfig } from "../../src/core/config.js";
import { nudgeKeysIn, nudgeMarker } from "../../src/core/model/markers.js";
import type { IncidentState } from "../../src/core/model/incident.js";
import { deadlinesLine, incidentOverdue, nudgeText, overdueAt, postmortemDeadline } from "../../src/core/nudges/rules.js";
import { declaredIncident } from "../support/incident-factory.js";

const MIN = 60_000;
const DECLARED = "2026-11-24T09:00:00.000Z";

/** The pass's time, stepped from the declaration. */
const after = (minutes: number) => new Date(Date.parse(DECLARED) + minutes * MIN).toISOString();

/** Every reminder key a pass would send at each step of a clock: what "one per window" means. */
function keysOverTime(state: IncidentState, steps: number[], config = DEFAULT_CONFIG): string[][] {
  return steps.map((m) => incidentOverdue(state, config, after(m)).map((o) => o.key));
}

const owned = (patch: Partial<IncidentState> = {}): IncidentState =>
  declaredIncident({ status: "investigating", roles: { owner: "olga-owner" }, times: { owner: after(5) }, ...patch });

describe("no owner within owner_within", () => {
  it("reminds the notify list for the severity once per window, counted from the declaration", () => {
    const config = resolveConfig({ notify: { 2: ["acme/incident-leads", "maya-ops"] } }).config;
    const state = declaredIncident();
    // SEV2: owner within 1h. Nothing before 10:00, one key per hour after it.
    expect(keysOverTime(state, [0, 59, 60, 61, 119, 120, 185], config)).toEqual([
      [],
      [],
      ["owner@2026-11-24T10:00:00.000Z"],
      ["owner@2026-11-24T10:00:00.000Z"],
      ["owner@2026-11-24T10:00:00.000Z"],
      ["owner@2026-11-24T11:00:00.000Z"],
      ["owner@2026-11-24T12:00:00.000Z"],
    ]);
    expect(incidentOverdue(state, config, after(60))[0]?.to).toEqual(["acme/incident-leads", "maya-ops"]);
  });

  it("reminds the detector when the severity has no notify list, and follows owner_within per severity", () => {
    const state = declaredIncident({ severity: 1 });
    expect(keysOverTime(state, [14, 15, 29, 30])).toEqual([[], ["owner@2026-11-24T09:15:00.000Z"], ["owner@2026-11-24T09:15:00.000Z"], ["owner@2026-11-24T09:30:00.000Z"]]);
    expect(incidentOverdue(state, DEFAULT_CONFIG, after(15))[0]?.to).toEqual(["dana-detects"]);
    const slow = resolveConfig({ severities: { 1: { owner_within: "45m" } } }).config;
    expect(keysOverTime(state, [44, 45], slow)).toEqual([[], ["owner@2026-11-24T09:45:00.000Z"]]);
  });

  it("stops once someone owns it; the update rule takes over", () => {
    expect(keysOverTime(owned(), [61, 200])).toEqual([[], []]);
    expect(incidentOverdue(owned(), DEFAULT_CONFIG, after(240)).map((o) => o.rule)).toEqual(["update"]);
  });
});

describe("no update within update_every", () => {
  it("reminds the owner a period after the declaration, then every period, until an update", () => {
    // SEV2: every 4h from 09:00 (the declaration stands for the first update).
    expect(keysOverTime(owned(), [239, 240, 479, 480])).toEqual([[], ["update@2026-11-24T13:00:00.000Z"], ["update@2026-11-24T13:00:00.000Z"], ["update@2026-11-24T17:00:00.000Z"]]);
    expect(incidentOverdue(owned(), DEFAULT_CONFIG, after(240))[0]?.to).toEqual(["olga-owner"]);
  });

  it("a reminder, then an update, then silence until a period after the update", () => {
    const state = owned();
    expect(keysOverTime(state, [250])).toEqual([["update@2026-11-24T13:00:00.000Z"]]);
    const updated = owned({ updates: [{ at: after(255), by: "olga-owner", fields: { symptom: "still down" }, missing: [] }] });
    // 13:15 update: due again at 17:15, not at 17:00.
    expect(keysOverTime(updated, [256, 400, 494, 495])).toEqual([[], [], [], ["update@2026-11-24T17:15:00.000Z"]]);
  });

  it("owes nothing once the incident is resolved, closed or dismissed", () => {
    for (const status of ["resolved", "closed", "postmortem-complete", "dismissed", "routine-variance"] as const) {
      expect(incidentOverdue(owned({ status }), DEFAULT_CONFIG, after(10_000)), status).toEqual([]);
      expect(incidentOverdue(declaredIncident({ status }), DEFAULT_CONFIG, after(10_000)), status).toEqual([]);
    }
  });
});

describe("a next check past due", () => {
  const check = { text: "compare Shopify orders with Meta purchases", by: "olga-owner", at: after(20), assignee: "priya-data", due: after(50) };

  it("reminds whoever runs it from its due time, once per update period", () => {
    const state = owned({ check, updates: [{ at: after(10), by: "olga-owner", fields: {}, missing: [] }] });
    expect(keysOverTime(state, [49, 50]).map((k) => k.filter((x) => x.startsWith("check")))).toEqual([[], ["check@2026-11-24T09:50:00.000Z"]]);
    expect(incidentOverdue(state, DEFAULT_CONFIG, after(50)).find((o) => o.rule === "check")?.to).toEqual(["priya-data"]);
    expect(incidentOverdue(state, DEFAULT_CONFIG, after(50 + 240)).find((o) => o.rule === "check")?.key).toBe("check@2026-11-24T13:50:00.000Z");
  });

  it("the one who set it runs it when nobody was named; an update after it answers it; no due time, no reminder", () => {
    const { assignee: _unused, ...unnamed } = check;
    expect(incidentOverdue(owned({ check: unnamed }), DEFAULT_CONFIG, after(60)).find((o) => o.rule === "check")?.to).toEqual(["olga-owner"]);
    const answered = owned({ check, updates: [{ at: after(55), by: "priya-data", fields: {}, missing: [] }] });
    expect(incidentOverdue(answered, DEFAULT_CONFIG, after(60)).map((o) => o.rule)).toEqual([]);
    const { due: _none, ...open } = check;
    expect(incidentOverdue(owned({ check: open }), DEFAULT_CONFIG, after(60))).toEqual([]);
  });

  it("lists what is overdue the longest first", () => {
    const state = declaredIncident({ check: { ...check, due: after(30) } });
    expect(incidentOverdue(state, DEFAULT_CONFIG, after(61)).map((o) => o.rule)).toEqual(["check", "owner"]);
  });
});

describe("a postmortem past its Due: date", () => {
  const body = "<!-- firebreak:postmortem incident=7 -->\n# Postmortem\n\nDue: 2026-11-29\n";
  const deadline = postmortemDeadline(body, ["olga-owner"])!;

  it("reminds its owner once the due day is over, then weekly", () => {
    expect(overdueAt(deadline, "2026-11-29T23:59:59Z")).toBeUndefined();
    expect(overdueAt(deadline, "2026-11-30T00:00:00Z")?.key).toBe("postmortem@2026-11-30T00:00:00.000Z");
    expect(overdueAt(deadline, "2026-12-06T23:59:00Z")?.key).toBe("postmortem@2026-11-30T00:00:00.000Z");
    expect(overdueAt(deadline, "2026-12-07T00:00:00Z")?.key).toBe("postmortem@2026-12-07T00:00:00.000Z");
    expect(deadline.to).toEqual(["olga-owner"]);
  });

  it("has no deadline without a Due: line", () => {
    expect(postmortemDeadline("# Postmortem\n\nDue soon", [])).toBeUndefined();
  });
});

describe("reminders and their keys", () => {
  it("mention exactly who owes the move and name the next reminder", () => {
    const [overdue] = incidentOverdue(owned(), DEFAULT_CONFIG, after(250));
    const text = nudgeText(overdue!, owned(), DEFAULT_CONFIG);
    expect(text).toContain("@olga-owner");
    expect(text.match(/@/g)).toHaveLength(1);
    expect(text).toContain("every 4h; the last was at 2026-11-24 09:00 UTC");
    expect(text).toContain("reminds again at 2026-11-24 17:00 UTC");
  });

  it("never echo a check's text as a mention", () => {
    const state = owned({ check: { text: "ask @everyone in #12", by: "olga-owner", at: after(20), due: after(30) } });
    const check = incidentOverdue(state, DEFAULT_CONFIG, after(40)).find((o) => o.rule === "check")!;
    expect(nudgeText(check, state, DEFAULT_CONFIG)).not.toContain("@everyone");
  });

  it("round-trip through the hidden marker, and nothing else parses as one", () => {
    expect(nudgeKeysIn(`hi\n${nudgeMarker("update", "2026-11-24T13:00:00.000Z")}`)).toEqual(["update@2026-11-24T13:00:00.000Z"]);
    expect(nudgeKeysIn("<!-- firebreak:nudge rule=update window=--> -->")).toEqual([]);
  });
});

describe("the card's Due line", () => {
  it("shows each deadline with its time and marks it once overdue at the card's time", () => {
    expect(deadlinesLine(owned(), DEFAULT_CONFIG, after(10))).toBe("**Due** update by 2026-11-24 13:00 UTC (`olga-owner`)");
    expect(deadlinesLine(declaredIncident(), DEFAULT_CONFIG, after(90))).toBe("**Due** owner ⚠️ **overdue** since 2026-11-24 10:00 UTC (`dana-detects`)");
    expect(deadlinesLine(owned({ status: "resolved" }), DEFAULT_CONFIG, after(90))).toBeUndefined();
    expect(renderBody(owned(), "", { config: DEFAULT_CONFIG, now: after(10) })).toContain("**Due** update by 2026-11-24 13:00 UTC");
  });
});
