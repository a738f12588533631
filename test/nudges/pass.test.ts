// The nudge job in the scheduled pass against the built-in local GitHub, with GitHub's clock and
// the pass's time stepped together: one reminder per window, none after the update, none twice
// on a repeated or overlapping pass, and a pass over 200 incidents within its budget.
import { Octokit } from "@octokit/core";
import { afterEach, describe, expect, it } from "vitest";
import { parseBody, renderBody } from "../../src/core/card.js";
import { DEFAULT_CONFIG } from "../../src/core/config.js";
import { nudgeKeysIn, nudgeMarker, postmortemMarker } from "../../src/core/model/markers.js";
import { LocalGitHub } from "../../src/dev/local-github/index.js";
import { FileCache } from "../../src/github/files.js";
import { LabelStyler } from "../../src/github/labels.js";
import type { ShellDeps } from "../../src/github/shell/deps.js";
import type { GitHubClient } from "../../src/github/client.js";
import { CallBudget } from "../../src/github/shell/budget.js";
import { handle } from "../../src/github/shell/handle.js";
import { nudgeIncidents } from "../../src/github/shell/nudges.js";
import { MemoryCursor } from "../../src/github/shell/scheduled-pass.js";
import { shippedTemplates } from "../../src/templates.js";
import { declaredIncident } from "../support/incident-factory.js";
import { startSink } from "../../src/dev/relay-sink.js";

const REPO = "acme/shop";
const ref = { owner: "acme", repo: "shop" };
const BOT = "acme";
const START = Date.parse("2026-11-30T09:00:00Z");
const MIN = 60_000;

interface World {
  gh: LocalGitHub;
  /** Sets GitHub's clock and the next pass's time to `minutes` after 09:00. */
  at(minutes: number): string;
  pass(cursor?: MemoryCursor): ReturnType<typeof handle>;
  /** One pass at `minutes` after 09:00. */
  passAt(minutes: number): ReturnType<typeof handle>;
  reminders(issue: number): string[];
  /** At 09:00, an issue labelled by hand that the pass declares. */
  declare(title: string): Promise<void>;
  client: GitHubClient;
  deps: ShellDeps;
}

let world: LocalGitHub | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

async function start(config: string, extra: Partial<ShellDeps> = {}): Promise<World> {
  let now = START;
  const gh = new LocalGitHub({ clock: () => new Date(now), rateLimit: 100_000 });
  world = gh;
  const { url } = await gh.start();
  gh.addRepo(REPO);
  gh.addCollaborator(REPO, "devon", "write");
  gh.createLabel(REPO, "incident", "b60205", "A marketing incident");
  gh.createLabel(REPO, "postmortem", "5319e7", "A postmortem");
  gh.putFile(REPO, ".github/firebreak.yml", config);
  const client = new Octokit({ baseUrl: url, auth: gh.tokenFor(BOT) });
  const deps: ShellDeps = { files: new FileCache(), labels: new LabelStyler(), botLogin: BOT, templates: shippedTemplates(), issueFromPayload: true, ...extra };
  const pass = (cursor?: MemoryCursor) => handle(client, { kind: "scheduled", ref, at: new Date(now).toISOString() }, deps, cursor);
  return {
    gh,
    at(minutes) {
      now = START + minutes * MIN;
      return new Date(now).toISOString();
    },
    pass,
    passAt(minutes) {
      now = START + minutes * MIN;
      return pass();
    },
    client,
    deps,
    async declare(title) {
      now = START;
      gh.openIssue(REPO, "devon", { title, body: "Orders from iOS stopped at 08:40.", labels: ["incident"] });
      await pass();
    },
    reminders: (issue) => gh.comments(REPO, issue).filter((c) => c.author === BOT).flatMap((c) => nudgeKeysIn(c.body)),
  };
}

describe("nudges in the scheduled pass", () => {
  it("one reminder per window, none after the update, none twice on a repeated pass", async () => {
    const w = await start("severities:\n  2: { update_every: 1h }\n");
    await w.declare("Checkout broken");
    const state = parseBody(w.gh.issue(REPO, 1)?.body).state!;
    expect(state.severity).toBe(2);
    w.at(5);
    w.gh.comment(REPO, 1, "devon", "/owner @devon");
    await w.pass();
    expect(parseBody(w.gh.issue(REPO, 1)?.body).state?.roles.owner).toBe("devon");
    await w.passAt(59);
    expect(w.reminders(1)).toEqual([]);
    // 10:00: a period after the declaration, the owner owes an update.
    await w.passAt(61);
    expect(w.reminders(1)).toEqual(["update@2026-11-30T10:00:00.000Z"]);
    const reminder = w.gh.comments(REPO, 1).find((c) => nudgeKeysIn(c.body).length > 0)!;
    expect(reminder.body).toContain("@devon");
    // The same pass again (a retried run, a redelivery): nothing new.
    await w.pass();
    await w.passAt(90);
    expect(w.reminders(1)).toEqual(["update@2026-11-30T10:00:00.000Z"]);
    // The update: the card shows it and the next reminder is a period after it.
    w.at(95);
    w.gh.comment(REPO, 1, "devon", "/update\nsymptom: iOS orders back to 80%\nnext: watch the hourly orders");
    await w.pass();
    expect(parseBody(w.gh.issue(REPO, 1)?.body).state?.updates).toHaveLength(1);
    for (const m of [120, 150, 154]) {
      await w.passAt(m);
    }
    expect(w.reminders(1)).toEqual(["update@2026-11-30T10:00:00.000Z"]);
    await w.passAt(156);
    expect(w.reminders(1)).toEqual(["update@2026-11-30T10:00:00.000Z", "update@2026-11-30T11:35:00.000Z"]);
  }, 60_000);

  it("relays a reminder once to the chat destinations that want nudges, recorded as sent", async () => {
    const slack = await startSink();
    try {
      const config = "notify:\n  2: [devon]\nrelay:\n  - kind: slack\n    url_env: FIREBREAK_RELAY_SLACK\n    events: [nudge]\n";
      const w = await start(config, { relay: { env: { FIREBREAK_RELAY_SLACK: slack.url }, hosted: false } });
      await w.declare("Spend stopped");
      expect(slack.bodies).toEqual([]);
      await w.passAt(61);
      expect(w.reminders(1)).toEqual(["owner@2026-11-30T10:00:00.000Z"]);
      expect(slack.bodies.map((b) => (b as { text: string }).text)).toEqual(["SEV2 incident is overdue: #1 Spend stopped"]);
      expect(parseBody(w.gh.issue(REPO, 1)?.body).state?.relay?.sent).toEqual(["nudge@20261130T100000Z>FIREBREAK_RELAY_SLACK"]);
      // A repeated pass in the same window sends nothing more.
      await w.pass();
      await w.passAt(90);
      expect(slack.bodies).toHaveLength(1);
    } finally {
      await slack.close();
    }
  }, 60_000);

  it("overlapping passes converge on one reminder", async () => {
    const w = await start("notify:\n  2: [devon]\n");
    await w.declare("Spend stopped");
    w.at(61);
    const [a, b, c] = await Promise.all([w.pass(), w.pass(), w.pass()]);
    expect(w.reminders(1)).toEqual(["owner@2026-11-30T10:00:00.000Z"]);
    const notes = [a, b, c].flatMap((h) => h.results.flatMap((r) => r.notes));
    expect(notes.filter((n) => n.startsWith("owner: reminded"))).toHaveLength(1);
    expect(w.gh.comments(REPO, 1).filter((x) => nudgeKeysIn(x.body).length > 0)).toHaveLength(1);
  }, 60_000);

  it("two runs that both wrote a reminder (each read before the other wrote) keep the older one", async () => {
    const w = await start("");
    await w.declare("Spend stopped");
    w.at(61);
    // Each run's comment waits until both runs are about to write: the race a check alone cannot stop.
    const waiting: (() => void)[] = [];
    const racing = (): GitHubClient => ({
      request: Object.assign(async (route: string, options?: Record<string, unknown>) => {
        if (route.startsWith("POST") && route.endsWith("/comments")) {
          await new Promise<void>((resolve) => {
            waiting.push(resolve);
            if (waiting.length === 2) for (const go of waiting.splice(0)) go();
          });
        }
        return w.client.request(route, options);
      }, w.client.request) as GitHubClient["request"],
    });
    const run = () => nudgeIncidents(racing(), ref, DEFAULT_CONFIG, w.deps, new CallBudget(200), w.at(61));
    const [a, b] = await Promise.all([run(), run()]);
    const notes = [...a.results, ...b.results].flatMap((r) => r.notes);
    expect(notes.sort()).toEqual(["owner: another run reminded first; the duplicate was removed", "owner: reminded devon (window from 2026-11-30T10:00:00.000Z)"]);
    expect(w.reminders(1)).toEqual(["owner@2026-11-30T10:00:00.000Z"]);
  }, 60_000);

  it("reminds a late postmortem's owner, weekly; a copy of its marker by someone else counts for nothing", async () => {
    const w = await start("");
    w.at(0);
    const body = `${postmortemMarker(7)}\n# Postmortem\n\nDue: 2026-11-29\n`;
    w.gh.openIssue(REPO, BOT, { title: "Postmortem: checkout", body, labels: ["postmortem"], assignees: ["devon"] });
    w.gh.openIssue(REPO, "devon", { title: "Postmortem copy", body, labels: ["postmortem"] });
    // Someone else's comment carrying the key suppresses nothing.
    w.gh.comment(REPO, 1, "devon", nudgeMarker("postmortem", "2026-11-30T00:00:00.000Z"));
    await w.pass();
    expect(w.reminders(1)).toEqual(["postmortem@2026-11-30T00:00:00.000Z"]);
    expect(w.reminders(2)).toEqual([]);
    await w.passAt(6 * 24 * 60);
    expect(w.reminders(1)).toHaveLength(1);
    await w.passAt(7 * 24 * 60);
    expect(w.reminders(1)).toEqual(["postmortem@2026-11-30T00:00:00.000Z", "postmortem@2026-12-07T00:00:00.000Z"]);
  }, 60_000);

  it("never mentions Firebreak itself: an incident it declared, with no notify list, is reminded by name to nobody", async () => {
    const w = await start("");
    const state = declaredIncident({ declaredAt: new Date(START).toISOString(), roles: { detector: BOT } });
    w.gh.openIssue(REPO, BOT, { title: "Tracking broken after v4.2", body: renderBody(state, "", { config: DEFAULT_CONFIG, now: state.declaredAt })!, labels: ["incident"] });
    await w.passAt(61);
    const [reminder] = w.gh.comments(REPO, 1).filter((c) => nudgeKeysIn(c.body).length > 0);
    expect(reminder?.body).toMatch(/^⏰ \*\*No owner yet\.\*\* SEV2 asks for an owner within 1h of declaration \(2026-11-30 09:00 UTC\)\. Who takes it\? `\/owner @login`/);
    expect(reminder?.body).not.toContain("@acme");
  }, 60_000);

  it("nudges: false sends none", async () => {
    const w = await start("nudges: false\n");
    await w.declare("Checkout broken");
    await w.passAt(600);
    expect(w.reminders(1)).toEqual([]);
  }, 60_000);

  it("a pass over 200 open incidents stays within schedule.max_calls and finishes in later passes, longest overdue first", async () => {
    const w = await start("schedule:\n  max_calls: 200\n");
    w.at(0);
    // 200 SEV2 incidents Firebreak declared, 1 to 200 minutes ago, nobody owning them.
    for (let i = 1; i <= 200; i++) {
      const state = declaredIncident({ declaredAt: new Date(START - (201 - i) * MIN).toISOString(), timeline: [] });
      w.gh.openIssue(REPO, BOT, { title: `Incident ${i}`, body: renderBody(state, "", { config: DEFAULT_CONFIG, now: state.declaredAt })!, labels: ["incident"] });
    }
    w.at(60);
    const cursor = new MemoryCursor();
    const passes: { calls: number; reminded: number[] }[] = [];
    // The pass goes round its jobs (reconcile, nudges, reconcile …): run passes until every incident was reminded, then two more.
    let extra = 0;
    for (let pass = 0; pass < 30 && extra < 2; pass++) {
      w.gh.resetRequests();
      const handled = await w.pass(cursor);
      const calls = w.gh.requests.filter((r) => r.status !== 304 && !r.path.includes("/contents/")).length;
      const reminded = handled.results.filter((r) => r.notes.some((n) => n.startsWith("owner: reminded"))).map((r) => r.incident!);
      passes.push({ calls, reminded });
      if (passes.flatMap((p) => p.reminded).length >= 200) extra += 1;
    }
    expect(extra).toBe(2);
    expect(passes.filter((p) => p.reminded.length > 0).length).toBeGreaterThan(3);
    // A reminder costs a read, the trust query, the comment and the read that verifies it: an issue in progress finishes.
    for (const p of passes) expect(p.calls).toBeLessThanOrEqual(200 + 4);
    // Every incident reminded exactly once, the longest overdue (declared first) first.
    expect(passes.flatMap((p) => p.reminded)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    for (let i = 1; i <= 200; i++) expect(w.reminders(i)).toHaveLength(1);
  }, 120_000);
});
