// `_extends` through the shell (SPEC §13): loadRepoConfig reads only a repository of the same
// owner, and the config-error text never quotes a value from the inherited file.
import { describe, expect, it } from "vitest";
import type { GitHubClient } from "../../src/github/client.js";
import { loadRepoConfig } from "../../src/github/config.js";
import { FileCache } from "../../src/github/files.js";

function fakeGitHub(files: Record<string, string>): { gh: GitHubClient; reads: string[] } {
  const reads: string[] = [];
  const request = async (_route: string, params: { owner: string; repo: string; path: string }) => {
    const key = `${params.owner}/${params.repo}:${params.path}`;
    reads.push(key);
    const text = files[key];
    if (text === undefined) throw Object.assign(new Error("Not Found"), { status: 404 });
    return { data: { type: "file", encoding: "base64", content: Buffer.from(text).toString("base64") }, headers: {} };
  };
  return { gh: { request } as unknown as GitHubClient, reads };
}

describe("_extends through loadRepoConfig", () => {
  it("_extends cross-owner read: another owner's repository is never requested, and the error says why without quoting it", async () => {
    const { gh, reads } = fakeGitHub({
      "acme/shop:.github/firebreak.yml": "_extends: victim-corp/private-configs:secrets.yml\nlookback_hours: 6\n",
      "victim-corp/private-configs:secrets.yml": "lookback_hours: 1\n",
    });
    const loaded = await loadRepoConfig(gh, new FileCache(), { owner: "acme", repo: "shop" });
    expect(reads).toEqual(["acme/shop:.github/firebreak.yml"]);
    expect(loaded.config.lookback_hours).toBe(6);
    expect(loaded.errors).toHaveLength(1);
    expect(loaded.errors[0]?.key).toBe("_extends");
    expect(JSON.stringify(loaded.errors)).not.toMatch(/victim-corp|private-configs|secrets/);
  });

  it("_extends value echo: the same owner's .github is read and its bad values are not quoted", async () => {
    const { gh, reads } = fakeGitHub({
      "acme/shop:.github/firebreak.yml": "_extends: .github\n",
      "acme/.github:.github/firebreak.yml": 'lookback_hours: 4\nmax_parallel_interventions: "token-ghp_SECRET"\nghp_SECRET_key: 1\n',
    });
    const loaded = await loadRepoConfig(gh, new FileCache(), { owner: "acme", repo: "shop" });
    expect(reads).toEqual(["acme/shop:.github/firebreak.yml", "acme/.github:.github/firebreak.yml"]);
    expect(loaded.config.lookback_hours).toBe(4);
    expect(loaded.errors.length).toBeGreaterThan(0);
    expect(JSON.stringify(loaded.errors)).not.toContain("SECRET");
  });
});
