// Early detection in the App: its scheduler's pass (a real Probot App, in process, against the
// local GitHub) reads a KPI file on the default branch and opens, updates and annotates
// incidents, and every chart it writes parses with Mermaid.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { firebreakApp } from "../../src/app/index.js";
import { appScheduledPass } from "../../src/app/scheduled.js";
import { parseBody } from "../../src/core/card.js";
import { DEFAULT_CONFIG } from "../../src/core/config.js";
import { parseDeclaration } from "../../src/core/declaration/form.js";
import { detect, newestAt, parseKpi } from "../../src/core/detection/index.js";
import { labelStyles } from "../../src/core/model/labels.js";
import { startAppWorld, type AppWorld } from "../../src/dev/harness.js";
import { mermaidBlocks, parseMermaid } from "../support/mermaid.js";
import { hourlyKpi, type Break } from "./kpi.js";

const REPO = "acme/shop";
const FORM = readFileSync(join(process.cwd(), "templates/ISSUE_TEMPLATE/marketing-incident.yml"), "utf8");
// Reminders (test/nudges) are off: these tests count detection's own comments.
const CONFIG = ["nudges: false", "detection:", "  sources:", "    - path: data/kpi/hourly.csv", "  channels: { meta: Meta, meta_rt: Meta, google: Google }", ""].join("\n");
const COLLAPSE: Break = { channel: "meta", metric: "spend", from: "2026-11-28T02:00:00Z", factor: 0.05 };

let world: AppWorld | undefined;
let app: ReturnType<typeof firebreakApp>;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

const measured: Record<string, string[]> = {};
afterAll(() => {
  for (const [pass, calls] of Object.entries(measured)) console.info(`[detection] App ${pass}: ${calls.length} calls${calls.length ? ` — ${calls.join(", ")}` : ""}`);
});

async function start(options: { env?: Record<string, string> } = {}): Promise<AppWorld> {
  app = firebreakApp({ appSlug: "firebreak", ...(options.env ? { env: options.env } : {}) });
  world = await startAppWorld({ appFn: app, idle: () => app.idle(), throttle: false });
  world.gh.addRepo(REPO);
  for (const style of labelStyles(DEFAULT_CONFIG)) world.gh.createLabel(REPO, style.name, style.color, style.description);
  world.gh.putFile(REPO, ".github/firebreak.yml", CONFIG);
  return world;
}

function kpi(end: string, breaks: Break[], channels = ["meta", "meta_rt", "google"]): string {
  const text = hourlyKpi({ end, breaks, channels });
  world!.gh.putFile(REPO, "data/kpi/hourly.csv", text);
  return text;
}

/** What the engine itself says of a KPI file. */
function engineSignals(text: string) {
  const parsed = parseKpi(text, { format: "csv" });
  if (!parsed.ok) throw new Error(parsed.error.message);
  return detect(parsed.data, DEFAULT_CONFIG.detection, { at: newestAt(parsed.data)! });
}

/** One scheduler pass; returns the repository's calls it spent (304s and token requests are free). */
async function pass(label?: string): Promise<string[]> {
  const from = world!.gh.requests.length;
  await appScheduledPass(world!.probot, app, () => new Date("2026-11-30T12:00:00Z"))();
  await world!.settle();
  const calls = world!.gh.requests
    .slice(from)
    .filter((r) => r.path.startsWith(`/repos/${REPO}/`) && r.status !== 304 && !r.path.endsWith("/installation"))
    .map((r) => `${r.method} ${r.path.replace(`/repos/${REPO}`, "")}`);
  if (label) measured[label] = calls;
  return calls;
}

/** The issues detection opened: the dashboard the pass also keeps is left out. */
const issues = () => world!.gh.issues(REPO).filter((i) => !i.labels.includes("firebreak-dashboard"));
const botComments = (n: number) => world!.gh.comments(REPO, n).filter((c) => c.author === "firebreak[bot]").map((c) => c.body);

describe("the App's scheduled pass with detection", () => {
  it("opens one incident for a spend collapse, adds nothing while it lasts, updates it for a matching break, and records the recovery", async () => {
    const { gh } = await start();
    // Before any break: a quiet pass reads the file and nothing else.
    kpi("2026-11-28T01:00:00Z", []);
    await pass();
    // Reconcile's own reads of the incident lists; the KPI file answers 304, detection adds nothing.
    const quiet = await pass("pass without a signal (warm)");
    expect(quiet.every((c) => c === "GET /issues")).toBe(true);

    const [signal, ...others] = engineSignals(kpi("2026-11-28T15:00:00Z", [COLLAPSE]));
    expect(others).toEqual([]);
    const first = await pass("pass that opens the incident");
    expect(issues()).toHaveLength(1);
    const incident = issues()[0]!;
    expect(incident.author).toBe("firebreak[bot]");
    expect(incident.title).toBe("Detected: spend of meta 95% below expected (delivery)");
    expect([...incident.labels].sort()).toEqual(["incident", "layer:delivery", "sev:2", "status:triage"]);
    const parsed = parseBody(incident.body);
    expect(parsed.state).toMatchObject({ status: "triage", severity: 2, layer: { likely: "delivery" }, roles: { detector: "firebreak[bot]" } });
    const declaration = parseDeclaration(incident.body, FORM, FORM);
    expect(declaration).toMatchObject({ scope: ["Meta"], started: signal!.since, layer: "delivery", severity: 2 });
    expect(declaration.symptom).toMatch(/^`spend` of `meta` was \d+(\.\d+)? at 2026-11-28 14:00 UTC, 9\d% below expected/);
    expect(incident.body).toContain("| metric | layer | observed | expected | band | score | since | why |");
    const charts = mermaidBlocks(incident.body ?? "");
    expect(charts).toHaveLength(1);
    expect(await parseMermaid(charts[0]!)).toBe("xychart");
    // The incident, and the dashboard the same pass opens once the repository has an incident.
    expect(first.filter((c) => c === "POST /issues")).toHaveLength(2);
    expect(world!.gh.issues(REPO).filter((i) => i.labels.includes("firebreak-dashboard"))).toHaveLength(1);

    // The next hour: the break goes on. Nothing new, and no write.
    kpi("2026-11-28T16:00:00Z", [COLLAPSE]);
    const continuing = await pass("pass while the break lasts");
    expect(continuing.filter((c) => !c.startsWith("GET "))).toEqual([]);
    expect(issues()).toHaveLength(1);
    expect(botComments(incident.number)).toEqual([]);

    // Retargeting on Meta (mapped to the same scope) collapses too: the open incident matches.
    const retargeting: Break = { channel: "meta_rt", metric: "spend", from: "2026-11-28T06:00:00Z", factor: 0.05 };
    kpi("2026-11-28T18:00:00Z", [COLLAPSE, retargeting]);
    await pass("pass with a matching second break");
    expect(issues()).toHaveLength(1);
    const [update] = botComments(incident.number);
    expect(update).toContain("Firebreak detected a matching break in the KPI data.");
    expect(update).toContain("`spend` of `meta_rt`");
    expect(await parseMermaid(mermaidBlocks(update!)[0]!)).toBe("xychart");
    await pass();
    expect(botComments(incident.number)).toHaveLength(1);

    // Both recover: the clearing of each is recorded once, and the incident stays open.
    const ended = [
      { ...COLLAPSE, to: "2026-11-28T19:00:00Z" },
      { ...retargeting, to: "2026-11-28T19:00:00Z" },
    ];
    kpi("2026-11-29T20:00:00Z", ended);
    await pass("pass that records the recovery");
    const notes = botComments(incident.number).slice(1);
    expect(notes).toHaveLength(2);
    expect(notes.map((n) => /on `(\w+)`/.exec(n)?.[1]).sort()).toEqual(["meta", "meta_rt"]);
    for (const note of notes) {
      expect(note).toContain("has cleared in the KPI data");
      expect(await parseMermaid(mermaidBlocks(note)[0]!)).toBe("xychart");
    }
    expect(gh.issue(REPO, incident.number)!.state).toBe("open");
    await pass("pass after the recovery was recorded");
    expect(botComments(incident.number)).toHaveLength(3);
  }, 120_000);

  it("converges to one incident when passes run at once or again", async () => {
    await start();
    kpi("2026-11-28T15:00:00Z", [COLLAPSE]);
    const other = firebreakApp({ appSlug: "firebreak" });
    // Two App processes ticking at the same moment, then a redelivered pass.
    await Promise.all([appScheduledPass(world!.probot, app)(), appScheduledPass(world!.probot, other)()]);
    await world!.settle();
    await pass();
    const open = issues().filter((i) => i.state === "open");
    expect(open).toHaveLength(1);
    for (const extra of issues().filter((i) => i.state === "closed")) {
      expect(extra.stateReason).toBe("not_planned");
      expect(world!.gh.comments(REPO, extra.number).map((c) => c.body)).toContain(`Duplicate of #${open[0]!.number}.`);
    }
    expect(parseBody(open[0]!.body).hasCard).toBe(true);
  }, 120_000);
});

describe("a bad KPI source in the App", () => {
  it("gives one configuration-error entry per source, never a crash, and the good source still detects", async () => {
    const { gh } = await start({ env: { KPI_TOKEN: "X-Key: secret-value", FIREBREAK_KPI_SHEET: "X-Key: secret-value" } });
    gh.putFile(
      REPO,
      ".github/firebreak.yml",
      [
        "detection:",
        "  sources:",
        "    - path: data/kpi/missing.csv",
        "    - path: data/kpi/broken.csv",
        "    - url: https://127.0.0.1/kpi.csv",
        "    - url: https://kpi.example.com/kpi.csv",
        "      auth_env: KPI_TOKEN",
        "    - path: data/kpi/hourly.csv",
        "",
      ].join("\n"),
    );
    gh.putFile(REPO, "data/kpi/broken.csv", "timestamp,channel,spend\n2026-11-28T01:00:00Z,meta,12\n2026-11-28T02:00:00Z,meta,twelve\n");
    kpi("2026-11-28T15:00:00Z", [COLLAPSE]);
    await pass();
    const errors = issues().filter((i) => i.title === "Firebreak configuration error");
    expect(errors).toHaveLength(1);
    const body = errors[0]!.body;
    expect(body).toContain("data/kpi/missing.csv was not found on the default branch");
    expect(body).toMatch(/data\/kpi\/broken\.csv line 3, column 3: /);
    expect(body).toContain("https://127.0.0.1/kpi.csv refused: 127.0.0.1 is a loopback address (the hosted App reads KPI URLs only on the public internet)");
    expect(body).toContain("auth_env KPI_TOKEN is refused: the hosted App reads only environment variables starting with FIREBREAK_KPI_");
    expect(body).not.toContain("secret-value");
    expect(issues().filter((i) => i.labels.includes("incident"))).toHaveLength(1);
    // The same errors on the next pass: the issue is not written again.
    const before = gh.requests.length;
    await pass();
    // GraphQL queries (the dashboard asking who wrote each record) are reads sent as POST.
    expect(gh.requests.slice(before).filter((r) => r.method !== "GET" && r.path !== "/graphql").map((r) => `${r.method} ${r.path}`)).toEqual([]);
  }, 120_000);
});
