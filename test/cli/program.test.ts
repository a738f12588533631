// The command line itself: help for every command, usage errors exit 2, and the installed
// bin (bin/firebreak.js → build/) runs.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryIo } from "../../src/cli/common.js";
import { main } from "../../src/cli/program.js";
import { ensureBuild } from "../e2e/build.global.js";
import { tempDir } from "./helpers.js";

const COMMANDS = ["demo", "init", "labels", "simulate", "reconcile", "qa"];

describe("help and usage", () => {
  it("firebreak --help lists every command and the exit codes", async () => {
    const io = memoryIo();
    expect(await main(["--help"], io)).toBe(0);
    const help = io.stdout.join("\n");
    for (const c of COMMANDS) expect(help).toMatch(new RegExp(`^\\s+${c}\\b`, "m"));
    expect(help).toContain("Exit codes: 0 ok · 1 a failure was found");
  });

  it.each(COMMANDS)("firebreak %s --help", async (command) => {
    const io = memoryIo();
    expect(await main([command, "--help"], io)).toBe(0);
    expect(io.stdout.join("\n")).toContain(`Usage: firebreak ${command}`);
    expect(io.stdout.join("\n")).toContain("Exit codes");
  });

  it("exit 2 for an unknown command, an unknown option, a missing option, and no command", async () => {
    for (const argv of [["nope"], ["init", "--nope"], ["labels"], ["simulate", "--event", "issues"], []]) {
      const io = memoryIo();
      expect(await main(argv, io), argv.join(" ")).toBe(2);
      expect(io.stderr.join("\n").length, argv.join(" ")).toBeGreaterThan(0);
    }
  });

  it("--version prints the package version", async () => {
    const io = memoryIo();
    expect(await main(["--version"], io)).toBe(0);
    expect(io.stdout.join("")).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe("bin/firebreak.js (after npm run build)", () => {
  const root = fileURLToPath(new URL("../../", import.meta.url));
  let dir: ReturnType<typeof tempDir>;
  beforeAll(() => {
    ensureBuild();
    dir = tempDir();
  }, 120_000);
  afterAll(() => dir.remove());
  const bin = (args: string[]) => spawnSync(process.execPath, [join(root, "bin/firebreak.js"), ...args], { cwd: dir.path, encoding: "utf8", env: { PATH: process.env.PATH ?? "" } });

  it("runs init with the exit codes scripts rely on", () => {
    const first = bin(["init"]);
    expect(first.status, first.stderr).toBe(0);
    expect(existsSync(join(dir.path, ".github/workflows/firebreak.yml"))).toBe(true);
    const second = bin(["init"]);
    expect(second.status).toBe(1);
    expect(second.stderr).toContain("--force");
    expect(bin(["bogus"]).status).toBe(2);
  });

  it("runs the demo end to end", () => {
    const run = bin(["demo"]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("## #3 · Postmortem:");
    expect(run.stdout).toContain("`repeat`");
  }, 60_000);
});
