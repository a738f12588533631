// The App's scheduled pass: every repository of every installation, in turn, each within its
// own call budget; a pass that stops early continues there next time (in this process, or in
// whichever instance runs the next pass when the state is shared in Redis).
import type { Probot } from "probot";
import { z } from "zod";
import type { GitHubClient } from "../github/client.js";
import { repoOf, safeMessage } from "../github/client.js";
import { handle } from "../github/shell/handle.js";
import { MemoryCursor } from "../github/shell/scheduled-pass.js";
import type { RunResult, ShellDeps } from "../github/shell/deps.js";
import type { PassState } from "../scale/coordination.js";

const installations = z.array(z.object({ id: z.number() }));
const repositories = z.array(z.object({ full_name: z.string() }));

type Paginating = GitHubClient & { paginate: <T>(route: string, options?: Record<string, unknown>) => Promise<T[]> };

/** What the scheduled pass shares with the App's webhook handlers: its caches and its results. */
export interface SchedulerHost {
  deps: ShellDeps;
  keep(results: readonly RunResult[]): void;
}

/** The pass state of a single process. */
export function memoryPassState(): PassState {
  const cursor = new MemoryCursor();
  let turn = 0;
  return {
    begin: () => Promise.resolve({ cursor, turn: turn++ }),
    end: () => Promise.resolve(),
  };
}

export function appScheduledPass(app: Probot, firebreak: SchedulerHost, now: () => Date = () => new Date(), state: PassState = memoryPassState()): () => Promise<void> {
  return async () => {
    const at = now().toISOString();
    const appOctokit = (await app.auth()) as unknown as Paginating;
    const ids = installations.parse(await appOctokit.paginate("GET /app/installations", { per_page: 100 }));
    const repos: { octokit: GitHubClient; fullName: string }[] = [];
    for (const { id } of ids) {
      const octokit = (await app.auth(id)) as unknown as Paginating;
      // Paginate flattens this route's `repositories` envelope into one list.
      const list = repositories.parse(await octokit.paginate("GET /installation/repositories", { per_page: 100 }));
      for (const repo of list) repos.push({ octokit, fullName: repo.full_name });
    }
    // Round robin: the repository a pass starts with moves on by one each pass.
    const { cursor, turn } = await state.begin();
    const start = repos.length > 0 ? turn % repos.length : 0;
    for (const { octokit, fullName } of [...repos.slice(start), ...repos.slice(0, start)]) {
      try {
        const handled = await handle(octokit, { kind: "scheduled", ref: repoOf(fullName), at }, { ...firebreak.deps, log: (line) => app.log.info(line) }, cursor);
        firebreak.keep(handled.results);
        if (handled.stoppedAt) app.log.info(`${fullName}: scheduled pass stopped after ${handled.calls} calls; continues next pass`);
      } catch (error) {
        app.log.error(`${fullName}: scheduled pass failed: ${safeMessage(error)}`);
      }
    }
    await state.end(cursor);
  };
}
