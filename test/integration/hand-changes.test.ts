// A `sev:` label added by hand counts when its author may command: the label event carries no
// author association, so the shell looks the actor's permission up before the core decides.
import nock from "nock";
import { afterEach, beforeEach, expect, it } from "vitest";
import { parseBody } from "../../src/core/card.js";
import { declaredIssue } from "../support/incident.js";
import { API, EDITED_BY_FIREBREAK, ISSUE_PATH, issuesEvent, REPO } from "../support/payloads.js";
import { testApp } from "../support/probot.js";

const repoPath = `/repos/${REPO.owner}/${REPO.repo}`;

beforeEach(() => nock.disableNetConnect());
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

function labeledBy(actor: string) {
  const issue = declaredIssue();
  return issuesEvent(
    "labeled",
    { body: issue.body, labels: [...issue.labels, "sev:1"], updatedAt: "2026-11-24T11:00:00Z" },
    { label: { name: "sev:1" }, sender: { login: actor, type: "User" } },
  );
}

/** Delivers the label event with the actor's permission as GitHub answers it; returns the PATCH sent. */
async function handLabel(actor: string, role: string): Promise<Record<string, unknown> | undefined> {
  const { receive } = testApp();
  let patch: Record<string, unknown> | undefined;
  const scope = nock(API)
    .get(`${repoPath}/contents/.github%2Ffirebreak.yml`)
    .reply(404)
    .get(`${repoPath}/collaborators/${actor}/permission`)
    .reply(200, { permission: role, role_name: role, user: { login: actor } })
    // A cold App asks who last edited the body: Firebreak did, so the record is believed.
    .post("/graphql")
    .reply(200, EDITED_BY_FIREBREAK)
    .patch(ISSUE_PATH, (b: Record<string, unknown>) => ((patch = b), true))
    .reply(200, (_u, b) => ({ ...labeledBy(actor).issue, ...(b as object), labels: ((b as { labels: string[] }).labels ?? []).map((name) => ({ name, description: "x" })) }));
  await receive("issues", labeledBy(actor));
  expect(scope.isDone()).toBe(true);
  return patch;
}

it("takes an authorised collaborator's hand-added sev:1 as /severity 1, after looking their permission up", async () => {
  const patch = await handLabel("wren", "write");
  expect(patch?.labels).toContain("sev:1");
  expect(patch?.labels).not.toContain("sev:2");
  expect(parseBody(String(patch?.body)).state?.severity).toBe(1);
});

it("undoes the same label added by someone with read access: the labels go back to the record", async () => {
  const patch = await handLabel("rhea", "read");
  expect(patch?.labels).toContain("sev:2");
  expect(patch?.labels).not.toContain("sev:1");
});
