// The scheduled pass against the built-in local GitHub: it spends at most `schedule.max_calls`
// per repository, continues where it stopped, and the App runs it over every installation.
import { Octokit } from "@octokit/core";
import { afterEach, describe, expect, it } from "vitest";
import { firebreakApp } from "../../src/app/index.js";
import { appScheduledPass } from "../../src/app/scheduled.js";
import { parseBody } from "../../src/core/card.js";
import { startAppWorld } from "../../src/dev/harness.js";
import { LocalGitHub } from "../../src/dev/local-github/index.js";
import { FileCache } from "../../src/github/files.js";
import { LabelStyler } from "../../src/github/labels.js";
import type { ShellDeps } from "../../src/github/shell/deps.js";
import { handle } from "../../src/github/shell/handle.js";
import { MemoryCursor } from "../../src/github/shell/scheduled-pass.js";
import { inProcessScheduler, parseEvery } from "../../src/schedule/index.js";
import { shippedTemplates } from "../../src/templates.js";

const REPO = "acme/shop";
const ref = { owner: "acme", repo: "shop" };

describe("FIREBREAK_SCHEDULE_EVERY", () => {
  it("defaults to 5 minutes and reads seconds, minutes and hours", () => {
    expect(parseEvery(undefined)).toBe(300);
    expect(parseEvery("30s")).toBe(30);
    expect(parseEvery("2h")).toBe(7200);
  });

  it("refuses anything under 10 seconds or not a duration, naming the variable", () => {
    expect(() => parseEvery("5s")).toThrow(/at least 10s/);
    expect(() => parseEvery("every day")).toThrow(/FIREBREAK_SCHEDULE_EVERY/);
  });
});

describe("the in-process scheduler", () => {
  it("never runs a pass while the previous one is still running", async () => {
    let running = 0;
    let most = 0;
    let done = 0;
    const scheduler = inProcessScheduler(
      1,
      async () => {
        most = Math.max(most, ++running);
        await new Promise((resolve) => setTimeout(resolve, 1500));
        running -= 1;
        done += 1;
      },
      () => undefined,
    );
    try {
      while (done < 2) await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      scheduler.stop();
    }
    expect(most).toBe(1);
  }, 20_000);
});

describe("a pass over many incidents", () => {
  let gh: LocalGitHub | undefined;
  afterEach(async () => {
    await gh?.stop();
    gh = undefined;
  });

  /** Incidents labelled by hand while no run listened: each needs its card from the pass. */
  async function unreconciled(maxCalls: number, count = 25): Promise<{ gh: LocalGitHub; client: Octokit; deps: ShellDeps }> {
    const local = new LocalGitHub();
    gh = local;
    const { url } = await local.start();
    local.addRepo(REPO);
    local.addCollaborator(REPO, "devon", "write");
    local.createLabel(REPO, "incident", "b60205", "A marketing incident");
    // Reminders have a test of their own (test/nudges): here the pass's reconcile is measured.
    local.putFile(REPO, ".github/firebreak.yml", `schedule:\n  max_calls: ${maxCalls}\nnudges: false\n`);
    for (let i = 1; i <= count; i++) local.openIssue(REPO, "devon", { title: `Incident ${i}`, body: "Orders from iOS stopped at 10:00.", labels: ["incident"] });
    const client = new Octokit({ baseUrl: url, auth: local.tokenFor("acme") });
    const deps: ShellDeps = { files: new FileCache(), labels: new LabelStyler(), botLogin: "acme", templates: shippedTemplates(), issueFromPayload: true };
    return { gh: local, client, deps };
  }

  it("stays within schedule.max_calls per pass and finishes in later passes, each incident once", async () => {
    const { client, deps, gh: local } = await unreconciled(40);
    const cursor = new MemoryCursor();
    const passes: { calls: number; declared: number; stopped: boolean }[] = [];
    for (let pass = 0; pass < 20; pass++) {
      local.resetRequests();
      const handled = await handle(client, { kind: "scheduled", ref, at: "2026-11-30T12:00:00Z" }, deps, cursor);
      // Every request counts here but the config read (answered 304 once cached) and the error-issue lookup before the budget.
      const counted = local.requests.filter((r) => r.status !== 304 && !r.path.includes("/contents/")).length;
      passes.push({ calls: counted, declared: handled.results.filter((r) => r.action === "declared").length, stopped: handled.stoppedAt !== undefined });
      if (!handled.stoppedAt) break;
    }
    expect(passes.length).toBeGreaterThan(2);
    expect(passes.at(-1)?.stopped).toBe(false);
    // A pass stops starting incidents once it spent its budget; the one in progress finishes.
    const perIncident = Math.max(...passes.map((p) => (p.declared > 0 ? p.calls / p.declared : 0)));
    for (const p of passes) expect(p.calls).toBeLessThanOrEqual(40 + Math.ceil(perIncident));
    expect(passes.reduce((n, p) => n + p.declared, 0)).toBe(25);
    for (let i = 1; i <= 25; i++) expect(parseBody(local.issue(REPO, i)?.body).state?.status).toBe("triage");
  }, 60_000);

  it("without a cursor (the Action's cold runs), reconciling more incidents than one pass can still leaves the later jobs their share", async () => {
    const { client, deps, gh: local } = await unreconciled(100, 40);
    const handled = await handle(client, { kind: "scheduled", ref, at: "2026-11-30T12:00:00Z" }, deps);
    // Reconcile stopped short of the 40 incidents, and the pass says where the next one starts…
    const declared = handled.results.filter((r) => r.action === "declared").length;
    expect(declared).toBeGreaterThan(0);
    expect(declared).toBeLessThan(40);
    expect(handled.stoppedAt?.job).toBe("reconcile");
    // …yet the dashboard, the last job, ran: it opened its issue within the same budget.
    expect(local.issues(REPO).filter((i) => i.labels.includes("firebreak-dashboard"))).toHaveLength(1);
    expect(handled.calls).toBeLessThanOrEqual(100);
  }, 60_000);

  for (const maxCalls of [40, 100]) {
    it(`runs without memory (the Action, the CLI) go on where the last one stopped: the cursor rides on the dashboard issue (max_calls ${maxCalls})`, async () => {
      const { client, deps, gh: local } = await unreconciled(maxCalls, 40);
      const passes: number[][] = [];
      for (let run = 0; run < 20; run++) {
        local.resetRequests();
        // Every run is a new process: nothing is remembered but what GitHub holds.
        const handled = await handle(client, { kind: "scheduled", ref, at: "2026-11-30T12:00:00Z" }, { ...deps, files: new FileCache(), cursorOnDashboard: true });
        // It does not go over what the runs before it reconciled: no read of those incidents' logs.
        const done = passes.flat();
        const reread = local.requests.map((r) => /\/issues\/(\d+)\/comments$/.exec(r.path)?.[1]).filter((n) => n !== undefined && done.includes(Number(n)));
        expect(reread).toEqual([]);
        passes.push(handled.results.filter((r) => r.action === "declared").map((r) => r.incident!));
        // Within the budget, but for the incident in progress when it ran out (it finishes).
        expect(handled.calls).toBeLessThanOrEqual(maxCalls + 5);
        if (!handled.stoppedAt) break;
      }
      expect(passes.length).toBeGreaterThan(1);
      // Each run starts after the last one's stop: every incident is declared once, in order.
      expect(passes.flat()).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      // Finished, the dashboard holds no stop: the next run starts from the beginning.
      const dashboard = local.issues(REPO).find((i) => i.labels.includes("firebreak-dashboard"));
      expect(dashboard?.body).toContain("firebreak:dashboard");
      expect(dashboard?.body).not.toContain("firebreak:pass-cursor");
    }, 120_000);
  }
});

describe("the App's scheduled pass", () => {
  it("walks every repository of the installation and reconciles it", async () => {
    const app = firebreakApp({ appSlug: "firebreak" });
    const world = await startAppWorld({ appFn: app, idle: () => app.idle(), throttle: false });
    try {
      world.gh.addRepo(REPO);
      world.gh.addRepo("acme/blog");
      world.gh.addCollaborator(REPO, "devon", "write");
      world.gh.addCollaborator("acme/blog", "devon", "write");
      world.gh.setWebhook({ url: "http://127.0.0.1:9/nowhere", secret: "x" });
      for (const repo of [REPO, "acme/blog"]) {
        world.gh.createLabel(repo, "incident", "b60205", "A marketing incident");
        world.gh.openIssue(repo, "devon", { title: "Checkout broken", body: "Orders stopped at 10:00.", labels: ["incident"] });
        world.gh.comment(repo, 1, "devon", "/owner @devon");
      }
      await appScheduledPass(world.probot, app, () => new Date("2026-11-30T12:00:00Z"))();
      for (const repo of [REPO, "acme/blog"]) {
        const issue = world.gh.issue(repo, 1);
        expect(parseBody(issue?.body).state?.roles.owner, repo).toBe("devon");
        expect(world.gh.comments(repo, 1)[0]?.reactions.map((r) => r.content), repo).toEqual(["+1"]);
      }
    } finally {
      await world.stop();
    }
  }, 60_000);
});
