import { describe, expect, it } from "vitest";
import type { Declaration } from "../../src/core/declaration/form.js";
import { suggestLayer } from "../../src/core/declaration/triage.js";

function declaration(answers: Partial<Declaration>): Declaration {
  return { isForm: true, scope: [], threshold: [], missing: [], ...answers };
}

describe("suggestLayer: the rules of SPEC §3 step 3", () => {
  it.each([
    // [case, answers, layer, confidence]
    ["only reporting changed", { outcomes: "reporting-only", symptom: "Meta purchases down 60%" }, "measurement", "medium"],
    [
      "only reporting changed, and a tag was edited",
      { outcomes: "reporting-only", symptom: "GA4 purchases halved", whatChanged: "GTM container published at 09:00" },
      "measurement",
      "high",
    ],
    [
      "conversion symptom right after a theme release",
      { symptom: "Checkout completion fell by half on mobile", whatChanged: "Theme release at 10:00" },
      "conversion",
      "medium",
    ],
    ["a release alone is not a conversion symptom", { whatChanged: "Site release at 10:00" }, undefined, undefined],
    ["conversion symptom without a release", { symptom: "Add-to-cart rate down 30%" }, "conversion", "low"],
    [
      "spend stopped and ads rejected",
      { symptom: "Spend dropped to zero on TikTok overnight", scopeDetail: "All ads disapproved after the policy update" },
      "delivery",
      "medium",
    ],
    ["ad account suspended", { symptom: "Ad account was suspended this morning" }, "delivery", "low"],
    ["stockout", { symptom: "Best seller is out of stock", whatChanged: "Warehouse delay" }, "operations", "low"],
    [
      "promotion ended and prices changed",
      { whatChanged: "Black Friday promotion ended at midnight; price increase on bundles" },
      "operations",
      "medium",
    ],
    [
      "CPA up with a stable conversion rate",
      { symptom: "CPA doubled on Meta while the conversion rate is stable" },
      "economics",
      "medium",
    ],
    ["ROAS down alone", { symptom: "ROAS fell from 4 to 2" }, "economics", "low"],
    ["nothing recognisable", { symptom: "Something feels off" }, undefined, undefined],
    ["an empty declaration", {}, undefined, undefined],
  ] as const)("%s", (_case, answers, layer, confidence) => {
    const s = suggestLayer(declaration(answers as Partial<Declaration>));
    if (layer === undefined) {
      expect(s).toBeUndefined();
      return;
    }
    expect(s).toMatchObject({ layer, confidence });
  });
});

describe("suggestLayer: evidence", () => {
  it("a stable conversion rate is not read as a conversion symptom", () => {
    const s = suggestLayer(declaration({ symptom: "ROAS down 40%, conversion rate flat, CPM up" }));
    expect(s?.layer).toBe("economics");
  });

  it("ignores negated mentions", () => {
    expect(suggestLayer(declaration({ whatChanged: "No promotions, no price changes, nothing out of stock" }))).toBeUndefined();
  });

  it("names the evidence in one sentence", () => {
    const s = suggestLayer(declaration({ outcomes: "reporting-only", symptom: "Pixel purchases down" }));
    expect(s?.reason).toBe(
      'Only platform reporting changed while orders and revenue did not, and the answers mention "pixel", which points to measurement.',
    );
    expect(s?.reason.split(/\.\s/)).toHaveLength(1);
  });

  it("says so when two layers fit equally, with low confidence", () => {
    const s = suggestLayer(declaration({ symptom: "Checkout errors", whatChanged: "A discount code expired" }));
    expect(s).toMatchObject({ layer: "conversion", confidence: "low" });
    expect(s?.reason).toContain("business operations fits the answers as well");
  });

  it("does not repeat user text in the reason", () => {
    const s = suggestLayer(declaration({ symptom: "@everyone <script>alert(1)</script> pixel broken" }));
    expect(s?.reason).not.toMatch(/@|<|script/);
  });

  it("reads the evidence whatever the form's own layer says", () => {
    expect(suggestLayer(declaration({ layer: "delivery", outcomes: "reporting-only" }))?.layer).toBe("measurement");
  });

  it("copes with huge answers", () => {
    const huge = "ROAS ".repeat(50_000);
    expect(suggestLayer(declaration({ symptom: huge, whatChanged: huge }))?.layer).toBe("economics");
  });
});
