// The Probot face: webhooks in, the shell's dispatcher out. Handlers return at once and the
// work runs in a queue per incident, so GitHub gets its answer within 10 s however long the
// write queue, and two events on one incident never interleave in this process — nor across
// instances, when a Coordination (Redis, src/scale) is given.
import type { Probot } from "probot";
import type { RepoRef } from "../github/client.js";
import { parsePostmortemMarker } from "../core/model/markers.js";
import { repoOf, safeMessage } from "../github/client.js";
import { loadRepoConfig } from "../github/config.js";
import { triggerFrom } from "../github/events.js";
import { FileCache } from "../github/files.js";
import { LabelStyler, syncLabels } from "../github/labels.js";
import { PermissionCache } from "../github/permissions.js";
import type { RunResult, ShellDeps } from "../github/shell/deps.js";
import { handle } from "../github/shell/handle.js";
import { IssueMemory } from "../github/shell/memory.js";
import { shippedTemplates } from "../templates.js";
import type { Coordination } from "../scale/coordination.js";
import { inProcessScheduler } from "../schedule/index.js";
import { KeyedQueue } from "./queue.js";
import { appScheduledPass } from "./scheduled.js";
import { oneLinePerBadSignature } from "./signature-log.js";
import type { KpiAnalyst } from "../github/shell/kpi-analyst.js";

export interface FirebreakApp {
  (app: Probot): void;
  /** Resolves once every queued event is handled (tests, graceful shutdown). */
  idle(): Promise<void>;
  /** The latest results in handling order (at most 1,000), for tests and the benchmark. */
  results: RunResult[];
  keep(results: readonly RunResult[]): void;
  /** What the App's handlers and its scheduler share: caches and who Firebreak writes as. */
  deps: ShellDeps;
  queue: KeyedQueue;
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
  /** The server's environment, where KPI sources' `auth_env` and relays' `url_env` variables are read (default: process.env); the demo passes its local sink's. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Run the scheduled pass every this many seconds in this process (`FIREBREAK_SCHEDULE_EVERY`); off when absent. */
  scheduleEverySeconds?: number;
  /** Several instances (REDIS_URL): incidents, deliveries and the scheduled pass coordinated across them. Absent: one process. */
  coordination?: Coordination;
  /** Where KPI sources are analysed: `npm start` passes a worker thread's; absent, in the event loop's thread. */
  kpiAnalyst?: KpiAnalyst;
}

const KEPT_RESULTS = 1000;

const incidentKey = (ref: RepoRef, incident: number) => `${ref.owner}/${ref.repo}#${incident}`;

const EVENTS = ["issues", "issue_comment", "release", "deployment_status"] as const;

export function firebreakApp(options: FirebreakAppOptions = {}): FirebreakApp {
  const queue = new KeyedQueue();
  const { coordination } = options;
  /** In this process, in order per key; across instances too with a coordination. */
  const exclusive = <T>(ref: RepoRef, key: string, issues: readonly number[], work: (again: boolean) => Promise<T>): Promise<T> =>
    queue.run(key, () => (coordination ? coordination.exclusive({ ref, key, issues }, work) : work(false)));
  const results: RunResult[] = [];
  const deps: ShellDeps = {
    files: new FileCache(),
    memory: coordination?.memory ?? new IssueMemory(),
    labels: new LabelStyler(),
    permissions: new PermissionCache(),
    templates: shippedTemplates(),
    botLogin: `${options.appSlug ?? "firebreak"}[bot]`,
    issueFromPayload: true,
    reportFixedConfig: true,
    checkRuns: true,
    allowPrivateQaHosts: options.allowPrivateQaHosts === true,
    // Hosted: a repository's config may name only FIREBREAK_KPI_… and FIREBREAK_RELAY_… variables of this server (SPEC §13).
    kpi: { env: options.env ?? process.env, hosted: true },
    relay: { env: options.env ?? process.env, hosted: true, allowPrivate: options.allowPrivateQaHosts === true },
    exclusive: (ref, incident, work) => exclusive(ref, incidentKey(ref, incident), [incident], () => work()),
    ...(options.kpiAnalyst ? { kpiAnalyst: options.kpiAnalyst } : {}),
  };
  const keep = (kept: readonly RunResult[]) => {
    results.push(...kept);
    if (results.length > KEPT_RESULTS) results.splice(0, results.length - KEPT_RESULTS);
  };
  const fn = ((app: Probot) => {
    oneLinePerBadSignature(app.log);
    coordination?.bind({ info: (m) => app.log.info(m), warn: (m) => app.log.warn(m) });
    app.on([...EVENTS], async (context) => {
      const trigger = triggerFrom(context.name, context.payload);
      if (trigger.kind === "ignored") {
        context.log.debug({ id: context.id }, `ignored: ${trigger.reason}`);
        return;
      }
      // A postmortem's events write its incident's card: they queue with that incident's events.
      const incident = trigger.kind === "issue" ? (parsePostmortemMarker(trigger.issue.body) ?? trigger.issue.number) : undefined;
      const key = incident !== undefined ? incidentKey(trigger.ref, incident) : `${trigger.ref.owner}/${trigger.ref.repo}:qa`;
      const issues = trigger.kind === "issue" && incident !== undefined ? [...new Set([incident, trigger.issue.number])] : [];
      const work = exclusive(trigger.ref, key, issues, async (again) => {
        // Checked under the lock: the same delivery at two instances is handled by the first one.
        if (!again && (await coordination?.handled(context.id))) {
          context.log.info({ id: context.id }, "delivery already handled by another instance");
          return;
        }
        const log = (line: string) => context.log.info({ id: context.id }, line);
        try {
          // Run again after a lost lock: another instance may have written meanwhile, so GitHub is read anew.
          const handled = await handle(context.octokit, trigger, again ? { ...deps, memory: undefined, issueFromPayload: false, log } : { ...deps, log });
          keep(handled.results);
          await coordination?.markHandled(context.id);
        } catch (error) {
          // Logged with the delivery id; the incident stays consistent because the card is written in one PATCH.
          context.log.error({ id: context.id, event: context.name }, `Firebreak failed: ${safeMessage(error)}`);
          keep([{ action: "ignored", notes: [`failed: ${safeMessage(error)}`], configErrors: [] }]);
        }
      });
      if (options.awaitWork) await work;
    });
    // Labels exist before the first form is submitted: GitHub drops a form's labels that do not
    // exist yet. On installation (or repositories added to it) each repository gets Firebreak's
    // labels, with the names its config gives them; a failure is logged, never fatal.
    app.on(["installation.created", "installation_repositories.added"], async (context) => {
      const payload = context.payload as { repositories?: { full_name: string }[]; repositories_added?: { full_name: string }[] };
      const repositories = context.name === "installation" ? (payload.repositories ?? []) : (payload.repositories_added ?? []);
      const work = Promise.all(
        repositories.map((r) =>
          queue.run(`${r.full_name}:labels`, async () => {
            const ref = repoOf(r.full_name);
            try {
              const loaded = await loadRepoConfig(context.octokit, deps.files, ref);
              const written = await syncLabels(context.octokit, ref, loaded.config);
              context.log.info({ id: context.id }, `${r.full_name}: Firebreak's labels in place (${written} written)`);
            } catch (error) {
              context.log.warn({ id: context.id }, `${r.full_name}: could not create Firebreak's labels: ${safeMessage(error)}`);
            }
          }),
        ),
      );
      if (options.awaitWork) await work;
    });
    if (options.scheduleEverySeconds !== undefined) {
      const onError = (error: unknown) => app.log.error(`scheduled pass failed: ${safeMessage(error)}`);
      if (coordination) {
        const pass = appScheduledPass(app, fn, undefined, coordination.passState);
        coordination.schedule(options.scheduleEverySeconds, async (slot) => {
          app.log.info(`scheduled pass ${slot}`);
          await pass();
        }, onError);
      } else {
        inProcessScheduler(options.scheduleEverySeconds, appScheduledPass(app, fn), onError);
      }
    }
  }) as FirebreakApp;
  fn.idle = () => queue.idle();
  fn.results = results;
  fn.keep = keep;
  fn.deps = deps;
  fn.queue = queue;
  return fn;
}

export default firebreakApp();
