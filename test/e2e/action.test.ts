// The bundled Action end to end: `node dist/index.js` from a checkout without node_modules,
// with a runner's environment, against the local GitHub emulator. Payloads are the emulator's
// own webhook deliveries, byte for byte, as a runner would write them to GITHUB_EVENT_PATH.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseBody } from "../../src/core/card.js";
import { DEFAULT_CONFIG } from "../../src/core/config.js";
import { LocalGitHub } from "../../src/dev/local-github/index.js";
import { labelStyles } from "../../src/core/model/labels.js";
import { actionCheckout, DeliveryCapture, runAction, type ActionRun } from "../support/action-harness.js";
import { FULL_FORM } from "../support/payloads.js";
import { steppingClock } from "../dev/local-github/helpers.js";

const REPO = "acme/shop";
let checkout: ReturnType<typeof actionCheckout>;
let gh: LocalGitHub;
let capture: DeliveryCapture;

beforeAll(() => {
  checkout = actionCheckout();
});
afterAll(() => checkout.cleanup());

beforeEach(async () => {
  // Declared after the form's start (2026-11-24 09:00 CET), one minute per change.
  gh = new LocalGitHub({ clock: steppingClock("2026-11-24T09:30:00Z") });
  await gh.start();
  capture = new DeliveryCapture();
  gh.setWebhook({ url: await capture.start(), secret: "unused" });
  gh.addRepo(REPO);
  gh.addCollaborator(REPO, "tess", "triage");
  gh.addCollaborator(REPO, "wren", "write");
  // Labels as `firebreak labels` leaves them: creating them on first use is paced like every
  // write (about 1 s apart), which is right on GitHub and only slow here.
  for (const style of labelStyles(DEFAULT_CONFIG)) gh.createLabel(REPO, style.name, style.color, style.description);
});
afterEach(async () => {
  await gh.stop();
  await capture.stop();
});

function run(eventName: string, payload: unknown, token = gh.appToken): Promise<ActionRun> {
  return runAction({ main: checkout.main, apiUrl: gh.url, repository: REPO, eventName, payload, token, botLogin: "firebreak[bot]" });
}

// GraphQL is only read here: who last edited a body (SPEC §13); it writes nothing.
const writes = () => gh.requests.filter((r) => r.method !== "GET" && !r.path.endsWith("/graphql")).map((r) => `${r.method} ${r.path}`);

async function declare(): Promise<ActionRun> {
  gh.openIssue(REPO, "tess", { title: "Meta purchases down 70% since 09:00", body: FULL_FORM, labels: ["incident"] });
  await gh.idle();
  return run("issues", capture.last("issues", "opened"));
}

describe("the bundled Action", () => {
  it("declares an incident from the issue form, then takes a command", async () => {
    const declared = await declare();
    expect(declared.stderr).toBe("");
    expect(declared.code).toBe(0);
    expect(declared.outputs).toEqual({ "incident-number": "1", "action-taken": "declared" });
    expect(declared.summary).toContain("### Firebreak — `issues`");
    expect(declared.summary).toMatch(/\*\*declared\*\* · incident #1/);

    const issue = gh.issue(REPO, 1)!;
    expect(issue.labels).toEqual(["incident", "sev:2", "layer:measurement", "status:triage"]);
    const card = parseBody(issue.body);
    expect(card.hasCard).toBe(true);
    expect(card.userText).toBe(FULL_FORM);
    expect(card.state).toMatchObject({ status: "triage", severity: 2, roles: { detector: "tess" }, layer: { likely: "measurement", source: "form" } });
    expect(card.state?.declaration.scope).toEqual(["Meta"]);
    // One write: labels and card in one PATCH.
    expect(writes()).toEqual([`PATCH /repos/${REPO}/issues/1`]);

    // The form's own `labeled` event arrives too: whichever is handled second writes nothing.
    gh.resetRequests();
    const labeled = await run("issues", capture.last("issues", "labeled"));
    expect(labeled.outputs["action-taken"]).toBe("ignored");
    expect(writes()).toEqual([]);

    const comment = gh.comment(REPO, 1, "tess", "/owner @wren");
    await gh.idle();
    gh.resetRequests();
    const command = await run("issue_comment", capture.last("issue_comment", "created"));
    expect(command.code).toBe(0);
    expect(command.outputs).toEqual({ "incident-number": "1", "action-taken": "command" });
    expect(command.summary).toMatch(/\*\*command\*\* · incident #1/);
    const after = gh.issue(REPO, 1)!;
    expect(after.assignees).toEqual(["wren"]);
    expect(after.labels).toContain("status:investigating");
    expect(parseBody(after.body).state).toMatchObject({ status: "investigating", roles: { owner: "wren" }, applied: [comment.id] });
    const reactions = gh.comments(REPO, 1).find((c) => c.id === comment.id)?.reactions ?? [];
    expect(reactions.map((r) => [r.content, r.user])).toEqual([["+1", "firebreak[bot]"]]);
    // The card and its acknowledgement: the spec's two writes for a command.
    expect(writes()).toEqual([`PATCH /repos/${REPO}/issues/1`, `POST /repos/${REPO}/issues/comments/${comment.id}/reactions`]);
  });

  it("answers a discussion comment without a single API call", async () => {
    await declare();
    gh.comment(REPO, 1, "wren", "Looking at the Meta events manager now.");
    await gh.idle();
    gh.resetRequests();
    const result = await run("issue_comment", capture.last("issue_comment", "created"));
    expect(result.code).toBe(0);
    expect(result.outputs).toEqual({ "incident-number": "", "action-taken": "ignored" });
    expect(result.summary).toContain("comment without a command");
    expect(gh.requests).toEqual([]);
  });

  it("answers on schedule the command whose run was cancelled while pending", async () => {
    await declare();
    const comment = gh.comment(REPO, 1, "tess", "/owner @wren");
    await gh.idle();
    // Its run never happened (a newer pending run in the group replaced it): the schedule catches up.
    const result = await run("schedule", { schedule: "*/30 * * * *" });
    expect(result.code).toBe(0);
    expect(result.outputs).toEqual({ "incident-number": "1", "action-taken": "reconciled" });
    expect(gh.issue(REPO, 1)!.assignees).toEqual(["wren"]);
    const reactions = gh.comments(REPO, 1).find((c) => c.id === comment.id)?.reactions ?? [];
    expect(reactions.map((r) => r.content)).toEqual(["+1"]);
  });

  it("retries GitHub's 5xx answers", async () => {
    gh.openIssue(REPO, "tess", { title: "Meta purchases down", body: FULL_FORM, labels: ["incident"] });
    await gh.idle();
    gh.failNext({ method: "PATCH", path: /\/issues\/1$/ }, { status: 502 });
    const result = await run("issues", capture.last("issues", "opened"));
    expect(result.code).toBe(0);
    expect(result.outputs["action-taken"]).toBe("declared");
    expect(gh.requests.filter((r) => r.method === "PATCH" && r.path.endsWith("/issues/1")).map((r) => r.status)).toEqual([502, 200]);
    expect(parseBody(gh.issue(REPO, 1)!.body).hasCard).toBe(true);
  });

  it("fails the run with a clear error, and never prints the token, when GitHub refuses it", async () => {
    gh.openIssue(REPO, "tess", { title: "Meta purchases down", body: FULL_FORM, labels: ["incident"] });
    await gh.idle();
    const token = `ghp_${"x".repeat(36)}`;
    const result = await run("issues", capture.last("issues", "opened"), token);
    expect(result.code).not.toBe(0);
    const lines = `${result.stdout}${result.stderr}`.split("\n");
    expect(lines).toContainEqual(expect.stringMatching(/^::error::Firebreak failed: .*Bad credentials.*check the github-token input/));
    // The only line with the token asks the runner to mask it; the runner consumes that line.
    expect(lines.filter((l) => l.includes(token))).toEqual([`::add-mask::${token}`]);
    expect(result.outputs["action-taken"]).toBe("ignored");
    expect(gh.issue(REPO, 1)!.labels).toEqual(["incident"]);
  });
});

describe("a push that touched .github/firebreak.yml", () => {
  const push = (ref: string) => ({
    ref,
    before: "0".repeat(40),
    after: "1".repeat(40),
    repository: { full_name: REPO, default_branch: "main" },
    sender: { login: "wren", type: "User" },
  });
  const errorIssues = () => gh.issues(REPO).filter((i) => i.title === "Firebreak configuration error");

  it("closes the configuration-error issue at once when the file is fixed; other branches cost nothing", async () => {
    gh.putFile(REPO, ".github/firebreak.yml", "max_parallel_interventions: 99\n");
    // A broken file: the next run reports it in one issue.
    const broken = await run("push", push("refs/heads/main"));
    expect(broken.code).toBe(0);
    expect(broken.outputs["action-taken"]).toBe("reconciled");
    expect(errorIssues()).toHaveLength(1);
    expect(errorIssues()[0]!.state).toBe("open");
    expect(broken.summary).toContain("has 1 error(s)");

    // The fix, pushed to the default branch: the run validates it and closes the issue.
    gh.putFile(REPO, ".github/firebreak.yml", "max_parallel_interventions: 3\n");
    const fixed = await run("push", push("refs/heads/main"));
    expect(fixed.code).toBe(0);
    expect(fixed.outputs).toEqual({ "incident-number": "", "action-taken": "reconciled" });
    expect(fixed.summary).toContain(".github/firebreak.yml is valid");
    expect(errorIssues()[0]!.state).toBe("closed");

    // A push to another branch changes nothing Firebreak reads: no API call at all.
    gh.resetRequests();
    const branch = await run("push", push("refs/heads/feature"));
    expect(branch.code).toBe(0);
    expect(branch.outputs["action-taken"]).toBe("ignored");
    expect(branch.summary).toContain("not the default branch");
    expect(gh.requests).toEqual([]);
  });
});
