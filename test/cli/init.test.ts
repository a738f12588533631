// `firebreak init`: the files from the shipped templates, never overwritten without --force.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { memoryIo } from "../../src/cli/common.js";
import { INIT_FILES, originRepo, runInit, runInitCommand } from "../../src/cli/init.js";
import { main } from "../../src/cli/program.js";
import { DEFAULT_CONFIG, parseConfigYaml, resolveConfig } from "../../src/core/config.js";
import { readTemplate } from "../../src/templates.js";
import { emulator, tempDir } from "./helpers.js";

let dir: ReturnType<typeof tempDir>;
beforeEach(() => void (dir = tempDir()));
afterEach(() => dir.remove());

const read = (target: string) => readFileSync(join(dir.path, target), "utf8");

describe("firebreak init", () => {
  it("writes the issue form, the workflow, the config, the postmortem template and an example KPI file", () => {
    const io = memoryIo({}, dir.path);
    expect(runInit({}, io)).toBe(0);
    expect(INIT_FILES.map((f) => f.target)).toEqual([
      ".github/ISSUE_TEMPLATE/marketing-incident.yml",
      ".github/workflows/firebreak.yml",
      ".github/firebreak.yml",
      ".github/firebreak/postmortem.md",
      "data/kpi/hourly.csv",
    ]);
    for (const file of INIT_FILES) expect(read(file.target)).toBe(readTemplate(file.template));
    const out = io.stdout.join("\n");
    expect(out).toMatch(/created\s+\.github\/firebreak\.yml/);
    expect(out).toContain("Next steps");
    expect(out).toContain("before the first form is submitted");
  });

  it("refuses to overwrite on a second run: lists what it skipped, exit 1, files untouched", () => {
    expect(runInit({ dir: dir.path }, memoryIo())).toBe(0);
    writeFileSync(join(dir.path, ".github/firebreak.yml"), "max_parallel_interventions: 3\n");
    const io = memoryIo();
    expect(runInit({ dir: dir.path }, io)).toBe(1);
    expect(io.stdout.filter((l) => l.startsWith("skipped"))).toHaveLength(INIT_FILES.length);
    expect(io.stderr.join("\n")).toMatch(/5 file\(s\) already exist.*--force/s);
    expect(read(".github/firebreak.yml")).toBe("max_parallel_interventions: 3\n");
  });

  it("skips only the files that exist, and still writes the others", () => {
    mkdirSync(join(dir.path, ".github"), { recursive: true });
    writeFileSync(join(dir.path, ".github/firebreak.yml"), "# ours\n");
    const io = memoryIo();
    expect(runInit({ dir: dir.path }, io)).toBe(1);
    expect(io.stdout.filter((l) => l.startsWith("skipped"))).toEqual(["skipped    .github/firebreak.yml (exists)"]);
    expect(read(".github/firebreak.yml")).toBe("# ours\n");
    for (const file of INIT_FILES.filter((f) => f.target !== ".github/firebreak.yml")) expect(read(file.target)).toBe(readTemplate(file.template));
  });

  it("overwrites with --force", () => {
    expect(runInit({ dir: dir.path }, memoryIo())).toBe(0);
    writeFileSync(join(dir.path, ".github/firebreak.yml"), "changed: true\n");
    const io = memoryIo();
    expect(runInit({ dir: dir.path, force: true }, io)).toBe(0);
    expect(read(".github/firebreak.yml")).toBe(readTemplate("firebreak.example.yml"));
    expect(io.stdout.filter((l) => l.startsWith("overwrote"))).toHaveLength(INIT_FILES.length);
  });

  it("exits 1 through the CLI when it skipped, 2 when --dir is not a directory", async () => {
    expect(await main(["init", "--dir", dir.path], memoryIo())).toBe(0);
    expect(await main(["init", "--dir", dir.path], memoryIo())).toBe(1);
    const io = memoryIo();
    expect(await main(["init", "--dir", join(dir.path, "nope")], io)).toBe(2);
    expect(io.stderr.join("\n")).toContain("is not a directory");
    expect(existsSync(join(dir.path, "nope"))).toBe(false);
  });
});

describe("templates/firebreak.example.yml", () => {
  const example = readTemplate("firebreak.example.yml");

  it("lists every key at its default: valid, and identical to having no file", () => {
    const parsed = parseConfigYaml(example);
    expect(parsed.errors).toEqual([]);
    const resolved = resolveConfig(parsed.value);
    expect(resolved.errors).toEqual([]);
    expect(resolved.config).toEqual(DEFAULT_CONFIG);
  });

  it("covers every top-level key of the schema (active or in a comment)", () => {
    for (const key of [...Object.keys(DEFAULT_CONFIG), "_extends"]) expect(example).toMatch(new RegExp(`^#? ?${key}:`, "m"));
    for (const key of Object.keys(DEFAULT_CONFIG.tracking_qa)) expect(example).toMatch(new RegExp(`^#\\s+${key}:`, "m"));
  });

  it("has a commented tracking_qa block that is valid once uncommented", () => {
    const lines = example.split("\n");
    const from = lines.findIndex((l) => l.startsWith("# tracking_qa:"));
    const block = lines.slice(from).map((l) => l.replace(/^# ?/, "")).join("\n");
    const resolved = resolveConfig(parseConfigYaml(block).value);
    expect(resolved.errors).toEqual([]);
    expect(resolved.config.tracking_qa.base_url).toBe("https://shop.example.com");
    expect(resolved.config.tracking_qa.steps).toHaveLength(2);
  });
});

describe("firebreak init and the labels", () => {
  it("without a token prints the exact labels command, with the repository from the checkout's origin", async () => {
    mkdirSync(join(dir.path, ".git"));
    writeFileSync(join(dir.path, ".git", "config"), '[core]\n\tbare = false\n[remote "origin"]\n\turl = git@github.com:acme/shop.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n');
    expect(originRepo(dir.path)).toBe("acme/shop");
    const io = memoryIo({}, dir.path);
    expect(await main(["init"], io)).toBe(0);
    const out = io.stdout.join("\n");
    expect(out).toContain("Labels: create them now, before the first form is submitted:");
    expect(out).toContain("GITHUB_TOKEN=… firebreak labels --repo acme/shop --config .github/firebreak.yml");
    expect(out).toContain("firebreak labels --repo acme/shop --config .github/firebreak.yml --dry-run lists them without a token");

    const unknown = memoryIo({}, dir.path);
    writeFileSync(join(dir.path, ".git", "config"), "[core]\n");
    expect(await main(["init", "--force"], unknown)).toBe(0);
    expect(unknown.stdout.join("\n")).toContain("GITHUB_TOKEN=… firebreak labels --repo OWNER/REPO --config .github/firebreak.yml");
  });

  it("with GITHUB_TOKEN and --repo creates the 19 labels right after the files", async () => {
    const world = await emulator();
    try {
      const io = memoryIo(world.env, dir.path);
      expect(await runInitCommand({ repo: "acme/shop" }, io, { throttle: false })).toBe(0);
      expect(world.gh.labels("acme/shop").map((l) => l.name)).toContain("incident");
      expect(world.gh.labels("acme/shop")).toHaveLength(19);
      expect(io.stdout.join("\n")).toContain("acme/shop: created 19, updated 0.");
    } finally {
      await world.stop();
    }
  });
});
