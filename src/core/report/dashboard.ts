// The dashboard issue's body (SPEC §16): open incidents with what is overdue, postmortems due,
// and the report of the last 30 days. A function of GitHub's state and the pass's time only.
import type { FirebreakConfig } from "../config.js";
import { DASHBOARD_MARKER } from "../model/markers.js";
import { isClosedIncident, isIncidentStatus } from "../model/status.js";
import type { IncidentState } from "../model/incident.js";
import { inline, person } from "../text/inert.js";
import { formatElapsed, parseDuration } from "../time.js";
import type { Report, ReportIssue, ReportPostmortem } from "./metrics.js";
import { renderReportMarkdown } from "./render.js";

export const DASHBOARD_TITLE = "Firebreak dashboard";
export const DASHBOARD_DAYS = 30;

export interface DashboardInput {
  at: string;
  /** Incidents whose record Firebreak wrote, any age. */
  incidents: readonly ReportIssue[];
  postmortems: readonly ReportPostmortem[];
  report: Report;
}

/** What an open incident owes now: an update past its severity's cadence, an owner, a check past due. */
export function overdue(state: IncidentState, config: FirebreakConfig, at: string): string[] {
  const now = Date.parse(at);
  const out: string[] = [];
  const every = parseDuration(config.severities[state.severity].update_every);
  const last = Math.max(Date.parse(state.declaredAt), ...state.updates.map((u) => Date.parse(u.at)));
  if (every !== undefined && state.status !== "resolved" && now - last > every) out.push(`update (every ${config.severities[state.severity].update_every})`);
  if (!state.roles.owner) out.push("owner");
  if (state.check?.due && Date.parse(state.check.due) < now) out.push("next check");
  return out;
}

/** An incident's age in whole hours ("< 1h", "5h", "2d 3h"). */
function age(ms: number): string {
  const hours = Math.floor(ms / 3_600_000);
  return hours < 1 ? "< 1h" : formatElapsed(hours * 3_600_000).replace(/ 00m$/, "");
}

export function renderDashboard(input: DashboardInput, config: FirebreakConfig): string {
  const open = input.incidents
    .filter((i) => isIncidentStatus(i.state.status) && !isClosedIncident(i.state.status))
    .sort((a, b) => a.state.severity - b.state.severity || a.number - b.number);
  const today = input.at.slice(0, 10);
  const due = input.postmortems.filter((p) => p.open).sort((a, b) => (a.due ?? "9999").localeCompare(b.due ?? "9999"));
  // No "last updated" time and ages in whole hours: a pass that finds nothing new writes nothing.
  const lines = [DASHBOARD_MARKER, "_Kept up to date by Firebreak's scheduled pass. Edits are replaced._", ""];
  lines.push(`## Open incidents (${open.length})`, "");
  if (open.length === 0) lines.push("None.");
  else {
    lines.push("| incident | severity | layer | status | owner | age | overdue |", "|---|---|---|---|---|---|---|");
    for (const i of open) {
      const s = i.state;
      const layer = s.layer.confirmed ?? s.layer.likely;
      const late = overdue(s, config, input.at);
      lines.push(
        `| #${i.number} ${inline(i.title, 80)} | SEV${s.severity} | ${layer ?? "—"} | ${s.status} | ${person(s.roles.owner)} | ${age(Date.parse(input.at) - Date.parse(s.declaredAt))} | ${late.length > 0 ? `⚠️ ${late.join(", ")}` : "—"} |`,
      );
    }
  }
  lines.push("", `## Postmortems due (${due.length})`, "");
  if (due.length === 0) lines.push("None.");
  for (const p of due) lines.push(`- #${p.number} for incident #${p.incident}: due ${p.due ?? "—"}${p.due !== undefined && p.due < today ? " ⚠️ overdue" : ""}`);
  lines.push("", renderReportMarkdown(input.report, "##").replace(/^## Firebreak report/, `## Last ${DASHBOARD_DAYS} days:`));
  return lines.join("\n");
}
