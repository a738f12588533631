// What every face hands the shell: its caches, who Firebreak writes as, and the shipped templates.
import type { ConfigError } from "../../core/config.js";
import type { ActionTaken, Plan } from "../../core/model/plan.js";
import type { RepoRef } from "../client.js";
import type { FileCache } from "../files.js";
import type { LabelStyler } from "../labels.js";
import type { PermissionCache } from "../permissions.js";
import type { IssueMemory } from "./memory.js";
import type { RelayDeps } from "../../relay/send.js";
import type { KpiAnalyst } from "./kpi-analyst.js";

export interface ShippedTemplates {
  form: string;
  postmortem: string;
}

export interface ShellDeps {
  files: FileCache;
  /** The login Firebreak writes as: its own events are ignored. */
  botLogin: string;
  /**
   * Who Firebreak's writes appear as, when not `botLogin` (the CLI writes as the token's owner):
   * a body this login edited last holds Firebreak's record (SPEC §13).
   */
  writerLogin?: string;
  templates: ShippedTemplates;
  configPath?: string;
  formPath?: string;
  /**
   * Trust the payload's issue (App: fresh within the delivery; `memory` covers what this process
   * wrote since) or read it anew (Action: a queued run's payload can be minutes old).
   */
  issueFromPayload: boolean;
  memory?: IssueMemory;
  /** Labels this process already styled, per repository: a burst styles each once. */
  labels: LabelStyler;
  /**
   * Permissions looked up, per (repository, login): the App keeps one for the process (each answer
   * for `permission_cache_minutes`), the Action one for the run. Absent, each event looks up anew.
   */
  permissions?: PermissionCache;
  /** Look for a configuration-error issue to close even when the file is valid. */
  reportFixedConfig?: boolean;
  /** Write a check run for tracking QA (both faces do; `simulate` records it). */
  checkRuns?: boolean;
  /** Tracking QA may fetch private and loopback addresses (a self-hosted staging site). */
  allowPrivateQaHosts?: boolean;
  log?: (line: string) => void;
  /** Where relay URLs come from and how far they may reach (SPEC §16); absent, nothing is relayed. */
  relay?: RelayDeps;
  /**
   * How KPI URLs of `detection.sources` are read (SPEC §13): the variables `auth_env` may name, and
   * whether this is the hosted App (only `FIREBREAK_KPI_…` variables). Absent, URL sources are refused.
   */
  kpi?: {
    env: Readonly<Record<string, string | undefined>>;
    hosted: boolean;
    /** The fetch to use (tests); absent, Node's own, through the address guard when hosted. */
    fetch?: typeof fetch;
  };
  /** A run that keeps no memory between passes (the Action, the CLI): the pass's cursor is kept on the dashboard issue. */
  cursorOnDashboard?: boolean;
  /** Where KPI sources are analysed (the App: a worker thread); absent, in this thread. */
  kpiAnalyst?: KpiAnalyst;
  /**
   * Runs work on one incident exclusively, in line with its webhook events (the App's queue per
   * incident). The scheduled pass touches each incident through it; absent, work runs at once.
   */
  exclusive?: <T>(ref: RepoRef, incident: number, work: () => Promise<T>) => Promise<T>;
}

export interface RunResult {
  action: ActionTaken;
  incident?: number;
  notes: string[];
  configErrors: ConfigError[];
  plan?: Plan;
  postmortem?: number;
  /** Tracking QA's step × expectation table (Markdown), for the job summary. */
  table?: string;
}

export const DEFAULT_FORM_PATH = ".github/ISSUE_TEMPLATE/marketing-incident.yml";

/** Who Firebreak's issues and comments are written by: a marker counts only on theirs (SPEC §13). */
export function writerOf(deps: Pick<ShellDeps, "botLogin" | "writerLogin">): string {
  return deps.writerLogin ?? deps.botLogin;
}
