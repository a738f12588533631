// Who may change an incident (SPEC §2, §13): GitHub's permission, never text or a payload's hint.
// `author_association` only spares a lookup for the owner of a user-owned repository; everyone
// else (MEMBER and COLLABORATOR included: both can be read-only) is looked up by `role_name`
// and cached per (repository, login): for `permission_cache_minutes` in the App, for the run in
// the Action.
import { z } from "zod";
import type { FirebreakConfig } from "../core/config.js";
import type { GitHubClient, RepoRef } from "./client.js";
import { statusOf } from "./client.js";

const ALLOWED_ROLES = new Set(["triage", "write", "maintain", "admin"]);

/** Answers looked up, per (repository, login), each kept for a while. Shared by every event of a process. */
export class PermissionCache {
  private readonly entries = new Map<string, { allowed: boolean; at: number }>();
  constructor(private readonly now: () => number = Date.now) {}

  private key(ref: RepoRef, login: string): string {
    return `${ref.owner}/${ref.repo}:${login}`.toLowerCase();
  }

  get(ref: RepoRef, login: string, ttlMinutes: number): boolean | undefined {
    const key = this.key(ref, login);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.now() - entry.at > ttlMinutes * 60_000) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.allowed;
  }

  set(ref: RepoRef, login: string, allowed: boolean): void {
    // Bounded: a flood of distinct outsiders cannot grow it without end.
    if (this.entries.size >= 10_000) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(this.key(ref, login), { allowed, at: this.now() });
  }
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
export const isBotLogin = (login: string) => login.toLowerCase().endsWith("[bot]");

export class Permissions {
  constructor(
    private readonly gh: GitHubClient,
    private readonly ref: RepoRef,
    private readonly config: FirebreakConfig,
    private readonly cache: PermissionCache = new PermissionCache(),
  ) {}

  private listed(login: string): boolean {
    return this.config.responders.some((r) => !r.includes("/") && same(r, login));
  }

  /** The answer when it needs no API call; undefined when a lookup is needed. */
  quick(login: string, _association?: string): boolean | undefined {
    // Bots never command unless `allow_bots` lists them (then the config is their permission).
    if (isBotLogin(login)) return this.config.allow_bots.some((b) => same(b, login));
    if (this.listed(login)) return true;
    // The owner of a user-owned repository (no person shares an organisation's login), whatever
    // the payload says: the association is only a hint and is absent for an event's sender.
    if (same(login, this.ref.owner)) return true;
    return this.cache.get(this.ref, login, this.config.permission_cache_minutes);
  }

  async resolve(login: string, association: string | undefined): Promise<boolean> {
    const quick = this.quick(login, association);
    if (quick !== undefined) return quick;
    let allowed = false;
    try {
      const { data } = await this.gh.request("GET /repos/{owner}/{repo}/collaborators/{username}/permission", { ...this.ref, username: login });
      const role = z.object({ role_name: z.string().optional() }).parse(data);
      allowed = ALLOWED_ROLES.has(role.role_name ?? "");
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
    if (!allowed) allowed = await this.inListedTeam(login);
    this.cache.set(this.ref, login, allowed);
    return allowed;
  }

  /** Team entries (`org/team`) need the App's members:read permission; without it they grant nothing. */
  private async inListedTeam(login: string): Promise<boolean> {
    for (const entry of this.config.responders.filter((r) => r.includes("/"))) {
      const [org = "", team = ""] = entry.split("/");
      try {
        const { data } = await this.gh.request("GET /orgs/{org}/teams/{team_slug}/memberships/{username}", { org, team_slug: team, username: login });
        if ((data as { state?: string }).state === "active") return true;
      } catch {
        // No permission to read teams, or not a member: the entry grants nothing.
      }
    }
    return false;
  }

  /** The synchronous view the core uses after `resolve` ran for everyone it needs. */
  decide = (login: string, association: string | undefined): boolean => this.quick(login, association) ?? false;
}
