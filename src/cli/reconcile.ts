// `firebreak reconcile`: the Action's schedule run from a terminal — every open incident's
// card brought in line with its comment log, unanswered commands acknowledged.
import { FileCache } from "../github/files.js";
import { LabelStyler } from "../github/labels.js";
import { PermissionCache } from "../github/permissions.js";
import type { RunResult, ShellDeps } from "../github/shell/deps.js";
import { handle } from "../github/shell/handle.js";
import { shippedTemplates } from "../templates.js";
import type { ExitCode, Io } from "./common.js";
import { EXIT, parseRepo } from "./common.js";
import type { CliOctokitOptions } from "./octokit.js";
import { cliOctokit } from "./octokit.js";

export interface ReconcileOptions {
  repo: string;
  botLogin?: string;
  configPath?: string;
  json?: boolean;
}

export function renderReconcile(repo: string, results: readonly RunResult[]): string {
  if (results.length === 0) return `${repo}: no open incidents.`;
  const lines = [`${repo}: ${results.length} open incident${results.length === 1 ? "" : "s"}`];
  for (const r of results) {
    const plan = r.plan;
    const did = [
      plan?.update ? `updated ${Object.keys(plan.update).join(", ")}` : undefined,
      plan && plan.reactions.length > 0 ? `acknowledged ${plan.reactions.length} command${plan.reactions.length === 1 ? "" : "s"}` : undefined,
      plan && plan.replies.length > 0 ? `replied ${plan.replies.length}×` : undefined,
      r.postmortem ? `postmortem #${r.postmortem}` : undefined,
    ].filter(Boolean);
    lines.push(`  #${r.incident ?? "?"}  ${r.action}${did.length > 0 ? ` — ${did.join(", ")}` : " — already in line"}`);
    for (const note of r.notes) lines.push(`        ${note}`);
  }
  return lines.join("\n");
}

export async function runReconcile(options: ReconcileOptions, io: Io, octokitOptions: CliOctokitOptions = {}): Promise<ExitCode> {
  const ref = parseRepo(options.repo);
  const gh = cliOctokit(io.env, octokitOptions);
  const deps = await scheduledDeps(gh, options, io);
  const { results, stoppedAt, calls } = await handle(gh, { kind: "scheduled", ref, at: new Date().toISOString() }, deps);
  if (stoppedAt) io.err(`note: the pass's ${stoppedAt.job} stopped${stoppedAt.after !== undefined ? ` after #${stoppedAt.after}` : ""} at its share of the call budget (schedule.max_calls; ${calls} calls spent); run it again to go on from there (kept on the dashboard issue)`);
  const errors = results[0]?.configErrors ?? [];
  for (const e of errors) io.err(`warning: ${options.configPath ?? ".github/firebreak.yml"}: ${e.key}: ${e.reason}`);
  io.out(options.json ? JSON.stringify(results, null, 2) : renderReconcile(`${ref.owner}/${ref.repo}`, results));
  return results.some((r) => r.notes.some((n) => n.startsWith("failed:"))) ? EXIT.failure : EXIT.ok;
}

/** What a scheduled job run from a terminal works with (`firebreak reconcile`, `firebreak nudge`). */
export async function scheduledDeps(gh: ReturnType<typeof cliOctokit>, options: Pick<ReconcileOptions, "botLogin" | "configPath">, io: Io): Promise<ShellDeps> {
  return {
    files: new FileCache(),
    labels: new LabelStyler(),
    permissions: new PermissionCache(),
    // Whoever owns the token writes the replies; only this login's own comments are skipped as commands.
    botLogin: options.botLogin ?? "github-actions[bot]",
    templates: shippedTemplates(),
    ...(options.configPath ? { configPath: options.configPath } : {}),
    issueFromPayload: true,
    relay: { env: io.env, hosted: false },
    kpi: { env: io.env, hosted: false },
    // Each run is a new process: where a pass stopped is kept on the dashboard issue.
    cursorOnDashboard: true,
    ...(options.botLogin ? {} : await tokenOwner(gh)),
  };
}

/** The login a personal token writes as (an installation token has none): its bodies hold Firebreak's records. */
export async function tokenOwner(gh: ReturnType<typeof cliOctokit>): Promise<{ writerLogin?: string }> {
  try {
    const { data } = await gh.request("GET /user");
    return typeof data.login === "string" ? { writerLogin: data.login } : {};
  } catch {
    return {};
  }
}
