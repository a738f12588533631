// The Probot face: webhooks in, Firebreak's shell out. Handlers return at once and the work
// runs in a queue per issue, so GitHub gets its answer within 10 s however long the write
// queue, and two events on one incident never interleave in this process.
import type { Probot } from "probot";
import { safeMessage } from "../github/client.js";
import { triggerFrom } from "../github/events.js";
import type { RunResult } from "../github/firebreak.js";
import { IssueMemory, runTrigger } from "../github/firebreak.js";
import { FileCache } from "../github/files.js";
import { runReleaseQa } from "../github/tracking-qa.js";
import { shippedTemplates } from "../templates.js";
import { KeyedQueue } from "./queue.js";

export interface FirebreakApp {
  (app: Probot): void;
  /** Resolves once every queued event is handled (tests, graceful shutdown). */
  idle(): Promise<void>;
  /** Results in handling order, for tests and the benchmark. */
  results: RunResult[];
}

const EVENTS = ["issues", "issue_comment", "release", "deployment_status"] as const;

export function firebreakApp(options: { appSlug?: string } = {}): FirebreakApp {
  const queue = new KeyedQueue();
  const files = new FileCache();
  const memory = new IssueMemory();
  const templates = shippedTemplates();
  const results: RunResult[] = [];
  const slug = options.appSlug ?? "firebreak";
  const fn = ((app: Probot) => {
    app.on([...EVENTS], async (context) => {
      const trigger = triggerFrom(context.name, context.payload);
      if (trigger.kind === "ignored") {
        context.log.debug({ id: context.id }, `ignored: ${trigger.reason}`);
        return;
      }
      const key = trigger.kind === "issue" ? `${trigger.ref.owner}/${trigger.ref.repo}#${trigger.issue.number}` : `${trigger.ref.owner}/${trigger.ref.repo}:qa`;
      queue.push(key, async () => {
        try {
          const deps = { files, memory, templates, botLogin: `${slug}[bot]`, issueFromPayload: true, log: (line: string) => context.log.info({ id: context.id }, line) };
          const result =
            trigger.kind === "release" || trigger.kind === "deployment"
              ? await runReleaseQa(context.octokit, trigger, { ...deps, checkRuns: true })
              : await runTrigger(context.octokit, trigger, deps);
          results.push(result);
        } catch (error) {
          // Logged with the delivery id; the incident stays consistent because the card is written in one PATCH.
          context.log.error({ id: context.id, event: context.name }, `Firebreak failed: ${safeMessage(error)}`);
          results.push({ action: "ignored", notes: [`failed: ${safeMessage(error)}`], configErrors: [] });
        }
      });
    });
  }) as FirebreakApp;
  fn.idle = () => queue.idle();
  fn.results = results;
  return fn;
}

export default firebreakApp();
