// The measurement incident a failed QA run opens: written as the issue form renders it, so
// the incident parser reads it like any declaration.
import { renderFormBody, type FormAnswers } from "../declaration/template.js";
import { CHANNELS, type Severity } from "../model/domain.js";
import { qaIncidentMarker, qaMonitorMarker } from "../model/markers.js";
import { isBuiltinTag, TAG_LABELS, type BuiltinTag } from "./config.js";
import type { StepResult } from "./evaluation.js";
import { cell, shorten, unique } from "./evidence.js";
import { qaSummary, type QaFailure } from "./report.js";

const CHANNEL_OF: Record<BuiltinTag, (typeof CHANNELS)[number]> = {
  meta_pixel: "Meta",
  ga4: "Google",
  gtm: "Google",
  consent: "Google",
  consent_denied: "Google",
  tiktok: "TikTok",
};

function channelsOf(failures: readonly QaFailure[]): string[] {
  const hit = new Set<string>();
  for (const f of failures) {
    const tag = f.expectation.split(":")[0] ?? "";
    hit.add(f.expectation === "page" ? "Whole site" : isBuiltinTag(tag) ? CHANNEL_OF[tag] : "Other");
  }
  return CHANNELS.filter((c) => hit.has(c));
}

function tagWords(expectation: string): string {
  const [tag = "", event] = expectation.split(":");
  const name = isBuiltinTag(tag) ? TAG_LABELS[tag] : tag;
  return event === undefined ? name : `${name} ${event}`;
}

export interface QaRelease {
  tag: string;
  name?: string;
  url: string;
  /** When the release (or deployment) was published, from the event. */
  publishedAt?: string;
}

export interface QaIncidentDraft {
  title: string;
  body: string;
  marker: string;
}

const MAX_LISTED = 40;

const FAILURE_WORDS: Record<QaFailure["status"], string> = {
  missing: "missing",
  "wrong-id": "has the wrong id",
  duplicate: "fires twice",
  error: "could not be checked",
};

/**
 * A measurement incident for a failed QA run, as the issue form (`formTemplate`, the shipped
 * one) would render it, so the incident parser reads it like any declaration.
 */
export function qaIncidentDraft(
  results: readonly StepResult[],
  release: QaRelease,
  severity: Severity,
  formTemplate: string,
  /** `monitoring`: found by the scheduled check of production (SPEC §17), not after a release; `release.url` links the run. */
  opts: { checkedAt?: string; monitoring?: boolean } = {},
): QaIncidentDraft {
  const { failures } = qaSummary(results);
  const monitoring = opts.monitoring === true;
  const marker = monitoring ? qaMonitorMarker(opts.checkedAt ?? release.tag) : qaIncidentMarker(release.tag);
  const releaseName = release.name && release.name !== release.tag ? `${release.tag} (${release.name})` : release.tag;
  const pages = unique(failures.map((f) => f.path));
  const first = failures[0];
  const headline =
    failures.length === 1 && first
      ? `${tagWords(first.expectation)} ${FAILURE_WORDS[first.status]} on ${first.path}`
      : `${failures.length} tracking checks failed on ${pages.length} page${pages.length === 1 ? "" : "s"}`;
  const title = shorten((monitoring ? `Tracking QA monitoring: ${headline} in production` : `Tracking QA: ${headline} after release ${release.tag}`).replace(/[\r\n]+/g, " "), 240);

  const listed = failures.slice(0, MAX_LISTED).map((f) => {
    const what = f.expectation === "page" ? "page" : `\`${cell(f.expectation)}\``;
    return `- \`${cell(f.path)}\` — ${what} ${f.status}: ${cell(shorten(f.seen, 200))}`;
  });
  if (failures.length > MAX_LISTED) listed.push(`- … and ${failures.length - MAX_LISTED} more`);
  const symptom = [
    monitoring
      ? `Scheduled tracking QA monitoring of production found ${failures.length === 1 ? "a problem" : `${failures.length} problems`}: measurement may be under-counting since the last passing check.`
      : `Tracking QA after release ${cell(releaseName)} found ${failures.length === 1 ? "a problem" : `${failures.length} problems`}: measurement may be under-counting from this release on.`,
    "",
    ...listed,
  ].join("\n");

  const channels = channelsOf(failures);
  const severe = severity <= 2;
  const ticks = [
    true, // every hour of broken tracking is data that cannot be backfilled
    severe || channels.some((c) => c !== "Other"), // ad platforms optimise on these signals
    severity === 1 || channels.length > 1,
  ];
  const threshold = [
    ticks[0] ? "Waiting costs materially more" : undefined,
    ticks[1] ? "It changes near-term decisions" : undefined,
    ticks[2] ? "It needs a coordinated response" : undefined,
  ].filter((t): t is string => t !== undefined);

  const published = release.publishedAt ? ` (published ${cell(release.publishedAt)})` : "";
  const answers: FormAnswers = {
    symptom,
    started: release.publishedAt ?? (monitoring ? `Before ${cell(opts.checkedAt ?? release.tag)} (since the last passing monitoring check)` : `At or after release ${cell(release.tag)}`),
    ...(opts.checkedAt ? { detected: opts.checkedAt } : {}),
    scope: channels,
    ...(pages.length > 0 ? { "scope-detail": `Pages: ${pages.slice(0, MAX_LISTED).map((p) => `\`${cell(p)}\``).join(", ")}` } : {}),
    // Caught before the numbers move: reporting is what is at risk.
    outcomes: "Not sure",
    "what-changed": monitoring
      ? `No release: found by scheduled monitoring ([the run](${release.url.replace(/[\s()<>]/g, encodeURIComponent)})).`
      : `Release [${cell(releaseName)}](${release.url.replace(/[\s()<>]/g, encodeURIComponent)})${published}.`,
    layer: "Measurement",
    severity: `SEV${severity}`,
    threshold,
  };
  return { title, body: `${marker}\n\n${renderFormBody(answers, formTemplate)}\n`, marker };
}
