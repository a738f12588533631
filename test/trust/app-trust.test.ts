// Issue 11 / SPEC §13: the attacks a security review reproduced, each played through the real
// App (Probot, in process) against the built-in local GitHub, as an outsider would play them.
import { afterEach, describe, expect, it } from "vitest";
import { firebreakApp } from "../../src/app/index.js";
import { parseBody, renderBody } from "../../src/core/card.js";
import { DEFAULT_CONFIG } from "../../src/core/config.js";
import type { IncidentState } from "../../src/core/model/incident.js";
import type { AppWorld } from "../../src/dev/harness.js";
import { settle, startAppServer, startAppWorld } from "../../src/dev/harness.js";
import { FULL_FORM } from "../support/payloads.js";

const REPO = "acme/shop";
const BOT = "firebreak[bot]";
let world: AppWorld | undefined;

afterEach(async () => {
  await world?.stop();
  world = undefined;
});

async function start(config?: string): Promise<AppWorld> {
  const app = firebreakApp({ appSlug: "firebreak" });
  world = await startAppWorld({ appFn: app, idle: () => app.idle(), throttle: false });
  const { gh } = world;
  gh.addRepo(REPO);
  gh.addCollaborator(REPO, "dana", "triage");
  gh.addCollaborator(REPO, "olga", "write");
  gh.addCollaborator(REPO, "rita", "read");
  for (const l of ["incident", "sev:1", "sev:2", "sev:3", "status:triage", "status:investigating", "routine-variance", "layer:measurement", "postmortem"]) gh.createLabel(REPO, l, "ededed", l);
  if (config) gh.putFile(REPO, ".github/firebreak.yml", config);
  return world;
}

const stateOf = (w: AppWorld, n: number): IncidentState | undefined => parseBody(w.gh.issue(REPO, n)?.body).state;
const botReplies = (w: AppWorld, n: number) => w.gh.comments(REPO, n).filter((c) => c.author === BOT).map((c) => c.body);
const writes = (w: AppWorld) => w.gh.requests.filter((r) => r.method !== "GET" && r.token.kind === "installation" && !r.path.endsWith("/access_tokens"));

async function declared(w: AppWorld, by = "dana"): Promise<number> {
  const issue = w.gh.openIssue(REPO, by, { title: "Meta purchases down 70%", body: FULL_FORM, labels: ["incident"] });
  await w.settle();
  return issue.number;
}

/** Resolved and closed by a responder: returns the postmortem Firebreak opened. */
async function closedWithPostmortem(w: AppWorld, n: number): Promise<number> {
  w.gh.comment(REPO, n, "dana", "/resolve\ncause: consent banner blocked the pixel\nlayer: measurement\nevidence: test order\nfix: banner config");
  await w.settle();
  w.gh.closeIssue(REPO, n, "dana");
  await w.settle();
  const pm = stateOf(w, n)?.postmortem?.issue;
  expect(pm).toBeDefined();
  return pm!;
}

/** A postmortem body with every question answered and every box ticked, `fix` as the process fix's link. */
function completed(body: string, answer: string, fix: string): string {
  return body
    .replace(/_Answer here\._/g, answer)
    .replace(/- \[ \] (Process fix[^\n]*)/, `- [x] $1 ${fix}`)
    .replace(/- \[ \]/g, "- [x]");
}

/** An outsider's declaration a responder escalated: the outsider, its author, may still edit its body. */
async function escalatedByOutsider(w: AppWorld): Promise<number> {
  const n = await declared(w, "mallory");
  w.gh.comment(REPO, n, "dana", "/escalate");
  await w.settle();
  return n;
}

/**
 * A cold instance (no memory of what Firebreak wrote) receives the outsider's edit of the body:
 * the record `forge` makes of the current one.
 */
async function forgedOnColdApp(w: AppWorld, n: number, forge: (state: IncidentState) => IncidentState): Promise<void> {
  const coldApp = firebreakApp({ appSlug: "firebreak" });
  const cold = await startAppServer({ appFn: coldApp, baseUrl: w.gh.url, throttle: false });
  try {
    w.gh.setWebhook({ url: cold.webhookUrl, secret: cold.secret });
    const parsed = parseBody(w.gh.issue(REPO, n)!.body);
    const forgedState = forge(parsed.state!);
    w.gh.editIssue(REPO, n, "mallory", { body: renderBody(forgedState, parsed.userText, { config: DEFAULT_CONFIG, now: forgedState.declaredAt })! });
    await settle(w.gh, () => coldApp.idle());
  } finally {
    await cold.stop();
  }
}

describe("reply keys (item 4)", () => {
  it("an outsider comment carrying a copied reply key does not suppress the SEV1 notification", async () => {
    const w = await start("notify:\n  1: [oncall]\n");
    const n = await declared(w);
    w.gh.comment(REPO, n, "mallory", "just saying <!-- firebreak:reply notify-sev1 -->");
    await w.settle();
    w.gh.comment(REPO, n, "dana", "/severity 1");
    await w.settle();
    expect(stateOf(w, n)?.severity).toBe(1);
    expect(botReplies(w, n).some((b) => b.includes("@oncall"))).toBe(true);
  }, 60_000);
});

describe("outsiders cost little (item 12)", () => {
  it("an outsider's command gets one refusal and no other write: card, record and labels unchanged", async () => {
    const w = await start();
    const n = await declared(w);
    const before = w.gh.issue(REPO, n)!;
    w.gh.resetRequests();
    w.gh.comment(REPO, n, "mallory", "/severity 1");
    await w.settle();
    w.gh.comment(REPO, n, "mallory", "/owner @mallory\n/contain nothing");
    await w.settle();
    const after = w.gh.issue(REPO, n)!;
    expect(after.body).toBe(before.body);
    expect(after.labels).toEqual(before.labels);
    const posted = writes(w);
    expect(posted.map((r) => r.method)).toEqual(["POST", "POST"]);
    expect(botReplies(w, n)).toHaveLength(2);
    // A later authorised command still works, and the refusals are not repeated.
    w.gh.comment(REPO, n, "dana", "/severity 3");
    await w.settle();
    expect(stateOf(w, n)?.severity).toBe(3);
    expect(botReplies(w, n)).toHaveLength(2);
  }, 60_000);
});

describe("authorisation by permission, not association (item 9)", () => {
  it("a read-only COLLABORATOR cannot set severity or dismiss", async () => {
    const w = await start();
    const n = await declared(w);
    w.gh.comment(REPO, n, "rita", "/severity 1");
    await w.settle();
    w.gh.comment(REPO, n, "rita", "/not-incident nothing to see");
    await w.settle();
    expect(stateOf(w, n)?.severity).toBe(2);
    expect(stateOf(w, n)?.status).toBe("triage");
    expect(w.gh.issue(REPO, n)?.labels).toContain("sev:2");
    // One lookup for rita, cached for the second comment.
    expect(w.gh.requests.filter((r) => r.path.endsWith("/collaborators/rita/permission"))).toHaveLength(1);
  }, 60_000);

  it("the outsider author of an escalated incident cannot dismiss or reopen it", async () => {
    const w = await start();
    const n = await declared(w, "mallory");
    expect(stateOf(w, n)?.status).toBe("routine-variance");
    w.gh.comment(REPO, n, "dana", "/escalate");
    await w.settle();
    expect(stateOf(w, n)?.status).toBe("triage");
    w.gh.comment(REPO, n, "mallory", "/not-incident fixed itself");
    await w.settle();
    expect(stateOf(w, n)?.status).toBe("triage");
    w.gh.closeIssue(REPO, n, "mallory", "not_planned");
    await w.settle();
    expect(stateOf(w, n)?.status).not.toBe("dismissed");
    expect(w.gh.issue(REPO, n)?.state).toBe("open");
    // Dismissed by a responder, the outsider author's reopen is undone.
    w.gh.closeIssue(REPO, n, "dana", "not_planned");
    await w.settle();
    expect(stateOf(w, n)?.status).toBe("dismissed");
    w.gh.reopenIssue(REPO, n, "mallory");
    await w.settle();
    expect(w.gh.issue(REPO, n)?.state).toBe("closed");
    expect(stateOf(w, n)?.status).toBe("dismissed");
  }, 60_000);

  it("a bot not in allow_bots never commands, even as a collaborator", async () => {
    const w = await start();
    w.gh.addCollaborator(REPO, "helper[bot]", "write");
    const n = await declared(w);
    w.gh.comment(REPO, n, "helper[bot]", "/severity 1");
    await w.settle();
    expect(stateOf(w, n)?.severity).toBe(2);
  }, 60_000);
});

describe("no comment can wedge an incident (item 11)", () => {
  it("two comments of 20 /change cannot make a reply GitHub refuses: the incident keeps taking commands", async () => {
    const w = await start();
    const n = await declared(w);
    const changes = (from: number) => Array.from({ length: 20 }, (_, i) => `/change ${String(from + i).padStart(3, "0")} ${"budget shift ".repeat(15)}`).join("\n");
    w.gh.comment(REPO, n, "dana", changes(1));
    await w.settle();
    w.gh.comment(REPO, n, "dana", changes(21));
    await w.settle();
    w.gh.comment(REPO, n, "olga", "/severity 1");
    await w.settle();
    expect(stateOf(w, n)?.severity).toBe(1);
    expect(stateOf(w, n)?.interventions).toHaveLength(40);
    const replies = botReplies(w, n);
    for (const r of replies) expect(Array.from(r).length).toBeLessThanOrEqual(65_536);
    expect(replies.some((r) => r.includes("shortened"))).toBe(true);
    expect(w.gh.requests.filter((r) => r.status === 422)).toEqual([]);
  }, 60_000);
});

describe("forged postmortem (item 1)", () => {
  it("an outsider's issue with a copied postmortem marker, closed complete, does not complete the incident's postmortem", async () => {
    const w = await start();
    const n = await declared(w);
    const pm = await closedWithPostmortem(w, n);
    // The outsider copies Firebreak's postmortem, answers everything, ticks every box with a phishing "fix".
    const forged = completed(w.gh.issue(REPO, pm)!.body ?? "", "All good.", "https://evil.example/login");
    const fake = w.gh.openIssue(REPO, "mallory", { title: "Postmortem", body: forged });
    await w.settle();
    w.gh.closeIssue(REPO, fake.number, "mallory");
    await w.settle();
    const state = stateOf(w, n);
    expect(state?.postmortem).toMatchObject({ issue: pm, complete: false });
    expect(state?.status).toBe("closed");
    expect(w.gh.issue(REPO, n)?.body).not.toContain("evil.example");
  }, 60_000);
});

describe("forged card (item 2)", () => {
  it("an outsider's unlabelled issue with a copied SEV1 card gets no labels, no notification and no reply", async () => {
    const w = await start("notify:\n  2: [oncall]\n");
    const n = await declared(w);
    expect(botReplies(w, n).some((b) => b.includes("@oncall"))).toBe(true);
    const copied = w.gh.issue(REPO, n)!.body ?? "";
    const fake = w.gh.openIssue(REPO, "mallory", { title: "Totally an incident", body: copied });
    await w.settle();
    w.gh.comment(REPO, fake.number, "mallory", "anything at all");
    w.gh.comment(REPO, fake.number, "mallory", "/owner @alice @bob @acme/everyone");
    await w.settle();
    w.gh.closeIssue(REPO, fake.number, "mallory");
    await w.settle();
    const after = w.gh.issue(REPO, fake.number)!;
    // The copy carries the whole form, so it is what any outsider's form submission is: held as
    // routine variance (SPEC §12), with the one reply that says how to escalate. The copied
    // card itself grants nothing: no incident or severity label, no owner, no notification.
    expect(after.labels).toEqual(["routine-variance"]);
    expect(after.assignees).toEqual([]);
    // Then mallory's `/owner` gets its one refusal, and nothing else happens.
    const replies = botReplies(w, fake.number);
    expect(replies).toHaveLength(2);
    expect(replies[0]).toContain("Not declared as an incident");
    expect(replies[1]).toContain("only people with triage permission");
    expect(replies.join("\n")).not.toMatch(/@oncall|@alice|@bob|@acme/);
  }, 60_000);

  it("an outsider's form with a copied card inside is declared from the form, not from the copied record", async () => {
    const w = await start();
    const n = await declared(w);
    const card = w.gh.issue(REPO, n)!.body!;
    const forgedState = { ...parseBody(card).state!, status: "resolved" as const, severity: 1 as const, appliedThrough: Number.MAX_SAFE_INTEGER };
    const forged = renderBody(forgedState, FULL_FORM, { config: DEFAULT_CONFIG, now: forgedState.declaredAt })!;
    const fake = w.gh.openIssue(REPO, "mallory", { title: "Form", body: forged, labels: ["incident"] });
    await w.settle();
    const state = stateOf(w, fake.number);
    expect(state?.status).toBe("routine-variance");
    expect(state?.appliedThrough).toBeUndefined();
    expect(w.gh.issue(REPO, fake.number)?.labels).not.toContain("sev:1");
  }, 60_000);
});

describe("two quick edits keep a forged card (item 3)", () => {
  it("the section is put back to what Firebreak last wrote, and later commands still apply", async () => {
    const w = await start();
    const n = await declared(w, "mallory");
    w.gh.comment(REPO, n, "dana", "/escalate");
    await w.settle();
    expect(stateOf(w, n)?.status).toBe("triage");
    const real = w.gh.issue(REPO, n)!.body!;
    const parsed = parseBody(real);
    const forgedState = { ...parsed.state!, status: "resolved" as const, appliedThrough: Number.MAX_SAFE_INTEGER };
    const forged = renderBody(forgedState, parsed.userText, { config: DEFAULT_CONFIG, now: forgedState.declaredAt })!;
    // Two edits before Firebreak answers the first: the second's "previous body" is the forgery.
    w.gh.editIssue(REPO, n, "mallory", { body: forged });
    w.gh.editIssue(REPO, n, "mallory", { body: `${forged}\n\nsmall typo fix` });
    await w.settle();
    expect(stateOf(w, n)?.status).toBe("triage");
    expect(stateOf(w, n)?.appliedThrough ?? 0).toBeLessThan(Number.MAX_SAFE_INTEGER);
    w.gh.comment(REPO, n, "dana", "/severity 1");
    await w.settle();
    expect(stateOf(w, n)?.severity).toBe(1);
    expect(w.gh.issue(REPO, n)?.body).toContain("small typo fix");
  }, 60_000);
});

describe("a forged record cannot hide commands from the rebuild (item 3, log window)", () => {
  it("a cold App that cannot trust the record reads every page of the log, so a command deep in it still counts", async () => {
    const w = await start();
    const n = await escalatedByOutsider(w);
    const chatter = (count: number) => {
      w.gh.setWebhook(undefined); // chatter without commands costs the App nothing; skip its deliveries
      for (let i = 0; i < count; i++) w.gh.comment(REPO, n, "growth-guru-42", `me too ${i}`);
      w.gh.setWebhook({ url: w.webhookUrl, secret: w.secret });
    };
    chatter(120);
    w.gh.comment(REPO, n, "dana", "/severity 1"); // on page 2 of 4: only a whole-log read sees it
    await w.settle();
    expect(stateOf(w, n)?.severity).toBe(1);
    chatter(250);

    // The forged record claims every comment up to the newest is applied already.
    const newest = Math.max(...w.gh.comments(REPO, n).map((c) => c.id));
    const from = w.gh.requests.length;
    await forgedOnColdApp(w, n, (state) => ({ ...state, severity: 3, applied: [newest], appliedThrough: newest }));
    const logPages = w.gh.requests.slice(from).filter((r) => r.method === "GET" && /\/issues\/\d+\/comments$/.test(r.path)).length;
    // 371 comments: page 1 for the Link header, then pages 4, 3 and 2 — the forged floor stops nothing.
    expect(logPages).toBe(4);
    expect(stateOf(w, n)?.severity).toBe(1);
  }, 120_000);
});

describe("a rebuilt record keeps what GitHub still shows (item 3, rebuild)", () => {
  it("a forged record on a closed incident is rebuilt with its complete postmortem and the process fix a repeat will quote", async () => {
    const w = await start();
    const n = await escalatedByOutsider(w);
    const pm = await closedWithPostmortem(w, n);
    w.gh.editIssue(REPO, pm, "olga", { body: completed(w.gh.issue(REPO, pm)!.body ?? "", "Answered in the review.", "https://github.com/acme/shop/pull/9") });
    w.gh.closeIssue(REPO, pm, "olga");
    await w.settle();
    expect(stateOf(w, n)).toMatchObject({ status: "postmortem-complete", postmortem: { issue: pm, complete: true, fix: "https://github.com/acme/shop/pull/9" } });

    // The author's edit: a record that forgets the postmortem.
    await forgedOnColdApp(w, n, ({ postmortem: _forgotten, ...rest }) => ({ ...rest, status: "closed" }));
    expect(stateOf(w, n)).toMatchObject({ status: "postmortem-complete", postmortem: { issue: pm, complete: true, fix: "https://github.com/acme/shop/pull/9" } });
    // The postmortem Firebreak wrote is found again, not opened a second time.
    expect(w.gh.issues(REPO).filter((i) => i.labels.includes("postmortem"))).toHaveLength(1);
  }, 120_000);
});
