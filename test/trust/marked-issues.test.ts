// SPEC §13: a hidden marker counts only on an issue Firebreak wrote. Anyone can submit an issue
// form (whose labels apply whoever submits), so a copied marker must neither stop Firebreak
// from opening its own issue nor make Firebreak close its own issue as the copy's duplicate.
import { afterEach, beforeEach, expect, it } from "vitest";
import { cliOctokit } from "../../src/cli/octokit.js";
import { detectionMarker, postmortemMarker } from "../../src/core/model/markers.js";
import { LocalGitHub } from "../../src/dev/local-github/index.js";
import { closeDuplicates, createIssueOnce } from "../../src/github/issues.js";

const REPO = "acme/shop";
const ref = { owner: "acme", repo: "shop" };
let gh: LocalGitHub;
let client: ReturnType<typeof cliOctokit>;

beforeEach(async () => {
  gh = new LocalGitHub();
  const { url } = await gh.start();
  gh.addRepo(REPO);
  for (const label of ["incident", "postmortem"]) gh.createLabel(REPO, label);
  // The token's owner is who Firebreak writes as here (the CLI with a personal token).
  client = cliOctokit({ GITHUB_TOKEN: gh.tokenFor("acme"), GITHUB_API_URL: url }, { throttle: false });
});
afterEach(() => gh.stop());

it("an outsider's issue with a copied detection marker does not stop Firebreak opening its own, nor get it closed", async () => {
  const marker = detectionMarker({ channel: "meta", layer: "delivery", since: "2026-11-28T02:00:00Z" });
  const copy = gh.openIssue(REPO, "mallory", { title: "Meta spend fine", body: `${marker}\nnothing to see`, labels: ["incident"] });
  const opened = await createIssueOnce(client, ref, { marker, title: "Detected: spend of meta", body: "evidence", labels: ["incident"], findLabel: "incident", author: "acme" });
  expect(opened).toEqual({ number: copy.number + 1, created: true });
  expect(await closeDuplicates(client, ref, { label: "incident", marker, author: "acme" })).toBe(opened.number);
  expect(gh.issue(REPO, opened.number)?.state).toBe("open");
  expect(gh.issue(REPO, copy.number)?.state).toBe("open");
  expect(gh.comments(REPO, copy.number)).toEqual([]);
});

it("an older copy of a postmortem marker never makes Firebreak's real postmortem a duplicate", async () => {
  const marker = postmortemMarker(7);
  gh.openIssue(REPO, "mallory", { title: "Postmortem (copy)", body: `${marker}\n- [x] all done`, labels: ["postmortem"] });
  const real = gh.openIssue(REPO, "acme", { title: "Postmortem: checkout (#7)", body: `${marker}\n- [ ] owner`, labels: ["postmortem"] });
  expect(await closeDuplicates(client, ref, { label: "postmortem", marker, author: "acme" })).toBe(real.number);
  expect(gh.issue(REPO, real.number)?.state).toBe("open");
});
