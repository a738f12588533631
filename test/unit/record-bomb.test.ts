// SPEC §13 "decoding a record is capped": a forged record that inflates without end is refused.
import type * as Zlib from "node:zlib";
import { deflateRawSync } from "node:zlib";
import { describe, expect, it, vi } from "vitest";
import { decodeState, encodeState, parseBody, renderBody } from "../../src/core/card.js";
import { DEFAULT_CONFIG } from "../../src/core/config.js";
import { stateMarker } from "../../src/core/model/markers.js";
import { fitReply } from "../../src/core/model/plan.js";
import { declaredIncident } from "../support/incident-factory.js";

/** How many bytes each inflate produced: the cap must stop a bomb inside zlib, not after it. */
const inflated = vi.hoisted(() => [] as number[]);
vi.mock("node:zlib", async (original) => {
  const zlib = await original<typeof Zlib>();
  return {
    ...zlib,
    inflateRawSync: (...args: Parameters<typeof zlib.inflateRawSync>) => {
      const out = zlib.inflateRawSync(...args);
      inflated.push(out.length);
      return out;
    },
  };
});

describe("a compression bomb in a forged record (issue 11 item 11)", () => {
  it("is not inflated past the cap: 40 MB of spaces decodes to nothing and never more than 1 MiB is inflated", () => {
    const bomb = deflateRawSync(Buffer.alloc(40 * 1024 * 1024, 0x20)).toString("base64");
    expect(bomb.length).toBeLessThan(65_536);
    expect(decodeState(bomb)).toBeUndefined();
    const body = `<!-- firebreak:card:start -->\n${stateMarker(bomb)}\n<!-- firebreak:card:end -->\n\nhello`;
    expect(parseBody(body).state).toBeUndefined();
    expect(Math.max(0, ...inflated)).toBeLessThanOrEqual(1 << 20);
  });

  it("a real record still round-trips", () => {
    const state = declaredIncident();
    expect(decodeState(encodeState(state))).toEqual(state);
    const body = renderBody(state, "text", { config: DEFAULT_CONFIG, now: state.declaredAt, issueUrl: "https://github.com/a/b/issues/1" });
    expect(parseBody(body).state).toBeDefined();
  });

  it("a reply longer than GitHub allows is shortened with a note", () => {
    const long = "x".repeat(200_000);
    const fitted = fitReply(long);
    expect(fitted.length).toBeLessThan(65_536);
    expect(fitted).toContain("shortened");
    expect(fitReply("short")).toBe("short");
  });
});
