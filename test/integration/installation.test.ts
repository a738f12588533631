// The App creates Firebreak's labels when it is installed (or a repository is added to the
// installation): a form's label must exist before the first submission, or GitHub drops it.
import nock from "nock";
import { afterEach, beforeEach, expect, it } from "vitest";
import { allLabels, DEFAULT_CONFIG } from "../../src/core/config.js";
import { API } from "../support/payloads.js";
import { testApp } from "../support/probot.js";

beforeEach(() => nock.disableNetConnect());
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

const sender = { login: "octo-admin", id: 9, type: "User" };
const installation = { id: 1, account: { login: "acme", id: 2, type: "Organization" } };

function labelsScope(repo: string, existing: { name: string; color: string; description: string | null }[], created: string[]): nock.Scope {
  return nock(API)
    .get(`/repos/${repo}/contents/.github%2Ffirebreak.yml`)
    .reply(200, { type: "file", encoding: "base64", content: Buffer.from("labels:\n  incident: marketing-incident\n").toString("base64") })
    .get(`/repos/${repo}/labels`)
    .query(true)
    .reply(200, existing)
    .post(`/repos/${repo}/labels`, (body: { name: string }) => {
      created.push(body.name);
      return true;
    })
    .times(allLabels({ ...DEFAULT_CONFIG, labels: { ...DEFAULT_CONFIG.labels, incident: "marketing-incident" } }).length - existing.length)
    .reply(201, {});
}

it("on installation.created, creates every label in each repository, with the names its config gives", async () => {
  const { receive } = testApp();
  const created: string[] = [];
  const scope = labelsScope("acme/shop", [], created);
  await receive("installation", { action: "created", installation, repositories: [{ id: 3, name: "shop", full_name: "acme/shop", private: true }], sender });
  scope.done();
  expect(created).toHaveLength(19);
  expect(created).toContain("marketing-incident");
  expect(created).not.toContain("incident");
});

it("on installation_repositories.added, only the added repositories, and only the missing labels", async () => {
  const { receive } = testApp();
  const created: string[] = [];
  const existing = [{ name: "sev:1", color: "000000", description: null }];
  // sev:1 exists with another style: it is updated, not created.
  const scope = labelsScope("acme/blog", existing, created).patch(/\/repos\/acme\/blog\/labels\/sev%3A1/).reply(200, {});
  await receive("installation_repositories", {
    action: "added",
    installation,
    repository_selection: "selected",
    repositories_added: [{ id: 4, name: "blog", full_name: "acme/blog", private: false }],
    repositories_removed: [],
    sender,
  });
  scope.done();
  expect(created).toHaveLength(18);
  expect(created).not.toContain("sev:1");
});
