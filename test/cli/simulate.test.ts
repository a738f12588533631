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
