// The dashboard job against the local GitHub: one issue, updated in place, never duplicated —
// even when two passes race — and what an update costs for a 200-incident history.
import { afterEach, beforeEach, expect, it } from "vitest";
import { memoryIo } from "../../src/cli/common.js";
import { cliOctokit } from "../../src/cli/octokit.js";
import { runReconcile } from "../../src/cli/reconcile.js";
import { renderBody } from "../../src/core/card.js";
import { DEFAULT_CONFIG } from "../../src/core/config.js";
import { DASHBOARD_MARKER } from "../../src/core/model/markers.js";
import { LocalGitHub } from "../../src/dev/local-github/index.js";
import { CallBudget } from "../../src/github/shell/budget.js";
import { updateDashboard } from "../../src/github/shell/dashboard.js";
import { FileCache } from "../../src/github/files.js";
import { LabelStyler } from "../../src/github/labels.js";
import { shippedTemplates } from "../../src/templates.js";
import { history, TO } from "./history.js";

let gh: LocalGitHub;
let env: Record<string, string>;
beforeEach(async () => {
  gh = new LocalGitHub();
  const { url } = await gh.start();
  gh.addRepo("acme/shop");
  gh.addCollaborator("acme/shop", "devon", "write");
  gh.createLabel("acme/shop", "incident");
  env = { GITHUB_TOKEN: gh.tokenFor("acme"), GITHUB_API_URL: url };
});
afterEach(() => gh.stop());

const pass = () => runReconcile({ repo: "acme/shop" }, memoryIo(env), { throttle: false });
const dashboards = () => gh.issues("acme/shop").filter((i) => i.body?.startsWith(DASHBOARD_MARKER));

it("opens no dashboard on a repository that never had an incident", async () => {
  expect(await pass()).toBe(0);
  expect(gh.issues("acme/shop")).toEqual([]);
});

it("keeps one dashboard, rewritten in place as incidents change, and writes nothing when nothing changed", async () => {
  gh.openIssue("acme/shop", "devon", { title: "Checkout broken on iOS", body: "Orders from iOS stopped.", labels: ["incident"] });
  await pass();
  expect(dashboards().map((d) => [d.number, d.state, d.labels])).toEqual([[2, "open", ["firebreak-dashboard"]]]);
  expect(dashboards()[0]?.body).toMatch(/## Open incidents \(1\)\n\n\| incident \| severity \| layer \| status \| owner \| age \| overdue \|\n\|---\|---\|---\|---\|---\|---\|---\|\n\| #1 Checkout broken on iOS \| SEV2 \| — \| triage \| — \| < 1h \| ⚠️ owner \|/);

  gh.comment("acme/shop", 1, "devon", "/owner @devon");
  await pass();
  expect(dashboards()).toHaveLength(1);
  expect(dashboards()[0]?.body).toContain("| #1 Checkout broken on iOS | SEV2 | — | investigating | `devon` | < 1h | — |");

  gh.resetRequests();
  await pass();
  expect(gh.requests.filter((r) => r.method !== "GET" && r.path !== "/graphql")).toEqual([]);
});

it("converges to one dashboard when two passes race to open it", async () => {
  gh.openIssue("acme/shop", "devon", { title: "Checkout broken on iOS", body: "Orders from iOS stopped.", labels: ["incident"] });
  await Promise.all([pass(), pass()]);
  await pass();
  const all = dashboards();
  expect(all.filter((d) => d.state === "open")).toHaveLength(1);
  expect(all.filter((d) => d.state === "open")[0]?.number).toBe(Math.min(...all.map((d) => d.number)));
});

it("costs a fixed handful of calls for 200 incidents: list pages, two trust queries, the lookup and one write", async () => {
  const input = history();
  for (const issue of input.issues.filter((i) => i.number <= 200).sort((a, b) => a.number - b.number)) {
    const body = renderBody(issue.state, "", { config: DEFAULT_CONFIG, now: TO }) ?? "";
    gh.openIssue("acme/shop", "acme", { title: issue.title, body, labels: ["incident"] });
  }
  const budget = new CallBudget(200);
  const client = budget.meter(cliOctokit(env, { throttle: false }));
  const deps = { files: new FileCache(), labels: new LabelStyler(), botLogin: "acme", templates: shippedTemplates(), issueFromPayload: true };
  await updateDashboard(client, { owner: "acme", repo: "shop" }, DEFAULT_CONFIG, deps, budget, TO);
  const opened = budget.spent;
  const byRoute = (r: { method: string; path: string }) => `${r.method} ${r.path.replace(/\?.*/, "")}`;
  gh.resetRequests();
  const again = new CallBudget(200);
  await updateDashboard(again.meter(cliOctokit(env, { throttle: false })), { owner: "acme", repo: "shop" }, DEFAULT_CONFIG, deps, again, "2026-11-30T05:00:00.000Z");
  // incidents since: 3 pages (200 rows, then an empty page) · routine variance 1 · open incidents 2 · postmortems since 1 · open postmortems 1 · trust 2 · dashboard lookup 1 · write 1
  expect(gh.requests.map(byRoute).sort()).toEqual([...Array<string>(10).fill("GET /repos/acme/shop/issues"), "PATCH /repos/acme/shop/issues/201", ...Array<string>(2).fill("POST /graphql")].sort());
  expect(again.spent).toBe(13);
  expect(opened).toBe(15);
  expect(dashboards()).toHaveLength(1);
  expect(dashboards()[0]?.body).toContain("## Open incidents (150)"); // the 200 less the 50 closed
});
