import { describe, expect, it } from "vitest";
import { STATUSES } from "../../src/core/model/domain.js";
import {
  CARD_START,
  CARD_START_PREFIX,
  configReportedMarker,
  encodedStateIn,
  parseConfigReported,
  regionEndOf,
  regionStartOf,
  REPLY_MARKER,
  replyKeyOf,
  stateMarker,
  withoutStateMarkers,
  withoutTemplateDoc,
} from "../../src/core/model/markers.js";
import {
  CLOSED_STATUSES,
  isClosedIncident,
  isClosedStatus,
  isDismissedOrVariance,
  isIncidentStatus,
  isOpenBefore,
  isOpenStatus,
  OPEN_STATUSES,
} from "../../src/core/model/status.js";

describe("status groups", () => {
  it("splits every status into open, closed or routine variance", () => {
    for (const status of STATUSES) {
      const groups = [isOpenStatus(status), isClosedStatus(status), status === "routine-variance"];
      expect(groups.filter(Boolean)).toHaveLength(1);
    }
    expect([...OPEN_STATUSES, ...CLOSED_STATUSES, "routine-variance"].sort()).toEqual([...STATUSES].sort());
  });

  it("tells incidents from what is not (any more) one", () => {
    expect(STATUSES.filter(isDismissedOrVariance)).toEqual(["dismissed", "routine-variance"]);
    for (const status of STATUSES) expect(isIncidentStatus(status)).toBe(!isDismissedOrVariance(status));
    expect(STATUSES.filter(isClosedIncident)).toEqual(["closed", "postmortem-complete"]);
  });

  it("orders the open statuses", () => {
    expect(STATUSES.filter((s) => isOpenBefore(s, "contained"))).toEqual(["triage", "investigating"]);
    expect(STATUSES.filter((s) => isOpenBefore(s, "resolved"))).toEqual(["triage", "investigating", "contained"]);
    expect(isOpenStatus(undefined)).toBe(false);
  });
});

describe("hidden markers", () => {
  it("reads back what it writes", () => {
    expect(replyKeyOf(`text\n\n${REPLY_MARKER("owner-a b")}`)).toBe("owner-ab");
    expect(encodedStateIn(`${CARD_START}\n${stateMarker("old")}\n${stateMarker("abc+/=")}\n`)).toBe("abc+/=");
    expect(withoutStateMarkers(`a ${stateMarker("abc")} b`)).toBe("a  b");
    expect(parseConfigReported(`x\n${configReportedMarker(["k1", "k2"])}`)).toEqual(["k1", "k2"]);
    expect(parseConfigReported("<!-- firebreak:config-reported !!! -->")).toEqual([]);
  });

  it("knows a region by its start and end lines", () => {
    expect(CARD_START.startsWith(CARD_START_PREFIX)).toBe(true);
    expect(regionStartOf(CARD_START)).toBe("card");
    expect(regionEndOf("  <!-- firebreak:Card:end -->")).toBe("card");
    expect(regionStartOf("text <!-- firebreak:card:start -->")).toBeUndefined();
  });

  it("drops a template's documentation comment only at its start", () => {
    expect(withoutTemplateDoc("<!-- firebreak-template\nhow to edit\n-->\nDue: {{due}}")).toBe("Due: {{due}}");
    expect(withoutTemplateDoc("Due\n<!-- firebreak-template x -->")).toBe("Due\n<!-- firebreak-template x -->");
  });
});
