// Production monitoring as a scheduled job (SPEC §17), against the local GitHub and the loopback
// fixture site: due by the last monitoring check run on the default branch, one open monitoring
// incident at most, updated only when the failures change, "checks pass again" said once with
// the run as evidence, never closed by Firebreak.
import { Octokit } from "@octokit/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_CONFIG } from "../../src/core/config.js";
import { labelStyles } from "../../src/core/model/labels.js";
import { LocalGitHub } from "../../src/dev/local-github/index.js";
import { FileCache } from "../../src/github/files.js";
import { LabelStyler } from "../../src/github/labels.js";
import type { ShellDeps } from "../../src/github/shell/deps.js";
import { handle } from "../../src/github/shell/handle.js";
import { QA_MONITOR_CHECK } from "../../src/github/shell/qa-monitor.js";
import { shippedTemplates } from "../../src/templates.js";
import { FIXTURE_IDS, FIXTURE_PAGES as P, startFixtureSite, type FixtureSite } from "./fixture-site.js";

const REPO = "acme/shop";
const ref = { owner: "acme", repo: "shop" };
const T0 = Date.parse("2026-11-30T08:00:00Z");
let site: FixtureSite;
let gh: LocalGitHub;
let now = T0;
let client: Octokit;
const deps = (): ShellDeps => ({
  files: new FileCache(),
  labels: new LabelStyler(),
  botLogin: "firebreak[bot]",
  templates: shippedTemplates(),
  issueFromPayload: true,
  checkRuns: true,
  allowPrivateQaHosts: true,
});

function configure(path: string): void {
  gh.putFile(
    REPO,
    ".github/firebreak.yml",
    // Reminders (test/nudges) are off: these tests count the monitoring incident's own comments.
    ["nudges: false", "tracking_qa:", `  base_url: ${site.url}`, "  monitor_every: 1h", `  ids: { meta_pixel: "${FIXTURE_IDS.meta_pixel}" }`, "  steps:", `    - { path: "${path}", expect: [meta_pixel] }`].join("\n"),
  );
}

/** One scheduled pass at `minutes` after T0; GitHub's clock reads the same time. */
async function passAt(minutes: number) {
  now = T0 + minutes * 60_000;
  const handled = await handle(client, { kind: "scheduled", ref, at: new Date(now).toISOString() }, deps());
  return handled.results.filter((r) => r.notes.some((n) => n.startsWith("tracking QA monitoring")));
}

const monitorRuns = () => gh.checkRuns(REPO).filter((c) => c.name === QA_MONITOR_CHECK);
const monitorIncidents = () => gh.issues(REPO).filter((i) => i.body?.includes("<!-- firebreak:qa-monitor since="));
const commentsOn = (n: number) => gh.comments(REPO, n).map((c) => c.body);

beforeAll(async () => {
  site = await startFixtureSite();
  gh = new LocalGitHub({ clock: () => new Date(now) });
  const { url } = await gh.start();
  gh.addRepo(REPO);
  for (const style of labelStyles(DEFAULT_CONFIG)) gh.createLabel(REPO, style.name, style.color, style.description);
  client = new Octokit({ baseUrl: url, auth: gh.appToken });
});
afterAll(async () => {
  await gh.stop();
  await site.close();
});

describe("tracking QA monitoring in the scheduled pass", () => {
  it("is off without monitor_every: no monitoring call at all", async () => {
    gh.putFile(REPO, ".github/firebreak.yml", `tracking_qa:\n  base_url: ${site.url}\n  steps:\n    - { path: "/", expect: [gtm] }\n`);
    gh.resetRequests();
    expect(await passAt(-120)).toEqual([]);
    expect(gh.requests.filter((r) => r.path.includes("check-runs"))).toEqual([]);
  });

  it("opens one monitoring incident on failure and records the run on the default branch", async () => {
    configure(P.missingPixel);
    const [result] = await passAt(0);
    expect(result).toMatchObject({ action: "qa-failed", incident: 1 });
    const [incident, ...others] = monitorIncidents();
    expect(others).toEqual([]);
    expect(incident?.title).toBe("Tracking QA monitoring: Meta Pixel missing on /missing-pixel in production");
    expect(incident?.labels).toEqual(expect.arrayContaining(["incident", "layer:measurement"]));
    expect(monitorRuns().map((c) => c.conclusion)).toEqual(["failure"]);
  });

  it("is not due again before monitor_every has passed since that run", async () => {
    const served = site.served.length;
    expect(await passAt(30)).toEqual([]);
    expect(site.served.length).toBe(served);
    expect(monitorRuns()).toHaveLength(1);
  });

  it("runs again when due and leaves the open incident alone while the same checks fail", async () => {
    const comments = commentsOn(1).length;
    const [result] = await passAt(61);
    expect(result).toMatchObject({ action: "qa-failed", incident: 1 });
    expect(monitorIncidents()).toHaveLength(1);
    expect(commentsOn(1)).toHaveLength(comments);
    expect(monitorRuns().map((c) => c.conclusion)).toEqual(["failure", "failure"]);
  });

  it("says once that checks pass again, linking the run, and never closes the incident", async () => {
    configure(P.correct);
    const [result] = await passAt(122);
    expect(result).toMatchObject({ action: "qa-passed", incident: 1 });
    const said = commentsOn(1).filter((b) => b.includes("checks pass again"));
    expect(said).toHaveLength(1);
    const passing = monitorRuns().at(-1);
    expect(passing?.conclusion).toBe("success");
    expect(said[0]).toContain(`/runs/${passing?.id ?? ""})`);
    await passAt(183);
    expect(commentsOn(1).filter((b) => b.includes("checks pass again"))).toHaveLength(1);
    expect(gh.issues(REPO).find((i) => i.number === 1)?.state).toBe("open");
  });

  it("updates the same open incident when checks fail again instead of opening another", async () => {
    configure(P.missingPixel);
    const [result] = await passAt(244);
    expect(result).toMatchObject({ action: "qa-failed", incident: 1 });
    expect(monitorIncidents()).toHaveLength(1);
    expect(commentsOn(1).at(-1)).toMatch(/^Tracking QA monitoring at 2026-11-30T12:04:00.000Z: checks fail \(\[the run\]/);
  });
});
