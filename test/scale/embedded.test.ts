// Without REDIS_URL nothing of the several-instances machinery is loaded: the server runs as the
// one process it always was. With it, the Redis libraries are loaded (so the check can fail).
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../../src/dev/cluster.js";
import { ensureBuild } from "../e2e/build.global.js";

const HOOK = fileURLToPath(new URL("./loaded-modules.mjs", import.meta.url));
const clusters: Cluster[] = [];

beforeAll(() => ensureBuild(), 300_000);
afterAll(async () => {
  await Promise.all(clusters.map((c) => c.stop()));
});

const loaded = (c: Cluster) => [...new Set(c.logs().match(/loaded redis library \S+/g) ?? [])].sort();

describe("the embedded default", () => {
  it("loads no Redis library without REDIS_URL, and all three with it", { timeout: 60_000 }, async () => {
    const embedded = await startCluster({ instances: 1, redis: false, nodeArgs: ["--import", HOOK] });
    clusters.push(embedded);
    expect(loaded(embedded)).toEqual([]);
    const scaled = await startCluster({ instances: 1, nodeArgs: ["--import", HOOK] });
    clusters.push(scaled);
    expect(loaded(scaled)).toEqual(["loaded redis library @sesamecare-oss/redlock", "loaded redis library bullmq", "loaded redis library ioredis"]);
  });
});
