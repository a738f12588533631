// The pre-merge gate through the bundled Action (SPEC §17): `node dist/index.js` on a
// deployment_status event, against the local GitHub and a loopback preview of the fixture site.
// It writes the "Firebreak tracking QA" check run on the deployed commit and opens no incident.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_CONFIG } from "../../src/core/config.js";
import { labelStyles } from "../../src/core/model/labels.js";
import { LocalGitHub } from "../../src/dev/local-github/index.js";
import { actionCheckout, runAction } from "../support/action-harness.js";
import { deploymentStatusEvent } from "../support/payloads.js";
import { steppingClock } from "../dev/local-github/helpers.js";
import { FIXTURE_IDS, FIXTURE_PAGES as P, startFixtureSite, type FixtureSite } from "./fixture-site.js";

const REPO = "acme/shop";
const SHA = "0f1e2d3c4b5a69788796a5b4c3d2e1f0a1b2c3d4";
let checkout: ReturnType<typeof actionCheckout>;
let preview: FixtureSite;

beforeAll(async () => {
  checkout = actionCheckout();
  preview = await startFixtureSite();
}, 180_000);
afterAll(async () => {
  checkout.cleanup();
  await preview.close();
});

async function gate(steps: string[]) {
  const gh = new LocalGitHub({ clock: steppingClock("2026-11-24T09:30:00Z") });
  await gh.start();
  try {
    gh.addRepo(REPO);
    for (const style of labelStyles(DEFAULT_CONFIG)) gh.createLabel(REPO, style.name, style.color, style.description);
    gh.putFile(
      REPO,
      ".github/firebreak.yml",
      ["tracking_qa:", "  base_url: https://shop.example.com", `  ids: { meta_pixel: "${FIXTURE_IDS.meta_pixel}", ga4: ${FIXTURE_IDS.ga4} }`, "  steps:", ...steps].join("\n"),
    );
    const payload = deploymentStatusEvent({ repo: REPO, sha: SHA, environment: "pr-17", environmentUrl: preview.url, production: false });
    const run = await runAction({ main: checkout.main, apiUrl: gh.url, repository: REPO, eventName: "deployment_status", payload, token: gh.appToken, botLogin: "firebreak[bot]" });
    return { run, checks: gh.checkRuns(REPO), issues: gh.issues(REPO) };
  } finally {
    await gh.stop();
  }
}

describe("the pre-merge gate in the bundled Action", () => {
  it("fails the check run on the deployed commit for a preview that drops the pixel, with no incident", async () => {
    const { run, checks, issues } = await gate([`    - { path: "${P.missingPixel}", expect: [meta_pixel, ga4] }`]);
    expect(run.stderr).toBe("");
    expect(run.outputs).toEqual({ "incident-number": "", "action-taken": "qa-failed" });
    expect(checks.map((c) => [c.name, c.headSha, c.conclusion])).toEqual([["Firebreak tracking QA", SHA, "failure"]]);
    expect(checks[0]?.output?.text).toContain("| `/missing-pixel` (HTTP 200) | `meta_pixel` | ❌ missing |");
    expect(issues).toEqual([]);
  }, 120_000);

  it("passes the check run for a clean preview", async () => {
    const { run, checks, issues } = await gate([`    - { path: "${P.correct}", expect: [meta_pixel, ga4] }`]);
    expect(run.outputs["action-taken"]).toBe("qa-passed");
    expect(checks.map((c) => [c.name, c.headSha, c.conclusion])).toEqual([["Firebreak tracking QA", SHA, "success"]]);
    expect(issues).toEqual([]);
  }, 120_000);
});
