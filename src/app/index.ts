// The Probot face: webhooks in, Firebreak's shell out. Handlers return at once and the work
// runs in a queue per issue, so GitHub gets its answer within 10 s however long the write
// queue, and two events on one incident never interleave in this process.
import type { Probot } from "probot";
import { parsePostmortemMarker } from "../core/model/markers.js";
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
  /** The latest results in handling order (at most 1,000), for tests and the benchmark. */
  results: RunResult[];
}

export interface FirebreakAppOptions {
  /** The App's slug: its own events (`<slug>[bot]`) are ignored. */
  appSlug?: string;
  /**
   * Answer a webhook only once its work is done. For serverless hosts, which freeze a function
   * as soon as it has answered; a long-running server answers at once instead.
   */
  awaitWork?: boolean;
  /** Tracking QA may fetch private and loopback addresses (off: a hosted App must not probe its own network). */
  allowPrivateQaHosts?: boolean;
}

const KEPT_RESULTS = 1000;

const EVENTS = ["issues", "issue_comment", "release", "deployment_status"] as const;

export function firebreakApp(options: FirebreakAppOptions = {}): FirebreakApp {
  const queue = new KeyedQueue();
  const files = new FileCache();
  const memory = new IssueMemory();
  const templates = shippedTemplates();
  const results: RunResult[] = [];
  const slug = options.appSlug ?? "firebreak";
  const keep = (result: RunResult) => {
    results.push(result);
    if (results.length > KEPT_RESULTS) results.splice(0, results.length - KEPT_RESULTS);
  };
  const fn = ((app: Probot) => {
    app.on([...EVENTS], async (context) => {
      const trigger = triggerFrom(context.name, context.payload);
      if (trigger.kind === "ignored") {
        context.log.debug({ id: context.id }, `ignored: ${trigger.reason}`);
        return;
      }
      // A postmortem's events write its incident's card: they queue with that incident's events.
      const incident = trigger.kind === "issue" ? (parsePostmortemMarker(trigger.issue.body) ?? trigger.issue.number) : undefined;
      const key = incident !== undefined ? `${trigger.ref.owner}/${trigger.ref.repo}#${incident}` : `${trigger.ref.owner}/${trigger.ref.repo}:qa`;
      const work = queue.push(key, async () => {
        try {
          const deps = {
            files,
            memory,
            templates,
            botLogin: `${slug}[bot]`,
            issueFromPayload: true,
            reportFixedConfig: true,
            log: (line: string) => context.log.info({ id: context.id }, line),
          };
          const result =
            trigger.kind === "release" || trigger.kind === "deployment"
              ? await runReleaseQa(context.octokit, trigger, { ...deps, checkRuns: true, allowPrivateHosts: options.allowPrivateQaHosts === true })
              : await runTrigger(context.octokit, trigger, deps);
          keep(result);
        } catch (error) {
          // Logged with the delivery id; the incident stays consistent because the card is written in one PATCH.
          context.log.error({ id: context.id, event: context.name }, `Firebreak failed: ${safeMessage(error)}`);
          keep({ action: "ignored", notes: [`failed: ${safeMessage(error)}`], configErrors: [] });
        }
      });
      if (options.awaitWork) await work;
    });
  }) as FirebreakApp;
  fn.idle = () => queue.idle();
  fn.results = results;
  return fn;
}

export default firebreakApp();
