// The postmortem draft (SPEC §6, §7): opened from the incident record when the incident
// closes, by filling the postmortem template (the repository's, else templates/postmortem.md)
// with the record's facts. The core reads no files: callers pass the template text.
import { BODY_LIMIT } from "../card.js";
import type { FirebreakConfig } from "../config.js";
import type { IncidentState } from "../model/incident.js";
import { confirmedLayer } from "../model/incident.js";
import { postmortemMarker, withoutTemplateDoc } from "../model/markers.js";
import { inline, noMentions } from "../text/inert.js";
import { isoMs } from "../time.js";
import {
  costBlock,
  detectionBlock,
  interventionsBlock,
  layersBlock,
  repeatBlock,
  repeatQuestionBlock,
  rolesBlock,
  summaryBlock,
  timelineTable,
  updatesBlock,
} from "./blocks.js";
import { timelineChart } from "./chart.js";
import { ensureContract } from "./gate.js";

export interface PostmortemDraft {
  title: string;
  body: string;
  labels: string[];
  assignees: string[];
  marker: string;
  /** YYYY-MM-DD, UTC. */
  due: string;
}

export interface PostmortemInput {
  incident: { number: number; title: string; url: string };
  state: IncidentState;
  config: FirebreakConfig;
  /** The repository's template, or the shipped `templates/postmortem.md`: the layout lives only there. */
  template: string;
  /** ISO time of the event that opens the postmortem. */
  now: string;
}

/** Headroom under GitHub's 65,536-character body limit (it counts differently from JS strings). */
const DRAFT_LIMIT = BODY_LIMIT - 4_000;

function dueDate(now: string, days: number, fallback: string): string {
  const base = isoMs(now) ?? isoMs(fallback) ?? 0;
  return new Date(base + days * 86_400_000).toISOString().slice(0, 10);
}

/** Issue titles are plain text: no markup to escape, but no mentions and no line breaks either. */
function plainTitle(title: string): string {
  const flat = noMentions(title.replace(/[\p{Cc}\p{Cf}]/gu, " ").replace(/\s+/g, " ").trim());
  return flat.length > 200 ? `${flat.slice(0, 199)}…` : flat;
}

/** A title shown as text wherever a template puts it: not a heading, box or link even at a line's start. */
function literal(title: string): string {
  return inline(title, 200).replace(/^([#>+*-]|\d+[.)])/, "\\$1");
}

function fill(template: string, values: ReadonlyMap<string, string>): string {
  // One pass: text substituted in is never scanned again, so user text cannot inject placeholders.
  // Unknown names stay visible, so a typo in a repository's template shows.
  return template.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (whole, name: string) => values.get(name) ?? whole);
}

export function draftPostmortem(input: PostmortemInput): PostmortemDraft {
  const { incident, state, config } = input;
  const closedAt = state.times.closed ?? input.now;
  const due = dueDate(input.now, config.postmortem.due_days, closedAt);
  const repeatOf = state.repeatOf?.issue;
  const marker = postmortemMarker(incident.number, repeatOf);
  const template = withoutTemplateDoc(input.template);

  const layer = confirmedLayer(state) ?? state.layer.likely;
  const labels = [config.labels.postmortem, ...(layer ? [config.labels.layer[layer]] : []), config.labels.severity[state.severity]];
  // An owner GitHub refused as assignee on the incident would be refused here too.
  const assignees = state.roles.owner && !state.roles.ownerNote ? [state.roles.owner] : [];
  const contract = { incident: incident.number, due, marker, ...(repeatOf === undefined ? {} : { repeatOf }) };

  const render = (limit: number, chart: boolean): string => {
    const timeline = [timelineTable(state.timeline, limit), chart ? timelineChart(state, incident.number, closedAt) : ""]
      .filter(Boolean)
      .join("\n\n");
    const values = new Map<string, string>(Object.entries({
      incident: `#${incident.number}`,
      incident_link: `#${incident.number} — ${literal(incident.title)}`,
      incident_url: encodeURI(incident.url),
      incident_title: literal(incident.title),
      due,
      summary: summaryBlock(state, config),
      roles: rolesBlock(state),
      layers: layersBlock(state),
      detection_lag: detectionBlock(state),
      interventions: interventionsBlock(state, config, closedAt, limit),
      incomplete_updates: updatesBlock(state, limit),
      cost: costBlock(state, closedAt),
      repeat: repeatBlock(state),
      repeat_question: repeatQuestionBlock(state),
      timeline,
    }));
    return ensureContract(fill(template, values), contract);
  };

  let body: string | undefined;
  for (const [limit, chart] of [
    [Number.POSITIVE_INFINITY, true],
    [100, true],
    [25, true],
    [10, false],
    [0, false],
  ] as const) {
    const candidate = render(limit, chart);
    if (candidate.length <= DRAFT_LIMIT) {
      body = candidate;
      break;
    }
  }
  // A template too large on its own: the bare contract still lets the postmortem open and gate.
  body ??= ensureContract("", contract);

  return {
    title: `Postmortem: ${plainTitle(incident.title) || `incident #${incident.number}`} (#${incident.number})`,
    body,
    labels: [...new Set(labels)],
    assignees,
    marker,
    due,
  };
}
