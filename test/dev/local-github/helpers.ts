import { Octokit } from "@octokit/core";
import { paginateRest } from "@octokit/plugin-paginate-rest";
import { LocalGitHub, type LocalGitHubOptions } from "../../../src/dev/local-github/index.js";

export const PagedOctokit = Octokit.plugin(paginateRest);
export type PagedOctokit = InstanceType<typeof PagedOctokit>;

/** A fixed clock that advances one minute per reading, so timestamps are distinct and predictable. */
export function steppingClock(start = "2025-03-01T09:00:00Z"): () => Date {
  let t = Date.parse(start);
  return () => new Date((t += 60_000));
}

export interface World { gh: LocalGitHub; url: string; app: PagedOctokit; as(login: string): PagedOctokit }

export async function world(opts: LocalGitHubOptions = {}): Promise<World> {
  const gh = new LocalGitHub({ clock: steppingClock(), ...opts });
  const { url } = await gh.start();
  gh.addRepo("acme/shop");
  gh.addCollaborator("acme/shop", "tess", "triage");
  gh.addCollaborator("acme/shop", "wren", "write");
  gh.addCollaborator("acme/shop", "mia", "maintain");
  gh.addCollaborator("acme/shop", "rhea", "read");
  return {
    gh, url,
    app: new PagedOctokit({ baseUrl: url, auth: gh.appToken }),
    as: (login) => new PagedOctokit({ baseUrl: url, auth: gh.tokenFor(login) }),
  };
}

/** The status of a failed octokit request (or 200-range status when it did not fail). */
export async function statusOf(p: Promise<{ status: number }>): Promise<number> {
  try {
    return (await p).status;
  } catch (e) {
    return (e as { status: number }).status;
  }
}
