// Release-triggered tracking QA through the real App against the local GitHub and a local
// fixture site: a release that drops the pixel opens one measurement incident, declared like
// any other, however often the release event arrives; a clean release opens nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Probot } from "probot";
import { parseBody } from "../../src/core/card.js";
import { DEFAULT_CONFIG } from "../../src/core/config.js";
import { LocalGitHub } from "../../src/dev/local-github/index.js";
import type { FixtureSite } from "../../src/dev/fixture-site.js";
import { FIXTURE_IDS, FIXTURE_PAGES, startFixtureSite } from "../../src/dev/fixture-site.js";
import { labelStyles } from "../../src/core/model/labels.js";
import { DeliveryCapture } from "../support/action-harness.js";
import { steppingClock } from "../dev/local-github/helpers.js";
import { deploymentStatusEvent } from "../support/payloads.js";
import { testApp } from "../support/probot.js";

const REPO = "acme/shop";
let site: FixtureSite;

beforeAll(async () => {
  site = await startFixtureSite();
});
afterAll(async () => {
  await site.close();
});

async function world(steps: { path: string; expect: string[] }[], allowPrivate = true) {
  const gh = new LocalGitHub({ clock: steppingClock("2026-11-24T08:00:00Z") });
  await gh.start();
  const capture = new DeliveryCapture();
  gh.setWebhook({ url: await capture.start(), secret: "unused" });
  gh.addRepo(REPO);
  for (const style of labelStyles(DEFAULT_CONFIG)) gh.createLabel(REPO, style.name, style.color, style.description);
  const config = [
    "tracking_qa:",
    `  base_url: ${site.url}`,
    `  ids: { meta_pixel: "${FIXTURE_IDS.meta_pixel}", ga4: ${FIXTURE_IDS.ga4}, gtm: ${FIXTURE_IDS.gtm} }`,
    "  severity: 1",
    "  steps:",
    ...steps.map((s) => `    - { path: "${s.path}", expect: [${s.expect.join(", ")}] }`),
  ].join("\n");
  gh.putFile(REPO, ".github/firebreak.yml", config);
  const { probot, app } = testApp({ allowPrivateQaHosts: allowPrivate }, { token: gh.appToken, baseUrl: gh.url });
  const release = async (tag: string) => {
    gh.publishRelease(REPO, { tag, name: `Theme ${tag}` });
    await gh.idle();
    const payload = JSON.parse(capture.deliveries.filter((d) => d.event === "release").at(-1)!.raw) as object;
    return payload;
  };
  const receive = async (payload: object, name = "release") => {
    await probot.receive({ id: `d-${Math.random()}`, name, payload } as Parameters<Probot["receive"]>[0]);
    await app.idle();
  };
  return {
    gh,
    app,
    release,
    receive,
    stop: async () => {
      await gh.stop();
      await capture.stop();
    },
  };
}

describe("release-triggered tracking QA in the App", () => {
  it("opens one prefilled measurement incident for a release that drops the pixel, however often the release arrives", async () => {
    const w = await world([
      { path: FIXTURE_PAGES.correct, expect: ["meta_pixel", "ga4"] },
      { path: FIXTURE_PAGES.missingPixel, expect: ["meta_pixel", "ga4"] },
    ]);
    try {
      const payload = await w.release("v4.2.0");
      await w.receive(payload);
      await w.receive(payload); // redelivered
      const incidents = w.gh.issues(REPO).filter((i) => i.labels.includes("incident"));
      expect(incidents).toHaveLength(1);
      const incident = incidents[0]!;
      expect(incident.title).toContain("v4.2.0");
      expect(incident.body).toContain("<!-- firebreak:qa-incident release=v4.2.0 -->");
      // Declared by Firebreak itself, like a person's form: labels and a card.
      expect(incident.labels).toEqual(expect.arrayContaining(["incident", "sev:1", "layer:measurement", "status:triage"]));
      const state = parseBody(incident.body).state;
      expect(state?.status).toBe("triage");
      expect(state?.declaration.symptom).toContain(FIXTURE_PAGES.missingPixel);
      expect(state?.declaration.whatChanged).toContain("v4.2.0");
      expect(w.app.results.map((r) => r.action)).toEqual(["qa-failed", "qa-failed"]);
    } finally {
      await w.stop();
    }
  });

  it("refuses, by default, to probe private or loopback addresses from a hosted App", async () => {
    const w = await world([{ path: FIXTURE_PAGES.missingPixel, expect: ["meta_pixel"] }], false);
    try {
      await w.receive(await w.release("v4.3.0"));
      expect(w.gh.issues(REPO)).toEqual([]);
      expect(w.app.results[0]?.action).toBe("ignored");
      expect(w.app.results[0]?.notes.join(" ")).toContain("127.0.0.1 is a private or loopback address");
    } finally {
      await w.stop();
    }
  });

  it("opens nothing for a release whose pages all show their tags", async () => {
    const w = await world([{ path: FIXTURE_PAGES.correct, expect: ["meta_pixel", "ga4", "gtm"] }]);
    try {
      await w.receive(await w.release("v4.2.1"));
      expect(w.gh.issues(REPO)).toEqual([]);
      expect(w.app.results.map((r) => r.action)).toEqual(["qa-passed"]);
    } finally {
      await w.stop();
    }
  });
});

describe("the pre-merge gate in the App (SPEC §17)", () => {
  const SHA = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
  let preview: FixtureSite;
  beforeAll(async () => {
    preview = await startFixtureSite();
  });
  afterAll(async () => {
    await preview.close();
  });
  const deployed = (environment: string, production?: boolean) =>
    deploymentStatusEvent({ repo: REPO, sha: SHA, environment, environmentUrl: preview.url, ...(production !== undefined ? { production } : {}) });

  it("checks a preview deployment at its environment_url and writes a failing check run on its commit, opening no incident", async () => {
    const w = await world([
      { path: FIXTURE_PAGES.correct, expect: ["meta_pixel", "ga4"] },
      { path: FIXTURE_PAGES.missingPixel, expect: ["meta_pixel"] },
    ]);
    try {
      const before = preview.served.length;
      await w.receive(deployed("preview-pr-42", false), "deployment_status");
      expect(w.gh.issues(REPO)).toEqual([]);
      const [check, ...more] = w.gh.checkRuns(REPO);
      expect(more).toEqual([]);
      expect(check).toMatchObject({ name: "Firebreak tracking QA", headSha: SHA, status: "completed", conclusion: "failure" });
      expect(check?.output?.text).toContain("| `/missing-pixel` (HTTP 200) | `meta_pixel` | ❌ missing |");
      expect(check?.output?.summary).toContain(`pre-merge tracking QA failed for preview-pr-42 deployment a1b2c3d at ${preview.url}`);
      // The preview was checked, not the production base_url.
      expect(preview.served.slice(before).sort()).toEqual([FIXTURE_PAGES.correct, FIXTURE_PAGES.missingPixel].sort());
      expect(w.app.results.map((r) => [r.action, r.incident])).toEqual([["qa-failed", undefined]]);
    } finally {
      await w.stop();
    }
  });

  it("passes a clean preview with a successful check run", async () => {
    const w = await world([{ path: FIXTURE_PAGES.correct, expect: ["meta_pixel", "ga4", "gtm"] }]);
    try {
      await w.receive(deployed("staging"), "deployment_status");
      expect(w.gh.checkRuns(REPO).map((c) => [c.name, c.headSha, c.conclusion])).toEqual([["Firebreak tracking QA", SHA, "success"]]);
      expect(w.app.results.map((r) => r.action)).toEqual(["qa-passed"]);
    } finally {
      await w.stop();
    }
  });

  it("treats a production deployment as a release: a failure opens the measurement incident", async () => {
    const w = await world([{ path: FIXTURE_PAGES.missingPixel, expect: ["meta_pixel"] }]);
    try {
      await w.receive(deployed("production"), "deployment_status");
      await w.receive(deployed("live", true), "deployment_status");
      const incidents = w.gh.issues(REPO).filter((i) => i.labels.includes("incident"));
      expect(incidents).toHaveLength(1);
      expect(incidents[0]?.body).toContain(`<!-- firebreak:qa-incident release=deployment-${SHA.slice(0, 12)} -->`);
      expect(w.app.results.map((r) => r.action)).toEqual(["qa-failed", "qa-failed"]);
    } finally {
      await w.stop();
    }
  });

  it("ignores a preview without an http(s) environment_url and a deployment that did not succeed", async () => {
    const w = await world([{ path: FIXTURE_PAGES.correct, expect: ["gtm"] }]);
    try {
      await w.receive(deploymentStatusEvent({ repo: REPO, sha: SHA, environment: "preview", environmentUrl: "javascript:alert(1)" }), "deployment_status");
      await w.receive(deploymentStatusEvent({ repo: REPO, sha: SHA, environment: "preview", environmentUrl: preview.url, state: "failure" }), "deployment_status");
      expect(w.gh.checkRuns(REPO)).toEqual([]);
      expect(w.app.results.map((r) => r.notes[0])).toEqual(["preview deployment a1b2c3d has no http(s) environment_url to check"]);
    } finally {
      await w.stop();
    }
  });
});
