// Early detection in the scheduled pass (SPEC §14): read the KPI sources, run the engine at the
// newest point, and for each break either open one incident (declared through the issue form,
// as a person would), tell the matching open incident, or record on it that the break cleared.
// A quiet pass costs the source reads only (a 304 costs nothing).
import type { FirebreakConfig } from "../../core/config.js";
import { parseDeclaration } from "../../core/declaration/form.js";
import type { Signal } from "../../core/detection/index.js";
import type { KpiAnalysis } from "../../core/detection-incident/analysis.js";
import { bandKey } from "../../core/detection-incident/analysis.js";
import type { BandPoint } from "../../core/detection-incident/chart.js";
import { bandChart } from "../../core/detection-incident/chart.js";
import { detectionClearedNote, detectionIncidentDraft, detectionUpdateComment } from "../../core/detection-incident/draft.js";
import type { OpenIncident, SignalGroup } from "../../core/detection-incident/signals.js";
import { groupSignals, incidentFor, matchesIncident, ongoingOn, openedFor } from "../../core/detection-incident/signals.js";
import type { IssueView } from "../../core/model/incident.js";
import { issueViewSchema } from "../../core/model/incident.js";
import type { DetectionKey } from "../../core/model/markers.js";
import type { GitHubClient, RepoRef } from "../client.js";
import { safeMessage } from "../client.js";
import { listCommentsNewestFirst, listReleases } from "../issues.js";
import type { CallBudget } from "./budget.js";
import type { RunResult, ShellDeps } from "./deps.js";
import { DEFAULT_FORM_PATH, writerOf } from "./deps.js";
import { openMarkedIncident } from "./incident.js";
import type { KpiAnalyst } from "./kpi-analyst.js";
import { analyseHere, rememberAnalyses } from "./kpi-analyst.js";
import { readKpiSources } from "./kpi-sources.js";
import type { JobRun } from "./reconcile.js";

type Outcome = Omit<RunResult, "configErrors">;

/** A signal with the analysis of the source it came from, for its chart. */
interface Sourced {
  signal: Signal;
  analysis: KpiAnalysis;
}

/** An open incident as listed; `body` is empty unless Firebreak wrote it (only its own markers count). */
type Listed = Omit<OpenIncident, "declaration"> & { issue: IssueView };
type Open = OpenIncident & { issue: IssueView };

interface Pass {
  gh: GitHubClient;
  ref: RepoRef;
  config: FirebreakConfig;
  deps: ShellDeps;
  writer: string;
  listed: Listed[];
  /** The issue form, read once and only when a draft or a scope is needed. */
  form: () => Promise<string>;
  /** The open incidents with their declared scope (which needs the form). */
  open: () => Promise<Open[]>;
  /** Firebreak's own texts on an incident, body first then its comments, read once per pass. */
  texts: Map<number, Promise<string[]>>;
}

function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => (made ??= make());
}

function chartOf(sourced: Sourced, at: string): { chart: string; latest?: BandPoint } {
  const { channel, metric } = sourced.signal;
  const points = sourced.analysis.bands[bandKey(sourced.signal, at)] ?? [];
  const latest = points[points.length - 1];
  return { chart: bandChart(points, `${metric} of ${channel}`, metric), ...(latest ? { latest } : {}) };
}

/** Firebreak's own words on an incident: its body when Firebreak wrote it, and its comments. */
function ownTexts(pass: Pass, issue: IssueView): Promise<string[]> {
  let texts = pass.texts.get(issue.number);
  if (!texts) {
    const own = (login: string | undefined) => (login ?? "").toLowerCase() === pass.writer;
    texts = listCommentsNewestFirst(pass.gh, pass.ref, issue.number, () => true).then(({ comments }) => [
      ...(own(issue.user?.login) ? [issue.body] : []),
      ...comments.filter((c) => own(c.user?.login)).map((c) => c.body),
    ]);
    pass.texts.set(issue.number, texts);
  }
  return texts;
}

async function openIncidents(gh: GitHubClient, ref: RepoRef, config: FirebreakConfig): Promise<IssueView[]> {
  const { data } = await gh.request("GET /repos/{owner}/{repo}/issues", { ...ref, state: "open", labels: config.labels.incident, sort: "created", direction: "asc", per_page: 100 });
  return (data as unknown[]).map((d) => issueViewSchema.parse(d)).filter((i) => i.pull_request === undefined);
}

function exclusive<T>(pass: Pass, incident: number, work: () => Promise<T>): Promise<T> {
  return pass.deps.exclusive ? pass.deps.exclusive(pass.ref, incident, work) : work();
}

/** One break: nothing when its incident already knows, an update for a matching incident, else a new incident. */
async function handleBreak(pass: Pass, group: SignalGroup, sourced: Sourced): Promise<Outcome | undefined> {
  const { gh, ref, config, deps } = pass;
  const at = group.lead.at;
  // The incident this break opened, for this very signal: nothing to add while it lasts, nothing to read.
  if (pass.listed.some((i) => ongoingOn([i.body], group.key)?.since === group.key.since)) return undefined;
  const target = incidentFor(await pass.open(), group.key, config);
  if (target) {
    return exclusive(pass, target.number, async () => {
      if (ongoingOn(await ownTexts(pass, target.issue), group.key)) return undefined;
      const { chart } = chartOf(sourced, at);
      await gh.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...ref, issue_number: target.number, body: detectionUpdateComment(group, chart) });
      return { action: "detected", incident: target.number, notes: [`told #${target.number} of the ${group.key.layer} break on ${group.key.channel}`] };
    });
  }
  const { chart } = chartOf(sourced, at);
  const draft = detectionIncidentDraft(group, {
    formTemplate: await pass.form(),
    channels: config.detection.channels,
    releases: await listReleases(gh, ref),
    lookbackHours: config.lookback_hours,
    chart,
  });
  const opened = await openMarkedIncident(gh, ref, draft, config, deps);
  return opened.created
    ? { action: "detected", incident: opened.number, notes: [`opened #${opened.number} for the ${group.key.layer} break on ${group.key.channel}`] }
    : { action: "ignored", incident: opened.number, notes: [`#${opened.number} was already opened for the ${group.key.layer} break on ${group.key.channel}`] };
}

/** A break Firebreak recorded on an open incident that is no longer active: the clearing is noted there once. */
async function recordClearing(pass: Pass, incident: Open, key: Pick<DetectionKey, "channel" | "layer">, sourced: Sourced, at: string): Promise<Outcome | undefined> {
  return exclusive(pass, incident.number, async () => {
    const ongoing = ongoingOn(await ownTexts(pass, incident.issue), key);
    if (!ongoing) return undefined;
    const { chart, latest } = chartOf(sourced, at);
    await pass.gh.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
      ...pass.ref,
      issue_number: incident.number,
      body: detectionClearedNote(ongoing, sourced.signal.metric, latest, chart),
    });
    return { action: "detected", incident: incident.number, notes: [`recorded on #${incident.number} that the ${key.layer} break on ${key.channel} cleared`] };
  });
}

/** Each analyst with its memory of the sources it analysed, across passes. */
const remembered = new WeakMap<KpiAnalyst, ReturnType<typeof rememberAnalyses>>();

function analystOf(deps: ShellDeps): ReturnType<typeof rememberAnalyses> {
  const analyst = deps.kpiAnalyst ?? analyseHere;
  let analyse = remembered.get(analyst);
  if (!analyse) remembered.set(analyst, (analyse = rememberAnalyses(analyst)));
  return analyse;
}

export async function detectBreaks(gh: GitHubClient, ref: RepoRef, config: FirebreakConfig, deps: ShellDeps, budget: CallBudget): Promise<JobRun> {
  const detection = config.detection;
  if (detection.sources.length === 0) return { results: [] };
  const read = await readKpiSources(gh, ref, detection, deps);
  const analyse = analystOf(deps);
  const active: Sourced[] = [];
  const raised: Sourced[] = [];
  const configErrors = [...read.errors];
  const failures: Outcome[] = [];
  for (const source of read.sources) {
    const request = { text: source.text, options: { ...(source.format ? { format: source.format } : {}), timezone: detection.timezone }, detection };
    let analysed;
    try {
      analysed = await analyse(`${ref.owner}/${ref.repo}#${source.key}:${source.name}`, request);
    } catch (error) {
      // The analysis itself failed (its worker died): said in the pass's results, tried again next pass.
      failures.push({ action: "ignored", notes: [`failed: analysing ${source.name}: ${safeMessage(error)}`] });
      continue;
    }
    if (!analysed.ok) {
      configErrors.push({ key: source.key, reason: `${source.name} line ${analysed.error.line}, column ${analysed.error.column}: ${analysed.error.message}` });
      continue;
    }
    const { analysis } = analysed;
    active.push(...analysis.active.map((signal) => ({ signal, analysis })));
    raised.push(...analysis.raised.map((signal) => ({ signal, analysis })));
  }
  const errors = configErrors.length > 0 ? { configErrors } : {};
  const sameBreak = (a: Signal, b: Signal) => a.channel === b.channel && a.layer === b.layer;
  const cleared = raised.filter((r) => !active.some((a) => sameBreak(a.signal, r.signal)));
  // Nothing active and nothing that could have cleared: no GitHub call at all.
  if (active.length === 0 && cleared.length === 0) return { results: failures, ...errors };

  const writer = writerOf(deps).toLowerCase();
  const listed: Listed[] = (await openIncidents(gh, ref, config)).map((issue) => ({
    issue,
    number: issue.number,
    labels: issue.labels,
    // An incident body Firebreak did not write carries no marker of Firebreak's.
    body: (issue.user?.login ?? "").toLowerCase() === writer ? issue.body : "",
  }));
  const form = once(async () => (await deps.files.read(gh, ref, deps.formPath ?? DEFAULT_FORM_PATH)) ?? deps.templates.form);
  const open = once(async () => {
    const template = await form();
    return listed.map((i) => ({ ...i, declaration: parseDeclaration(i.issue.body, template, deps.templates.form) }));
  });
  const pass: Pass = { gh, ref, config, deps, writer, listed, form, open, texts: new Map() };
  const results: Outcome[] = [...failures];
  const attempt = async (what: string, work: () => Promise<Outcome | undefined>) => {
    if (budget.exhausted) return;
    try {
      const outcome = await work();
      if (outcome) results.push(outcome);
    } catch (error) {
      results.push({ action: "ignored", notes: [`failed: ${what}: ${safeMessage(error)}`] });
    }
  };
  for (const group of groupSignals(active.map((a) => a.signal))) {
    const sourced = active.find((a) => a.signal === group.lead)!;
    await attempt(`the ${group.key.layer} break on ${group.key.channel}`, () => handleBreak(pass, group, sourced));
  }
  const seen = new Set<string>();
  for (const sourced of cleared) {
    const key = { channel: sourced.signal.channel, layer: sourced.signal.layer };
    const id = JSON.stringify(key);
    if (seen.has(id)) continue;
    seen.add(id);
    const at = sourced.analysis.newestAt!;
    for (const incident of (await open()).filter((i) => openedFor(i, key) || matchesIncident(i, key, config))) {
      await attempt(`the clearing on #${incident.number}`, () => recordClearing(pass, incident, key, sourced, at));
    }
  }
  return { results, ...errors };
}
