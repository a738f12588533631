// The status card (SPEC §5, §12 "Size"): the Firebreak-owned section at the top of the incident
// body. It round-trips its record, never touches the user's text, neutralises user text it shows
// and never produces a body GitHub would refuse.
import { deflateRawSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import type { CardContext } from "../../src/core/card.js";
import { BODY_LIMIT, CARD_LIMIT, encodeState, estimatedCost, parseBody, renderBody } from "../../src/core/card.js";
import { CARD_END, CARD_START } from "../../src/core/model/markers.js";
import { DEFAULT_CONFIG } from "../../src/core/config.js";
import type { IncidentState } from "../../src/core/model/incident.js";
import { closedIncident, declaredIncident } from "../support/incident-factory.js";

const ctx: CardContext = { config: DEFAULT_CONFIG, now: "2026-11-24T12:00:00.000Z", issueUrl: "https://github.com/acme/shop/issues/7" };

function render(state: IncidentState, userText: string, context: CardContext = ctx): string {
  const body = renderBody(state, userText, context);
  if (body === undefined) throw new Error("renderBody refused a body that should fit");
  return body;
}

/** Firebreak's section: from the start marker through the end marker. */
function sectionOf(body: string): string {
  expect(body.startsWith(CARD_START)).toBe(true);
  const end = body.indexOf(CARD_END);
  expect(end).toBeGreaterThan(0);
  return body.slice(0, end + CARD_END.length);
}

/** What a reader sees of the section: the lines between the start marker and the hidden state. */
function visibleLines(body: string): string[] {
  const lines = sectionOf(body).split("\n");
  const stateLine = lines.findIndex((l) => l.startsWith("<!-- firebreak:state:"));
  expect(stateLine).toBeGreaterThan(0);
  return lines.slice(1, stateLine);
}

/** Pipes that split a GFM table cell: a `|` directly after a backslash is part of the cell. */
function cellDelimiters(row: string): number {
  return row.match(/(?<!\\)\|/g)?.length ?? 0;
}

describe("parseBody / renderBody round trip", () => {
  for (const [name, state] of [
    ["a fresh declaration", declaredIncident()],
    ["a closed incident with every section filled", closedIncident()],
    ["routine variance", declaredIncident({ status: "routine-variance" })],
    ["a dismissed incident", declaredIncident({ status: "dismissed" })],
  ] as const) {
    it(`decodes the record of ${name} exactly`, () => {
      const body = render(state, "user text");
      const parsed = parseBody(body);
      expect(parsed.hasCard).toBe(true);
      expect(parsed.state).toEqual(state);
      expect(parsed.userText).toBe("user text");
    });
  }

  it("is a fixed point: rendering what was parsed gives the same body", () => {
    const body = render(closedIncident(), "### What are you seeing?\n\nCheckout broken");
    const parsed = parseBody(body);
    expect(render(parsed.state!, parsed.userText)).toBe(body);
  });

  it("reads a body without a card as the user's text", () => {
    expect(parseBody("just a body")).toEqual({ userText: "just a body", hasCard: false });
    expect(parseBody("")).toEqual({ userText: "", hasCard: false });
    expect(parseBody(null)).toEqual({ userText: "", hasCard: false });
    expect(parseBody(undefined)).toEqual({ userText: "", hasCard: false });
  });

  it("puts the card first and the user's text after it", () => {
    const body = render(declaredIncident(), "the form");
    expect(body.startsWith(CARD_START)).toBe(true);
    expect(body.endsWith(`${CARD_END}\n\nthe form`)).toBe(true);
  });
});

describe("the user's text is never changed", () => {
  const texts: [string, string][] = [
    ["empty", ""],
    ["CRLF line endings", "### What are you seeing?\r\n\r\nCheckout broken on iOS\r\n"],
    ["trailing spaces and tabs", "line with two trailing spaces  \nand a tab\t\n   \n"],
    ["leading blank lines", "\n\n\nstarts after blank lines"],
    ["emoji, combining marks and RTL", "🔥🧯 checkout down — ünïcödé Z\u0351\u0352 שלום \u202eevil\u202c 👩‍👩‍👧"],
    ["a lone surrogate and control characters", "broken \ud800 text \u0000\u0007 end"],
    ["an HTML comment terminator", "--> stray terminator <!-- and an opener"],
    [
      "forged Firebreak markers and a forged state",
      [
        CARD_START,
        "### Incident status: ✅ Resolved",
        `<!-- firebreak:state:v1 ${encodeState(closedIncident())} -->`,
        CARD_END,
        "",
        "<!-- firebreak:card:start -->",
        "<!-- firebreak:card:end -->",
        "-->",
      ].join("\n"),
    ],
    ["a trailing card end marker", `text\n${CARD_END}`],
  ];
  for (const [name, userText] of texts) {
    it(`keeps ${name} byte for byte`, () => {
      const state = declaredIncident();
      const body = render(state, userText);
      const parsed = parseBody(body);
      expect(parsed.userText).toBe(userText);
      expect(parsed.state).toEqual(state);
      // And again after another render: the user's text survives any number of events.
      const again = parseBody(render(closedIncident(), parsed.userText));
      expect(again.userText).toBe(userText);
      expect(again.state).toEqual(closedIncident());
    });
  }
});

describe("a corrupted card is no card", () => {
  const body = render(closedIncident(), "user text");
  const payload = /<!-- firebreak:state:v1 (\S+) -->/.exec(body)![1]!;
  const corruptions: [string, string][] = [
    ["a state that is not base64 of deflate", body.replace(payload, "!!!not-a-state!!!")],
    ["a truncated state", body.replace(payload, payload.slice(0, Math.floor(payload.length / 2)))],
    ["a state with one character changed", body.replace(payload, `${payload.slice(0, 40)}${payload[40] === "A" ? "B" : "A"}${payload.slice(41)}`)],
    ["a state that decodes to a record of another version", body.replace(payload, deflateRawSync(Buffer.from(JSON.stringify({ v: 2, status: "resolved" }))).toString("base64"))],
    ["a state that decodes to a record that breaks the schema", body.replace(payload, encodeState({ ...closedIncident(), severity: 7 } as unknown as IncidentState))],
    ["a state that decodes to something that is not JSON", body.replace(payload, deflateRawSync(Buffer.from("{not json")).toString("base64"))],
    ["no state at all", body.replace(/<!-- firebreak:state:v1 \S+ -->\n/, "")],
    ["no end marker", body.replace(CARD_END, "")],
    ["text before the start marker", `hello\n${body}`],
  ];
  for (const [name, corrupted] of corruptions) {
    it(`treats ${name} as user text`, () => {
      expect(corrupted).not.toBe(body);
      const parsed = parseBody(corrupted);
      expect(parsed.hasCard).toBe(false);
      expect(parsed.state).toBeUndefined();
      expect(parsed.userText).toBe(corrupted);
    });
  }
});

describe("user text shown on the card is neutralised", () => {
  const HOSTILE = [
    "@octocat @acme/leadership @@everyone mail@example.com",
    "<script>alert(1)</script> <img src=x onerror=alert(1)> </details> <!-- -->",
    "| a | b | \\| c \\\\| d",
    "line\nbreak\r\nanother\u2028separator\u2029end\ttab",
    "`code` ```fence``` ~~~",
    "> quote # heading - item",
    "\u202eevil\u202c \u0000\u001b[31m 🔥",
  ].join(" ");
  const BENIGN = "plain words";

  function everywhere(text: string): IncidentState {
    const at = "2026-11-24T10:00:00.000Z";
    return closedIncident({
      status: "resolved",
      declaration: { symptom: text, scope: [text.slice(0, 100), "Meta"], scopeDetail: text, whatChanged: text, containment: text, cost: { amount: 400, per: "hour", text: text.slice(0, 200) }, missing: ["symptom", "scope"] },
      layer: { likely: "measurement", confidence: "high", source: "suggested", reason: text },
      roles: { ownerNote: text },
      check: { text, by: "olga-owner", at, assignee: "rui-tracking", due: "2026-11-24T10:30:00.000Z" },
      containment: [{ at, by: "olga-owner", text }],
      interventions: [
        { n: 1, text, by: "olga-owner", at },
        { n: 2, text, by: "sam-shop", at },
      ],
      updates: [{ at, by: "olga-owner", fields: { symptom: text, scope: text, layer: text, confidence: text, owner: text, next: text }, missing: [] }],
      resolution: { cause: text, evidence: text, layer: "conversion", fix: text, at, by: "olga-owner", commentId: 9001 },
      releases: [{ tag: text.slice(0, 200), name: text.slice(0, 300), url: "https://github.com/acme/shop/releases/tag/v1", at: "2026-11-24T04:30:00.000Z" }],
      repeatOf: { issue: 3, postmortem: 4, fix: text },
      timeline: [
        { at, text, by: "olga-owner" },
        { at, text: `Intervention #1: ${text}`, by: "olga-owner" },
        { at, text: `Resolved: ${text}` },
      ],
    });
  }

  const hostileBody = render(everywhere(HOSTILE), "user");
  const benignBody = render(everywhere(BENIGN), "user");
  const visible = visibleLines(hostileBody);

  it("shows the hostile text (so the test exercises every field)", () => {
    const shown = visible.join("\n");
    for (const label of ["**Next check**", "**Active interventions**", "**Latest update**", "**Resolution**", "**What changed just before**", "- release [", "**Repeat**", "> Suggested layer:", "**Estimated cost so far**"]) {
      expect(shown).toContain(label);
    }
    expect(shown.split("octocat").length - 1).toBeGreaterThanOrEqual(15);
    expect(parseBody(hostileBody).state).toEqual(everywhere(HOSTILE));
  });

  it("mentions nobody: no `@` directly followed by a login character", () => {
    for (const line of visible) expect(line).not.toMatch(/@[A-Za-z0-9]/);
  });

  it("lets no markup of the user's escape: no raw < or > besides Firebreak's own", () => {
    for (const line of visible) {
      const own = line
        .replace(/^> /, "")
        .replace("<details><summary>Timeline (UTC)</summary>", "")
        .replace("</details>", "")
        .replace(/^<sub>Firebreak status card · commands: `\/help`<\/sub>$/, "");
      expect(own).not.toMatch(/[<>]/);
    }
    expect(hostileBody.split("</details>")).toHaveLength(2);
    expect(hostileBody.indexOf("<!--", 1)).toBe(hostileBody.indexOf("<!-- firebreak:state:v1 "));
  });

  it("keeps the card's shape: no extra lines, and every table row has exactly three cells", () => {
    expect(visible).toHaveLength(visibleLines(benignBody).length);
    const rows = visible.filter((l) => l.startsWith("|"));
    expect(rows.length).toBeGreaterThanOrEqual(5);
    for (const row of rows) expect(cellDelimiters(row)).toBe(4);
    expect(visible.filter((l) => l.startsWith("- #"))).toHaveLength(2);
  });

  it("starts no code span, fence, heading or quote from user text", () => {
    const benign = visibleLines(benignBody);
    visible.forEach((line, i) => {
      expect(line.slice(0, 2)).toBe(benign[i]!.slice(0, 2));
      expect(line.includes("```")).toBe(false);
    });
    const backticks = (lines: string[]) => lines.join("\n").split("`").length;
    expect(backticks(visible)).toBe(backticks(visibleLines(benignBody)));
  });

  it("drops bidirectional overrides and control characters", () => {
    const shown = visible.join("\n");
    // eslint-disable-next-line no-control-regex
    expect(shown).not.toMatch(/[\u202a-\u202e\u2066-\u2069\u0000\u001b]/);
  });
});

describe("size (SPEC §12)", () => {
  const actions = ["Paused", "Resumed", "Cut budget on", "Swapped creative on", "Checked orders for", "Compared GA4 with Shopify for"];
  const longTimeline = Array.from({ length: 500 }, (_, i) => ({
    at: new Date(Date.parse("2026-11-24T09:00:00.000Z") + i * 60_000).toISOString(),
    text: `${actions[i % actions.length]} campaign ${i} (${["Meta", "Google", "TikTok"][i % 3]} prospecting, market ${["DE", "AT", "CH", "NL"][i % 4]}) — rate ${(i * 7) % 97}%`,
    by: ["olga-owner", "sam-shop", "rui-tracking"][i % 3]!,
  }));

  it("keeps the section under 16,000 characters with 500 timeline entries and says where the rest live", () => {
    const state = closedIncident({ timeline: longTimeline });
    const body = render(state, "user text");
    const section = sectionOf(body);
    expect(section.length).toBeLessThanOrEqual(CARD_LIMIT);
    expect(section).toMatch(/\| … \| \d+ earlier entries live in the comments below \|/);
    const parsed = parseBody(body);
    expect(parsed.userText).toBe("user text");
    // The latest entries stay on the card and in the record, and the count adds up.
    expect(section).toContain(longTimeline.at(-1)!.text.replace(/\|/g, "\\|"));
    const kept = parsed.state!.timeline.length;
    expect(kept).toBeLessThan(500);
    expect(parsed.state!.earlier).toBe(500 - kept);
    expect(parsed.state!.timeline.at(-1)).toEqual(longTimeline.at(-1));
  });

  it("keeps the section under 16,000 characters for a long-running incident with many interventions and updates", () => {
    const at = "2026-11-24T10:00:00.000Z";
    const state = closedIncident({
      timeline: longTimeline,
      interventions: Array.from({ length: 120 }, (_, i) => ({ n: i + 1, text: `${actions[i % actions.length]} campaign ${i} in market ${i % 17}`, by: "olga-owner", at })),
      updates: Array.from({ length: 80 }, (_, i) => ({ at, by: "olga-owner", fields: { symptom: `orders ${i}% below baseline`, next: `check hour ${i}` }, missing: ["scope" as const] })),
      applied: Array.from({ length: 1500 }, (_, i) => 10_000 + i * 13),
      replied: Array.from({ length: 400 }, (_, i) => `c${10_000 + i}`),
    });
    const body = render(state, "user text");
    expect(sectionOf(body).length).toBeLessThanOrEqual(CARD_LIMIT);
    const parsed = parseBody(body);
    expect(parsed.state?.status).toBe("closed");
    // Applied ids leave the list only by folding into appliedThrough: none counts as new again.
    const through = parsed.state!.appliedThrough ?? 0;
    for (const id of state.applied) expect(parsed.state!.applied.includes(id) || id <= through).toBe(true);
  });

  it("shrinks the card to its summary when the user's text leaves little room, and stays within 65,536", () => {
    // Forty interventions still running: the full card cannot shrink below them.
    const running = Array.from({ length: 40 }, (_, i) => ({ n: i + 1, text: `${actions[i % actions.length]} campaign ${i} in market ${i % 17}, watching CPA and ROAS hourly`, by: "olga-owner", at: "2026-11-24T10:00:00.000Z" }));
    const state = closedIncident({ timeline: longTimeline.slice(0, 40), interventions: running });
    const userText = "u".repeat(60_000) + "\r\nend of a very long report  ";
    const full = render(state, "");
    expect(sectionOf(full).length + 2 + userText.length).toBeGreaterThan(BODY_LIMIT);
    const body = render(state, userText);
    expect(body.length).toBeLessThanOrEqual(BODY_LIMIT);
    expect(body).toContain("The card is shortened to its summary");
    expect(body).not.toContain("<details>");
    const parsed = parseBody(body);
    expect(parsed.userText).toBe(userText);
    expect(parsed.state?.status).toBe("closed");
    expect(parsed.state?.resolution).toEqual(state.resolution);
  });

  it("fits a 60,000-character body with a fresh declaration", () => {
    const userText = "x".repeat(60_000);
    const body = render(declaredIncident(), userText);
    expect(body.length).toBeLessThanOrEqual(BODY_LIMIT);
    expect(parseBody(body).userText).toBe(userText);
  });

  it("still writes a card when the form's long answers do not compress (cut short in the record, whole in the user's text)", () => {
    // 4 × 4,000 characters of varied CJK text: the full record alone would exceed 16,000 characters.
    let seed = 7;
    const cjk = (n: number) => Array.from({ length: n }, () => String.fromCharCode(0x4e00 + ((seed = (seed * 48_271) % 2_147_483_647) % 3_000))).join("");
    const state = declaredIncident({ declaration: { symptom: cjk(4000), scopeDetail: cjk(4000), whatChanged: cjk(4000), containment: cjk(4000) } });
    const userText = `### What are you seeing?\n\n${state.declaration.symptom}`;
    const body = render(state, userText);
    expect(sectionOf(body).length).toBeLessThanOrEqual(CARD_LIMIT);
    expect(body).toContain("The card is shortened to its summary");
    const parsed = parseBody(body);
    expect(parsed.userText).toBe(userText);
    expect(parsed.state).toMatchObject({ status: "triage", severity: 2, roles: { detector: "dana-detects" } });
    expect(parsed.state!.declaration.symptom!.length).toBeLessThan(4000);
    expect(state.declaration.symptom!.startsWith(parsed.state!.declaration.symptom!.slice(0, -1))).toBe(true);
  });

  it("returns undefined rather than a body GitHub would refuse", () => {
    expect(renderBody(declaredIncident(), "y".repeat(65_500), ctx)).toBeUndefined();
    expect(renderBody(closedIncident(), "y".repeat(BODY_LIMIT), ctx)).toBeUndefined();
  });

  it("never exceeds the limit at any user-text length", () => {
    const state = closedIncident({ timeline: longTimeline.slice(0, 60) });
    for (let length = 40_000; length <= BODY_LIMIT; length += 997) {
      const body = renderBody(state, "z".repeat(length), ctx);
      if (body === undefined) continue;
      expect(body.length).toBeLessThanOrEqual(BODY_LIMIT);
      expect(sectionOf(body).length).toBeLessThanOrEqual(CARD_LIMIT);
      expect(parseBody(body).userText).toHaveLength(length);
    }
  });
});

describe("estimated cost (rate × time)", () => {
  it("multiplies an hourly rate by the time from start to resolution", () => {
    // closedIncident: started 05:00 UTC, resolved 14:02 UTC, €400/hour → 9h 02m → ≈ 3,613.
    const state = closedIncident();
    expect(estimatedCost(state, "2026-12-01T00:00:00.000Z")).toBe("≈ €3,613 (at €400/hour, over 9h 02m)");
    expect(render(state, "")).toContain("**Estimated cost so far** ≈ €3,613 (at €400/hour, over 9h 02m)");
  });

  it("measures an open incident to the time of the event that rendered the card", () => {
    const state = declaredIncident({ declaration: { cost: { amount: 2_400, per: "day", text: "2400 EUR/day" } } });
    // Started 05:00 UTC; at 11:00 that is 6 h of a 2,400/day rate.
    expect(estimatedCost(state, "2026-11-24T11:00:00.000Z")).toBe("≈ 600 EUR (at 2400 EUR/day, over 6h 00m)");
    expect(render(state, "", { ...ctx, now: "2026-11-25T05:00:00.000Z" })).toContain("≈ 2,400 EUR (at 2400 EUR/day, over 1d 0h)");
  });

  it("counts from the declaration when the start time did not parse", () => {
    const state = declaredIncident({ declaration: { startedAt: undefined, cost: { amount: 100, per: "hour", text: "$100/h" } } });
    // Declared 09:00 UTC → 12:00 is 3 h.
    expect(estimatedCost(state, "2026-11-24T12:00:00.000Z")).toBe("≈ $300 (at $100/h, over 3h 00m)");
  });

  it("shows no cost line without a rate, or when the clock runs backwards", () => {
    const none = declaredIncident();
    expect(estimatedCost(none, ctx.now)).toBeUndefined();
    expect(render(none, "")).not.toContain("Estimated cost");
    const withRate = declaredIncident({ declaration: { cost: { amount: 100, per: "hour", text: "$100/h" } } });
    expect(estimatedCost(withRate, "2026-11-24T04:00:00.000Z")).toBeUndefined();
  });
});
