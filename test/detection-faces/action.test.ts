// Early detection in the bundled Action: `node dist/index.js` on `schedule`, from a checkout
// without node_modules, against the local GitHub. Each run starts cold, as on a runner.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseBody } from "../../src/core/card.js";
import { DEFAULT_CONFIG } from "../../src/core/config.js";
import { parseDeclaration } from "../../src/core/declaration/form.js";
import { labelStyles } from "../../src/core/model/labels.js";
import { LocalGitHub } from "../../src/dev/local-github/index.js";
import { shippedTemplates } from "../../src/templates.js";
import { actionCheckout, runAction, type ActionRun } from "../support/action-harness.js";
import { mermaidBlocks, parseMermaid } from "../support/mermaid.js";
import { hourlyKpi, type Break } from "./kpi.js";

const REPO = "acme/shop";
const FORM = shippedTemplates().form;
// Reminders (test/nudges) are off: these tests count detection's own comments.
const CONFIG = ["nudges: false", "detection:", "  sources:", "    - path: data/kpi/hourly.csv", "  channels: { meta: Meta, meta_rt: Meta, google: Google }", ""].join("\n");
const COLLAPSE: Break = { channel: "meta", metric: "spend", from: "2026-11-28T02:00:00Z", factor: 0.05 };
const RETARGETING: Break = { channel: "meta_rt", metric: "spend", from: "2026-11-28T06:00:00Z", factor: 0.05 };

let checkout: ReturnType<typeof actionCheckout>;
let gh: LocalGitHub;

beforeAll(() => {
  checkout = actionCheckout();
}, 300_000);
afterAll(() => checkout.cleanup());
beforeEach(async () => {
  gh = new LocalGitHub();
  await gh.start();
  gh.addRepo(REPO);
  for (const style of labelStyles(DEFAULT_CONFIG)) gh.createLabel(REPO, style.name, style.color, style.description);
  gh.putFile(REPO, ".github/firebreak.yml", CONFIG);
});
afterEach(async () => {
  await gh.stop();
});

const measured: Record<string, string[]> = {};
afterAll(() => {
  for (const [run, calls] of Object.entries(measured)) console.info(`[detection] Action ${run}: ${calls.length} calls — ${calls.join(", ")}`);
});

function kpi(end: string, breaks: Break[]): void {
  gh.putFile(REPO, "data/kpi/hourly.csv", hourlyKpi({ end, breaks, channels: ["meta", "meta_rt", "google"] }));
}

/** One scheduled run; `label` records the calls it spent (304s are free). */
async function scheduled(label?: string): Promise<ActionRun> {
  const from = gh.requests.length;
  const result = await runAction({ main: checkout.main, apiUrl: gh.url, repository: REPO, eventName: "schedule", payload: { schedule: "*/30 * * * *" }, token: gh.appToken, botLogin: "firebreak[bot]" });
  expect(result.code, result.stderr + result.stdout).toBe(0);
  if (label) measured[label] = gh.requests.slice(from).filter((r) => r.status !== 304 && !r.path.endsWith("/labels")).map((r) => `${r.method} ${r.path.replace(`/repos/${REPO}`, "")}`);
  return result;
}

/** The issues detection opened: the dashboard the pass also keeps is left out. */
const issues = () => gh.issues(REPO).filter((i) => !i.labels.includes("firebreak-dashboard"));
const botComments = (n: number) => gh.comments(REPO, n).filter((c) => c.author === "firebreak[bot]").map((c) => c.body);
/**
 * Writes since a point, the dashboard's left out: an incident opened after a run's own time is in
 * the next run's report, so the dashboard may catch up one run later (the App's test fixes the time).
 */
const writesSince = (from: number) => {
  const dashboard = gh.issues(REPO).find((i) => i.labels.includes("firebreak-dashboard"))?.number;
  return gh.requests.slice(from).filter((r) => r.method !== "GET" && !r.path.endsWith("/graphql") && r.path !== `/repos/${REPO}/issues/${dashboard}`);
};

describe("the Action's scheduled run with detection", () => {
  it("opens one incident for a spend collapse, adds nothing while it lasts, updates it for a matching break, and records the recovery", async () => {
    kpi("2026-11-28T01:00:00Z", []);
    const quiet = await scheduled("run without a signal");
    expect(quiet.outputs).toEqual({ "incident-number": "", "action-taken": "reconciled" });
    expect(issues()).toEqual([]);

    kpi("2026-11-28T15:00:00Z", [COLLAPSE]);
    const opened = await scheduled("run that opens the incident");
    expect(opened.outputs).toEqual({ "incident-number": "1", "action-taken": "detected" });
    expect(issues()).toHaveLength(1);
    const incident = gh.issue(REPO, 1)!;
    expect(incident.author).toBe("firebreak[bot]");
    expect([...incident.labels].sort()).toEqual(["incident", "layer:delivery", "sev:2", "status:triage"]);
    expect(parseBody(incident.body).state).toMatchObject({ status: "triage", layer: { likely: "delivery" } });
    expect(parseDeclaration(incident.body, FORM, FORM)).toMatchObject({ scope: ["Meta"], layer: "delivery", severity: 2, missing: [] });
    expect(await parseMermaid(mermaidBlocks(incident.body ?? "")[0]!)).toBe("xychart");
    expect(opened.summary).toContain("opened #1 for the delivery break on meta");

    kpi("2026-11-28T16:00:00Z", [COLLAPSE]);
    let from = gh.requests.length;
    const continuing = await scheduled("run while the break lasts");
    expect(continuing.outputs["action-taken"]).toBe("reconciled");
    expect(writesSince(from)).toEqual([]);
    expect(issues()).toHaveLength(1);

    kpi("2026-11-28T18:00:00Z", [COLLAPSE, RETARGETING]);
    const matched = await scheduled("run with a matching second break");
    expect(matched.outputs).toEqual({ "incident-number": "1", "action-taken": "detected" });
    expect(issues()).toHaveLength(1);
    expect(botComments(1)).toHaveLength(1);
    expect(botComments(1)[0]).toContain("`spend` of `meta_rt`");

    kpi("2026-11-29T20:00:00Z", [
      { ...COLLAPSE, to: "2026-11-28T19:00:00Z" },
      { ...RETARGETING, to: "2026-11-28T19:00:00Z" },
    ]);
    await scheduled("run that records the recovery");
    const notes = botComments(1).slice(1);
    expect(notes).toHaveLength(2);
    for (const note of notes) expect(await parseMermaid(mermaidBlocks(note)[0]!)).toBe("xychart");
    expect(gh.issue(REPO, 1)!.state).toBe("open");
    from = gh.requests.length;
    await scheduled("run after the recovery was recorded");
    expect(writesSince(from)).toEqual([]);
  }, 240_000);

  it("converges to one incident when runs overlap or are retried", async () => {
    kpi("2026-11-28T15:00:00Z", [COLLAPSE]);
    await Promise.all([scheduled(), scheduled()]);
    await scheduled();
    const open = issues().filter((i) => i.state === "open");
    expect(open).toHaveLength(1);
    for (const extra of issues().filter((i) => i.state === "closed")) expect(gh.comments(REPO, extra.number).map((c) => c.body)).toContain(`Duplicate of #${open[0]!.number}.`);
  }, 240_000);

  it("reports a missing or malformed KPI file in the configuration-error issue and as an annotation, and finishes", async () => {
    gh.putFile(REPO, ".github/firebreak.yml", ["detection:", "  sources:", "    - path: data/kpi/missing.csv", "    - path: data/kpi/broken.csv", ""].join("\n"));
    gh.putFile(REPO, "data/kpi/broken.csv", "timestamp,channel,spend\n2026-11-28T01:00:00Z,meta,12\n2026-11-28T02:00:00Z,meta,twelve\n");
    const result = await scheduled();
    const errors = issues().filter((i) => i.title === "Firebreak configuration error");
    expect(errors).toHaveLength(1);
    expect(errors[0]!.body).toContain("data/kpi/missing.csv was not found on the default branch");
    expect(errors[0]!.body).toContain("data/kpi/broken.csv line 3, column 3: \"twelve\" is not a number");
    expect(result.stdout.split("\n").filter((l) => l.startsWith("::error"))).toEqual([
      "::error title=Firebreak configuration,file=.github/firebreak.yml::detection.sources.0: data/kpi/missing.csv was not found on the default branch",
      '::error title=Firebreak configuration,file=.github/firebreak.yml::detection.sources.1: data/kpi/broken.csv line 3, column 3: "twelve" is not a number',
    ]);
    // The next run finds the same errors already reported: it writes nothing.
    const from = gh.requests.length;
    await scheduled();
    expect(writesSince(from)).toEqual([]);
  }, 240_000);
});
