// `firebreak labels` against the built-in local GitHub: creates Firebreak's 19 labels with
// colours, a second run writes nothing, a dry run writes nothing, a changed colour is updated.
import { afterEach, beforeEach, expect, it } from "vitest";
import { memoryIo } from "../../src/cli/common.js";
import { runLabels } from "../../src/cli/labels.js";
import { main } from "../../src/cli/program.js";
import { allLabels, DEFAULT_CONFIG } from "../../src/core/config.js";
import { labelStyles } from "../../src/core/model/labels.js";
import { emulator, writesOf } from "./helpers.js";

let world: Awaited<ReturnType<typeof emulator>>;
beforeEach(async () => void (world = await emulator()));
afterEach(() => world.stop());

// Throttling off: the emulator has no pacing to respect, and tests measure logic, not sleeps.
const run = (args: { dryRun?: boolean; config?: string } = {}) => {
  const io = memoryIo(world.env);
  return runLabels({ repo: "acme/shop", ...args }, io, { throttle: false }).then((code) => ({ code, io }));
};

it("creates the 19 labels with colours and descriptions, then a second run makes no writes", async () => {
  const first = await run();
  expect(first.code).toBe(0);
  expect(allLabels(DEFAULT_CONFIG)).toHaveLength(19);
  const labels = world.gh.labels("acme/shop");
  expect(labels.map((l) => l.name).sort()).toEqual([...allLabels(DEFAULT_CONFIG)].sort());
  for (const style of labelStyles(DEFAULT_CONFIG)) {
    expect(labels.find((l) => l.name === style.name)).toMatchObject({ color: style.color, description: style.description });
  }
  expect(writesOf(world.gh)).toHaveLength(19);
  expect(first.io.stdout.filter((l) => l.startsWith("created"))).toHaveLength(19);
  expect(first.io.stdout.at(-1)).toBe("acme/shop: created 19, updated 0.");

  world.gh.resetRequests();
  const second = await run();
  expect(second.code).toBe(0);
  expect(writesOf(world.gh)).toEqual([]);
  expect(second.io.stdout).toEqual(["acme/shop: all Firebreak labels are in place — nothing to change."]);
});

it("updates a label whose colour or description drifted, and leaves other labels alone", async () => {
  world.gh.createLabel("acme/shop", "incident", "ffffff", "old words");
  world.gh.createLabel("acme/shop", "bug", "d73a4a", "Something isn't working");
  const { code, io } = await run();
  expect(code).toBe(0);
  expect(io.stdout.filter((l) => l.startsWith("updated"))).toEqual([expect.stringMatching(/^updated\s+incident {2}#b60205/)]);
  expect(world.gh.labels("acme/shop").find((l) => l.name === "bug")).toMatchObject({ color: "d73a4a" });
  expect(writesOf(world.gh).filter((r) => r.method === "PATCH")).toHaveLength(1);
});

it("--dry-run says what it would do and writes nothing", async () => {
  const { code, io } = await run({ dryRun: true });
  expect(code).toBe(0);
  expect(writesOf(world.gh)).toEqual([]);
  expect(world.gh.labels("acme/shop")).toEqual([]);
  expect(io.stdout.filter((l) => l.startsWith("would create"))).toHaveLength(19);
  expect(io.stdout.at(-1)).toContain("dry run: nothing written");
});

it("uses the label names of the repository's .github/firebreak.yml", async () => {
  world.gh.putFile("acme/shop", ".github/firebreak.yml", "labels:\n  incident: marketing-incident\n");
  await run();
  const names = world.gh.labels("acme/shop").map((l) => l.name);
  expect(names).toContain("marketing-incident");
  expect(names).not.toContain("incident");
});

it("exit 2 without GITHUB_TOKEN or with a refused token, and never prints the token", async () => {
  const missing = memoryIo({ GITHUB_API_URL: world.env.GITHUB_API_URL });
  expect(await main(["labels", "--repo", "acme/shop"], missing)).toBe(2);
  expect(missing.stderr.join("\n")).toContain("GITHUB_TOKEN is not set");

  const bogus = `ghp_${"x".repeat(36)}`;
  const refused = memoryIo({ GITHUB_TOKEN: bogus, GITHUB_API_URL: world.env.GITHUB_API_URL });
  expect(await main(["labels", "--repo", "acme/shop"], refused)).toBe(2);
  const printed = [...refused.stdout, ...refused.stderr].join("\n");
  expect(printed).toContain("401");
  expect(printed).not.toContain(bogus);

  const usage = memoryIo(world.env);
  expect(await main(["labels", "--repo", "not-a-repo"], usage)).toBe(2);
  expect(await main(["labels"], memoryIo(world.env))).toBe(2);
});

it("--dry-run --config FILE needs no token: every label is listed, nothing is read or written", async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const dir = mkdtempSync(join(tmpdir(), "firebreak-labels-"));
  try {
    writeFileSync(join(dir, "firebreak.yml"), "labels:\n  incident: marketing-incident\n");
    world.gh.resetRequests();
    const io = memoryIo({}, dir);
    expect(await main(["labels", "--repo", "acme/shop", "--dry-run", "--config", "firebreak.yml"], io)).toBe(0);
    expect(io.stdout[0]).toContain("no GITHUB_TOKEN");
    expect(io.stdout.filter((l) => l.startsWith("would create"))).toHaveLength(19);
    expect(io.stdout.join("\n")).toContain("marketing-incident");
    expect(io.stdout.at(-1)).toBe("acme/shop: would create 19, would update 0 (dry run: nothing written).");
    expect(world.gh.requests).toEqual([]);

    // Without --config a dry run still needs the token, and says how to do without.
    const noConfig = memoryIo({}, dir);
    expect(await main(["labels", "--repo", "acme/shop", "--dry-run"], noConfig)).toBe(2);
    expect(noConfig.stderr.join("\n")).toContain("pass --config FILE to list the labels without a token");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it("exit 2 on an invalid config, local or the repository's, naming each key; nothing is written", async () => {
  world.gh.putFile("acme/shop", ".github/firebreak.yml", "labels:\n  incident: 7\nmax_parallel_interventions: 99\n");
  await expect(runLabels({ repo: "acme/shop" }, memoryIo(world.env), { throttle: false })).rejects.toMatchObject({ code: 2 });
  expect(writesOf(world.gh)).toEqual([]);
  expect(world.gh.labels("acme/shop")).toEqual([]);
  const viaMain = memoryIo(world.env);
  expect(await main(["labels", "--repo", "acme/shop"], viaMain)).toBe(2);
  const err = viaMain.stderr.join("\n");
  expect(err).toContain("acme/shop:.github/firebreak.yml is not a valid Firebreak configuration");
  expect(err).toMatch(/labels\.incident: /);
  expect(err).toMatch(/max_parallel_interventions: Too big/);
}, 20_000);

it("a refused connection is reported at once (no retries), exit 2, naming GITHUB_API_URL", async () => {
  const { createServer } = await import("node:net");
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  const io = memoryIo({ GITHUB_TOKEN: "t", GITHUB_API_URL: `http://127.0.0.1:${port}` });
  const started = Date.now();
  expect(await main(["labels", "--repo", "acme/shop"], io)).toBe(2);
  expect(Date.now() - started).toBeLessThan(3000);
  expect(io.stderr.join("\n")).toContain(`cannot reach http://127.0.0.1:${port} (ECONNREFUSED): check GITHUB_API_URL`);
});
