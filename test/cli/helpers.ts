// Shared by the CLI tests: temporary directories and an emulated GitHub with a token.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalGitHub } from "../../src/dev/local-github/index.js";

export function tempDir(prefix = "firebreak-cli-"): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export async function emulator(repo = "acme/shop"): Promise<{ gh: LocalGitHub; env: Record<string, string>; stop(): Promise<void> }> {
  const gh = new LocalGitHub();
  const { url } = await gh.start();
  gh.addRepo(repo);
  // The repository owner's personal token: what `GITHUB_TOKEN=… npx firebreak labels` would use.
  return { gh, env: { GITHUB_TOKEN: gh.tokenFor(repo.split("/")[0]!), GITHUB_API_URL: url }, stop: () => gh.stop() };
}

/** Requests that change something: GraphQL here is only the read of who last edited a body (SPEC §13). */
export const writesOf = (gh: LocalGitHub) => gh.requests.filter((r) => r.method !== "GET" && r.path !== "/graphql");
