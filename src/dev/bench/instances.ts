// Bench: 20 simultaneous commands on one incident, settled by one App instance (the embedded
// default, no Redis) and by two instances on one Redis behind a round-robin balancer (SPEC §18).
// Real servers (`node build/app/server.js`) with Probot's throttling on, against the local GitHub.
// "Settled" is the last write GitHub received; the pacing floor is the least time Probot's
// throttling allows between the first and the last of those writes (about 1 s between writes,
// 3 s between new comments).
import { existsSync } from "node:fs";
import { cardOf, type Cluster, comment, REDIS_SERVER, REPO, settle, startCluster, waitFor } from "../cluster.js";

const COMMANDS = 20;

interface Settled {
  setup: string;
  settledS: number;
  writes: number;
  comments: number;
  floorS: number;
}

async function burstOn(setup: string, options: Parameters<typeof startCluster>[0]): Promise<Settled> {
  const c: Cluster = await startCluster({ ...options, logLevel: "warn" });
  try {
    const { gh, balancer } = c;
    const n = gh.openIssue(REPO, "u1", { title: "Meta purchases down", body: "", labels: ["incident"] }).number;
    await waitFor("the card", () => cardOf(gh, n), c.logs);
    await settle(gh);
    balancer.hold = true;
    const before = balancer.captured.length;
    const ids = await Promise.all(Array.from({ length: COMMANDS }, (_, i) => comment(gh, n, `u${i + 1}`, `/responder @u${i + 1} measurement`)));
    await gh.idle();
    balancer.hold = false;
    const from = gh.requests.length;
    const start = performance.now();
    await Promise.all(balancer.captured.slice(before).filter((d) => d.event === "issue_comment").map((d) => balancer.forward(d)));
    // The last write's arrival, watched as it happens (the emulator's log has no wall-clock times).
    let lastWrite = start;
    let writes = 0;
    const done = () => {
      const now = gh.requests.slice(from).filter((r) => r.method !== "GET").length;
      if (now > writes) {
        writes = now;
        lastWrite = performance.now();
      }
      const s = cardOf(gh, n);
      return s && ids.every((id) => s.applied.includes(id)) && gh.comments(REPO, n).every((x) => !ids.includes(x.id) || x.reactions.length > 0);
    };
    await waitFor("the burst to settle", done, c.logs);
    await settle(gh);
    done();
    const written = gh.requests.slice(from).filter((r) => r.method !== "GET");
    const comments = written.filter((r) => r.method === "POST" && r.path.endsWith("/comments")).length;
    return { setup, settledS: (lastWrite - start) / 1000, writes: written.length, comments, floorS: Math.max(0, comments * 3 + (written.length - comments) - 1) };
  } finally {
    await c.stop();
  }
}

/** The table's head and rows, or why it was skipped (no redis-server). */
export async function benchInstances(): Promise<{ head: string[]; rows: string[][] } | string> {
  if (!existsSync(REDIS_SERVER)) return `skipped: no redis-server at ${REDIS_SERVER} (apt-get install -y redis-server)`;
  const runs: Settled[] = [];
  runs.push(await burstOn("1 instance, no Redis (embedded default)", { instances: 1, redis: false }));
  runs.push(await burstOn("1 instance on Redis", { instances: 1 }));
  runs.push(await burstOn("2 instances on one Redis, round robin", { instances: 2 }));
  return {
    head: ["setup", "settled (s)", "writes", "of which comments", "pacing floor (s)"],
    rows: runs.map((r) => [r.setup, r.settledS.toFixed(1), String(r.writes), String(r.comments), String(r.floorS)]),
  };
}
