// `firebreak simulate`: the plan an event would cause, from the pure core, with no network.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { memoryIo } from "../../src/cli/common.js";
import { main } from "../../src/cli/program.js";
import type { Simulation } from "../../src/cli/simulate.js";
import { simulate } from "../../src/cli/simulate.js";
import { parseBody } from "../../src/core/card.js";
import { declaredIssue } from "../support/incident.js";
import { commentEvent, commentJson, issuesEvent } from "../support/payloads.js";
import { tempDir } from "./helpers.js";

let dir: ReturnType<typeof tempDir>;
beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
beforeEach(() => void (dir = tempDir()));
afterEach(() => dir.remove());

function file(name: string, content: unknown): string {
  const path = join(dir.path, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIo({}, dir.path);
  const code = await main(["simulate", ...args], io);
  return { code, out: io.stdout.join("\n"), err: io.stderr.join("\n") };
}

it("prints the labels and the card a declaration would write, and sends nothing", async () => {
  const { code, out } = await cli(["--event", "issues", "--payload", file("opened.json", issuesEvent("opened"))]);
  expect(code).toBe(0);
  expect(out).toContain("Decision: declared");
  expect(out).toContain("PATCH /repos/Codertocat/Hello-World/issues/1");
  expect(out).toMatch(/labels → incident, sev:2, layer:measurement, status:triage/);
  expect(out).toContain("The status card after this event:");
  expect(out).toContain("Incident status: 🟠 Triage");
  expect(out).not.toContain("firebreak:state:v1");
  expect(out).toContain("Nothing was sent");
});

it("--json gives the plan as data", async () => {
  const { code, out } = await cli(["--event", "issues", "--payload", file("opened.json", issuesEvent("opened")), "--json"]);
  expect(code).toBe(0);
  const sim = JSON.parse(out) as Simulation;
  expect(sim.action).toBe("declared");
  expect(sim.writes).toHaveLength(1);
  expect(sim.writes[0]).toMatchObject({ method: "PATCH", body: { labels: ["incident", "sev:2", "layer:measurement", "status:triage"] } });
  expect(parseBody(String(sim.plan?.update?.body)).state?.severity).toBe(2);
});

it("simulates a command on an incident with its card (--issue-body): card, assignee and acknowledgement", async () => {
  const issue = declaredIssue();
  const payload = file("comment.json", commentEvent("/owner @octocat", { labels: issue.labels, body: "placeholder" }));
  const sim = await simulate({ event: "issue_comment", payload, issueBody: file("body.md", issue.body) }, memoryIo({}, dir.path));
  expect(sim.action).toBe("command");
  expect(sim.writes.map((w) => `${w.method} ${w.path}`)).toEqual([
    "PATCH /repos/Codertocat/Hello-World/issues/1",
    "POST /repos/Codertocat/Hello-World/issues/comments/5001/reactions",
  ]);
  expect(sim.writes[0]?.body).toMatchObject({ assignees: ["octocat"] });
  expect(sim.card).toContain("Investigating");
});

it("refuses an outsider's command and names the permission lookup it would make", async () => {
  const issue = declaredIssue();
  const payload = file("comment.json", commentEvent("/severity 1", { labels: issue.labels, body: issue.body, commenter: "stranger", commenterAssociation: "NONE" }));
  const sim = await simulate({ event: "issue_comment", payload }, memoryIo({}, dir.path));
  expect(sim.reads.some((r) => r.includes("/collaborators/stranger/permission"))).toBe(true);
  expect(sim.writes.some((w) => w.summary.includes("only people with triage permission"))).toBe(true);
  expect(sim.writes.some((w) => w.path.endsWith("/reactions"))).toBe(false);

  const permitted = await simulate({ event: "issue_comment", payload, permitted: ["stranger"] }, memoryIo({}, dir.path));
  expect(permitted.writes[0]?.body).toMatchObject({ labels: expect.arrayContaining(["sev:1"]) });
});

it("closing without /resolve in the log plans the reopen; with the log (--comments) it opens the postmortem", async () => {
  const issue = declaredIssue();
  const closed = file("closed.json", issuesEvent("closed", { body: issue.body, labels: issue.labels }));
  const gate = await simulate({ event: "issues", payload: closed }, memoryIo({}, dir.path));
  expect(gate.action).toBe("reopened");
  expect(gate.writes.find((w) => w.method === "PATCH")?.body).toMatchObject({ state: "open" });

  const comments = file("comments.json", [commentJson(7001, "/resolve\ncause: theme broke checkout\nevidence: test orders failed", { at: "2026-11-24T14:00:00Z" })]);
  const opened = await simulate({ event: "issues", payload: closed, comments }, memoryIo({}, dir.path));
  expect(opened.action).toBe("postmortem-opened");
  expect(opened.writes[0]).toMatchObject({ method: "POST", path: "/repos/Codertocat/Hello-World/issues" });
  expect(opened.writes[0]?.summary).toMatch(/postmortem/i);
});

it("says why an event needs nothing", async () => {
  const { code, out } = await cli(["--event", "issue_comment", "--payload", file("chat.json", commentEvent("thanks, looking now"))]);
  expect(code).toBe(0);
  expect(out).toContain("Decision: ignored");
  expect(out).toContain("comment without a command");
  expect(out).toContain("Plan: no writes.");
});

it("uses --config: renamed labels show in the plan", async () => {
  const config = file("firebreak.yml", "labels:\n  severity:\n    2: p2\n");
  const { out } = await cli(["--event", "issues", "--payload", file("opened.json", issuesEvent("opened")), "--config", config]);
  expect(out).toMatch(/labels → incident, p2, layer:measurement, status:triage/);
});

it("exit 2 for a missing or invalid payload and for missing options", async () => {
  expect((await cli(["--event", "issues", "--payload", join(dir.path, "nope.json")])).code).toBe(2);
  const bad = await cli(["--event", "issues", "--payload", file("bad.json", "{ not json")]);
  expect(bad.code).toBe(2);
  expect(bad.err).toContain("not valid JSON");
  expect((await cli(["--payload", file("opened.json", issuesEvent("opened"))])).code).toBe(2);
});

it("--event issue: exit 2, naming the valid event names and the likely one", async () => {
  const { code, err, out } = await cli(["--event", "issue", "--payload", file("opened.json", issuesEvent("opened"))]);
  expect(code).toBe(2);
  expect(out).toBe("");
  expect(err).toContain('unknown event "issue" (did you mean issues?)');
  expect(err).toContain("issues, issue_comment, release, deployment_status, push, schedule, workflow_dispatch");
  const push = await cli(["--event", "pull_request", "--payload", file("opened.json", issuesEvent("opened"))]);
  expect(push.code).toBe(2);
  expect(push.err).toContain('unknown event "pull_request":');
});

it("a thin payload: exit 2, each missing field named", async () => {
  const { code, err } = await cli(["--event", "issues", "--payload", file("thin.json", { action: "opened", issue: { number: 1, title: "x" }, repository: {} })]);
  expect(code).toBe(2);
  expect(err).toContain("the issues payload lacks fields Firebreak reads:");
  for (const field of ["issue.body: missing", "issue.state: missing", "issue.html_url: missing (expected string)", "issue.created_at: missing", "issue.user: missing", "issue.labels: missing", "repository.full_name: missing (expected string)", "sender: missing (expected object)"]) {
    expect(err).toContain(field);
  }
  const comment = await cli(["--event", "issue_comment", "--payload", file("c.json", { ...issuesEvent("opened"), action: "created" })]);
  expect(comment.code).toBe(2);
  expect(comment.err).toContain("comment: missing (expected object)");
  const array = await cli(["--event", "issues", "--payload", file("a.json", [])]);
  expect(array.code).toBe(2);
  expect(array.err).toContain("must be a JSON object");
});

it("--example runs a shipped sample payload (from @octokit/webhooks-examples); an unknown one lists them", async () => {
  const opened = await cli(["--example", "issues.opened"]);
  expect(opened.code).toBe(0);
  expect(opened.out).toContain("Decision: declared");
  const comment = await cli(["--example", "issue_comment.created", "--json"]);
  expect(comment.code).toBe(0);
  expect((JSON.parse(comment.out) as Simulation).action).toBe("command");
  const closed = await cli(["--example", "issues.closed"]);
  expect(closed.out).toContain("Decision: reopened");
  const release = await cli(["--example", "release.published"]);
  expect(release.out).toContain("Decision: tracking QA");
  const unknown = await cli(["--example", "issues.deleted"]);
  expect(unknown.code).toBe(2);
  expect(unknown.err).toContain('no example "issues.deleted": --example takes one of issue_comment.created, issues.closed, issues.opened');
  const both = await cli(["--example", "issues.opened", "--payload", "x.json"]);
  expect(both.code).toBe(2);
  expect(both.err).toContain("not both");
  const neither = await cli([]);
  expect(neither.code).toBe(2);
  expect(neither.err).toContain("pass --event NAME --payload FILE, or --example NAME");
});

it("--help's examples exist: the sample payload path it shows is shipped", async () => {
  const io = memoryIo({}, dir.path);
  expect(await main(["simulate", "--help"], io)).toBe(0);
  const help = io.stdout.join("\n");
  expect(help).toContain("firebreak simulate --example issues.opened");
  const shown = /--payload (examples\/payloads\/\S+\.json)/.exec(help)?.[1];
  expect(shown).toBeDefined();
  const { existsSync } = await import("node:fs");
  expect(existsSync(new URL(`../../${shown}`, import.meta.url))).toBe(true);
});

it("a broken --config is exit 2 with each key named, before any plan; ./.github/firebreak.yml is read like qa", async () => {
  const broken = file("broken.yml", "labels: 3\nmax_parallel_interventions: 99\n");
  const bad = await cli(["--example", "issues.opened", "--config", broken]);
  expect(bad.code).toBe(2);
  expect(bad.out).toBe("");
  expect(bad.err).toContain("is not a valid Firebreak configuration");
  expect(bad.err).toMatch(/^ {2}labels: /m);
  expect(bad.err).toMatch(/^ {2}max_parallel_interventions: Too big/m);
  const yaml = await cli(["--example", "issues.opened", "--config", file("y.yml", "labels: [unclosed\n")]);
  expect(yaml.code).toBe(2);

  const { mkdirSync } = await import("node:fs");
  mkdirSync(join(dir.path, ".github"));
  writeFileSync(join(dir.path, ".github", "firebreak.yml"), "labels:\n  severity:\n    2: p2\n");
  const local = await cli(["--example", "issues.opened"]);
  expect(local.code).toBe(0);
  expect(local.out).toMatch(/labels → incident, p2, layer:measurement, status:triage/);
});
