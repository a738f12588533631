// @actions/github's getOctokit, pointed here by GITHUB_API_URL as in a workflow run.
import { afterEach, expect, it, vi } from "vitest";
import { LocalGitHub } from "../../../src/dev/local-github/index.js";

afterEach(() => { vi.unstubAllEnvs(); });

it("serves @actions/github unchanged via GITHUB_API_URL", async () => {
  const gh = new LocalGitHub();
  const { url } = await gh.start();
  try {
    gh.addRepo("acme/shop");
    gh.putFile("acme/shop", ".github/firebreak.yml", "repeat_window_days: 90\n");
    vi.stubEnv("GITHUB_API_URL", url);
    const { getOctokit } = await import("@actions/github");
    const octokit = getOctokit(gh.appToken);
    const { data: issue } = await octokit.rest.issues.create({ owner: "acme", repo: "shop", title: "QA failed for v1.2.0", labels: ["incident"] });
    expect(issue.number).toBe(1);
    await octokit.rest.issues.createComment({ owner: "acme", repo: "shop", issue_number: 1, body: "card" });
    const comments = await octokit.paginate(octokit.rest.issues.listComments, { owner: "acme", repo: "shop", issue_number: 1 });
    expect(comments.map((c) => c.body)).toEqual(["card"]);
    const file = await octokit.rest.repos.getContent({ owner: "acme", repo: "shop", path: ".github/firebreak.yml", mediaType: { format: "raw" } });
    expect(file.data).toBe("repeat_window_days: 90\n");
    expect(gh.requests.every((r) => r.token.kind === "installation")).toBe(true);
  } finally {
    await gh.stop();
  }
});
