// The Action's public contract: action.yml matches what the code reads and writes, and the
// workflow users copy asks for the events, permissions and concurrency the spec names.
import { existsSync, readFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ACTION_INPUTS, ACTION_OUTPUTS, actionInputsSchema } from "../../src/action/inputs.js";
import { BUNDLE, ensureBundle, ROOT } from "../support/action-harness.js";

interface ActionYml {
  name: string;
  description: string;
  inputs: Record<string, { description: string; default?: string; required?: boolean }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
}

interface Workflow {
  on: Record<string, { types?: string[]; paths?: string[] } | { cron: string }[] | null>;
  permissions: Record<string, string>;
  concurrency?: unknown;
  jobs: Record<string, { "runs-on": string; concurrency: { group: string; "cancel-in-progress": boolean }; steps: { uses?: string; with?: Record<string, string> }[] }>;
}

const readYaml = <T>(path: string): T => parse(readFileSync(join(ROOT, path), "utf8")) as T;

describe("action.yml", () => {
  const action = readYaml<ActionYml>("action.yml");

  it("runs dist/index.js on node24", () => {
    expect(action.runs).toEqual({ using: "node24", main: "dist/index.js" });
    expect(action.name).toBe("Firebreak");
    expect(action.description.length).toBeGreaterThan(0);
  });

  it("declares exactly the inputs the code parses, with the spec's defaults", () => {
    expect(Object.keys(action.inputs).sort()).toEqual([...ACTION_INPUTS].sort());
    expect(action.inputs["github-token"]?.default).toBe("${{ github.token }}");
    expect(action.inputs["config-path"]?.default).toBe(".github/firebreak.yml");
    for (const [name, input] of Object.entries(action.inputs)) expect(input.description, name).toBeTruthy();
  });

  it("gives each input the same default as the zod schema", () => {
    // github-token's default is an expression only the runner can evaluate; the rest must agree.
    const parsed = actionInputsSchema.parse({ "github-token": "t" });
    for (const name of ACTION_INPUTS.filter((n) => n !== "github-token")) expect(action.inputs[name]?.default, name).toBe(parsed[name]);
  });

  it("declares exactly the outputs the code sets", () => {
    expect(Object.keys(action.outputs).sort()).toEqual([...ACTION_OUTPUTS].sort());
    expect(action.outputs["action-taken"]?.description).toMatch(
      /declared.*routine-variance.*command.*postmortem-opened.*reopened.*qa-passed.*qa-failed.*reconciled.*ignored/,
    );
  });
});

describe("templates/workflows/firebreak.yml", () => {
  const workflow = readYaml<Workflow>("templates/workflows/firebreak.yml");

  it("listens to every event Firebreak handles", () => {
    expect(Object.keys(workflow.on).sort()).toEqual(["deployment_status", "issue_comment", "issues", "push", "release", "schedule", "workflow_dispatch"]);
    // A push runs only when it touched the config: a fix closes the configuration-error issue at once.
    expect(workflow.on.push).toEqual({ paths: [".github/firebreak.yml"] });
    expect(workflow.on.issues).toEqual({ types: ["opened", "edited", "labeled", "unlabeled", "closed", "reopened", "assigned", "unassigned"] });
    expect(workflow.on.issue_comment).toEqual({ types: ["created"] });
    expect(workflow.on.release).toEqual({ types: ["published"] });
    const schedule = workflow.on.schedule as { cron: string }[];
    expect(schedule).toHaveLength(1);
    expect(schedule[0]?.cron).toMatch(/^\S+ \S+ \S+ \S+ \S+$/);
  });

  it("asks for least-privilege permissions, each explained", () => {
    expect(workflow.permissions).toEqual({ issues: "write", contents: "read", checks: "write" });
    const text = readFileSync(join(ROOT, "templates/workflows/firebreak.yml"), "utf8");
    for (const line of text.split("\n").filter((l) => /^\s+(issues|contents|checks): (read|write)/.test(l))) expect(line).toMatch(/ # \S/);
  });

  it("serialises runs per issue and never cancels one in progress", () => {
    // On the job: a run whose job is skipped (a discussion comment) must not cancel a pending one.
    expect(workflow.concurrency).toBeUndefined();
    const job = Object.values(workflow.jobs)[0]!;
    expect(job.concurrency.group).toBe("firebreak-${{ github.event.issue.number || github.run_id }}");
    expect(job.concurrency["cancel-in-progress"]).toBe(false);
  });

  it("uses the Action, without a checkout", () => {
    const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
    expect(steps.map((s) => s.uses)).toEqual(["<your-org>/firebreak@v1"]);
  });
});

describe("dist/index.js", () => {
  beforeAll(() => ensureBundle());

  it("exists and is an ES module that leaves only playwright-core outside", () => {
    expect(existsSync(BUNDLE)).toBe(true);
    const code = readFileSync(BUNDLE, "utf8");
    const imported = [...code.matchAll(/^import .* from ["']([^"']+)["'];?$/gm)].map((m) => m[1] ?? "");
    expect(imported.length).toBeGreaterThan(0);
    expect(imported.filter((name) => !isBuiltin(name))).toEqual([]);
    expect(code).toContain('import("playwright-core")');
  });
});

describe(".github/workflows/release.yml", () => {
  const release = readYaml<{
    on: { push: { tags: string[] } };
    permissions: Record<string, string>;
    jobs: { release: { steps: { name?: string; uses?: string; run?: string }[] } };
  }>(".github/workflows/release.yml");
  const steps = release.jobs.release.steps;
  const order = (pattern: RegExp) => steps.findIndex((s) => pattern.test(s.run ?? ""));

  it("runs on full version tags only, with contents: write and nothing else", () => {
    expect(release.on).toEqual({ push: { tags: ["v[0-9]+.[0-9]+.[0-9]+"] } });
    expect(release.permissions).toEqual({ contents: "write" });
  });

  it("checks dist/ is a clean rebuild, then publishes the release, then moves the major tag", () => {
    const bundle = order(/^npm run bundle$/);
    const ci = order(/git status --porcelain --untracked-files=all -- dist/);
    expect(bundle).toBeGreaterThan(order(/^npm ci/));
    expect(ci).toBeGreaterThan(bundle);
    const publish = order(/gh release create "\$\{GITHUB_REF_NAME\}" --verify-tag/);
    const major = order(/git push --force origin "refs\/tags\/\$\{major\}"/);
    expect(ci).toBeGreaterThan(-1);
    expect(publish).toBeGreaterThan(ci);
    expect(major).toBeGreaterThan(publish);
    expect(order(/does not match package.json version/)).toBeLessThan(bundle);
  });
});
