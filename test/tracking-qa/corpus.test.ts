// The static stage against a corpus of pages modelled on public, documented tag snippets
// (SPEC §17): every page in test/fixtures/tracking-qa/manifest.json is run, and each
// expectation's status is compared with the one the manifest records for it.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { trackingQaSchema } from "../../src/core/tracking-qa/config.js";
import { EXPECTATION_STATUSES, evaluateStep } from "../../src/core/tracking-qa/evaluation.js";
import { detectTags } from "../../src/core/tracking-qa/tags.js";

const CORPUS = new URL("../fixtures/tracking-qa/", import.meta.url);

const ids = z.record(z.string(), z.string());
const manifest = z
  .object({
    ids,
    pages: z
      .array(
        z.object({
          file: z.string().regex(/^[\w.-]+\.html$/),
          about: z.string().min(1),
          sources: z.array(z.url()).min(1),
          ids: ids.optional(),
          expect: z.record(z.string(), z.enum(EXPECTATION_STATUSES)),
          /** Text the row's "seen" must contain. */
          seen: z.record(z.string(), z.string()).optional(),
          /** Why the static stage's answer is knowingly short of the truth here. */
          limit: z.string().optional(),
        }),
      )
      .min(30),
  })
  .parse(JSON.parse(readFileSync(new URL("manifest.json", CORPUS), "utf8")));

function run(page: (typeof manifest.pages)[number]) {
  const config = trackingQaSchema.parse({
    base_url: "https://shop.example.com",
    // A page that names its ids replaces the corpus ids (a site configuring no GA4 id).
    ids: page.ids ?? manifest.ids,
    steps: [{ path: "/", expect: Object.keys(page.expect) }],
  });
  const html = readFileSync(new URL(`pages/${page.file}`, CORPUS), "utf8");
  const step = config.steps[0] ?? { path: "/", expect: [] };
  const detection = detectTags(html, config);
  return evaluateStep(step, { static: { stage: "static", url: config.base_url ?? "", httpStatus: 200, detection } }, config);
}

describe("tracking QA corpus (static stage)", () => {
  it("covers loaders, quoting, Partytown, consent managers, server-side GTM and multiple ids", () => {
    const files = manifest.pages.map((p) => p.file).join(" ");
    for (const theme of ["partytown", "cookiebot", "onetrust", "complianz", "gtm4wp", "sgtm", "commented", "quotes", "two-"]) {
      expect(files, theme).toContain(theme);
    }
  });

  it.each(manifest.pages.map((p) => [p.file, p] as const))("%s", (_file, page) => {
    const result = run(page);
    const seen = Object.fromEntries(result.expectations.map((e) => [e.expectation, e.status]));
    const rows = result.expectations.map((e) => `${e.expectation}: ${e.status} — ${e.seen}`).join("\n");
    expect(seen, `${page.about}\n${rows}`).toEqual(page.expect);
    for (const [expectation, text] of Object.entries(page.seen ?? {})) {
      expect(result.expectations.find((e) => e.expectation === expectation)?.seen, expectation).toContain(text);
    }
  });
});
