import { describe, expect, it } from "vitest";
import type { ClosedIncident } from "../../src/core/repeat.js";
import { findRepeat, incidentFamily, repeatNoticeForEarlierPostmortem } from "../../src/core/repeat.js";
import { closedIncident, declaredIncident } from "../support/incident-factory.js";

const INCIDENT_URL = "https://github.com/acme/shop/issues/42";

describe("repeats", () => {
  const NOW = "2026-11-24T09:00:00.000Z";
  const earlier = (number: number, closedAt: string, patch: Parameters<typeof closedIncident>[0] = {}): ClosedIncident => ({
    number,
    closedAt,
    state: closedIncident({ declaredAt: "2026-05-01T09:00:00.000Z", ...patch }),
    postmortem: { number: number + 1, fix: "https://github.com/acme/shop/pull/12" },
  });
  // The new incident: likely measurement, no confirmed layer yet, Meta + Google.
  const fresh = declaredIncident();

  it("derives the family from the confirmed layer, else the likely one", () => {
    expect(incidentFamily(closedIncident())).toEqual({ layer: "conversion", channels: ["Meta", "Google"] });
    expect(incidentFamily(fresh)).toEqual({ layer: "measurement", channels: ["Meta", "Google"] });
    expect(incidentFamily(declaredIncident({ layer: { likely: undefined }, declaration: { scope: [] } }))).toEqual({ channels: [] });
  });

  const measurementMeta = { layer: { likely: "measurement" as const, confirmed: "measurement" as const }, declaration: { scope: ["Meta"] } };

  it.each([
    { name: "same layer and a common channel within the window", c: earlier(7, "2026-10-01T00:00:00Z", measurementMeta), match: true },
    { name: "channel names match regardless of case", c: earlier(7, "2026-10-01T00:00:00Z", { ...measurementMeta, declaration: { scope: ["meta"] } }), match: true },
    { name: "a different layer", c: earlier(7, "2026-10-01T00:00:00Z", { ...measurementMeta, layer: { confirmed: "delivery" } }), match: false },
    { name: "the likely layer counts only when none was confirmed", c: earlier(7, "2026-10-01T00:00:00Z", { declaration: { scope: ["Meta"] } }), match: false },
    { name: "no channel in common", c: earlier(7, "2026-10-01T00:00:00Z", { ...measurementMeta, declaration: { scope: ["TikTok", "Email/SMS"] } }), match: false },
    { name: "closed before the window", c: earlier(7, "2026-05-27T08:59:00Z", measurementMeta), match: false },
    { name: "closed on the window's first day", c: earlier(7, "2026-05-28T09:00:00Z", measurementMeta), match: true },
    { name: "closed after the event", c: earlier(7, "2026-11-25T00:00:00Z", measurementMeta), match: false },
    { name: "dismissed as not an incident", c: earlier(7, "2026-10-01T00:00:00Z", { ...measurementMeta, status: "dismissed" }), match: false },
  ])("$name", ({ c, match }) => {
    expect(findRepeat(fresh, [c], 180, NOW)?.number).toBe(match ? 7 : undefined);
  });

  it("never finds an incident to repeat itself", () => {
    const self: ClosedIncident = { number: 42, closedAt: "2026-11-20T00:00:00Z", state: fresh };
    expect(findRepeat(fresh, [self], 180, NOW)).toBeUndefined();
    expect(findRepeat(fresh, [{ ...self, state: structuredClone(fresh) }], 180, NOW)).toBeUndefined();
    expect(findRepeat(fresh, [earlier(42, "2026-10-01T00:00:00Z", measurementMeta)], 180, NOW, 42)).toBeUndefined();
  });

  it("picks the most recently closed of several matches", () => {
    const found = findRepeat(
      fresh,
      [earlier(7, "2026-08-01T00:00:00Z", measurementMeta), earlier(19, "2026-10-01T00:00:00Z", measurementMeta), earlier(12, "2026-09-01T00:00:00Z", measurementMeta)],
      180,
      NOW,
    );
    expect(found?.number).toBe(19);
  });

  it("finds nothing without a layer or channels", () => {
    const c = earlier(7, "2026-10-01T00:00:00Z", measurementMeta);
    expect(findRepeat(declaredIncident({ layer: { likely: undefined } }), [c], 180, NOW)).toBeUndefined();
    expect(findRepeat(declaredIncident({ declaration: { scope: [] } }), [c], 180, NOW)).toBeUndefined();
  });

  it("tells the earlier postmortem that its fix did not prevent the new incident", () => {
    const c = earlier(7, "2026-10-01T00:00:00Z", { ...measurementMeta, roles: { owner: "olga-owner" } });
    const text = repeatNoticeForEarlierPostmortem({ number: 42, url: INCIDENT_URL }, c);
    expect(text).toContain("[#42](https://github.com/acme/shop/issues/42)");
    expect(text).toContain("#7");
    expect(text).toContain("layer **measurement**, channels Meta");
    expect(text).toContain("https\u2060://github.com/acme/shop/pull/12 — did not prevent it");
    expect(text).toContain("2026-10-01 00:00 UTC");
    expect(text).not.toMatch(/@[A-Za-z0-9]/);
    const noFix = repeatNoticeForEarlierPostmortem({ number: 42, url: INCIDENT_URL }, { ...c, postmortem: undefined });
    expect(noFix).toContain("No process fix was linked for #7");
  });
});
