// `firebreak demo`, in-process: the real App against the built-in local GitHub, every step
// checked by the demo itself; here we check what it prints and writes.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { memoryIo } from "../../src/cli/common.js";
import type { DemoResult } from "../../src/dev/demo-scenario.js";
import { renderFormBody } from "../../src/core/declaration/template.js";
import { runDemo } from "../../src/dev/demo-scenario.js";
import { main } from "../../src/cli/program.js";
import { parseDeclaration } from "../../src/core/declaration/form.js";
import { shippedTemplates } from "../../src/templates.js";
import { tempDir } from "./helpers.js";

let result: DemoResult;
let dir: ReturnType<typeof tempDir>;
beforeAll(async () => {
  dir = tempDir();
  result = await runDemo({ out: join(dir.path, "out") });
}, 60_000);
afterAll(() => dir.remove());

it("plays every step with its expected effect", () => {
  expect(result.steps.filter((s) => !s.ok)).toEqual([]);
  expect(result.ok).toBe(true);
  expect(result.steps).toHaveLength(17);
});

it("prints the incident, the routine variance, the postmortem and the repeat as Markdown", () => {
  const md = result.markdown;
  expect(result.issues.map((i) => i.number)).toEqual([1, 2, 3, 4]);
  expect(md).toContain("## #1 · [Incident] Meta purchases down 70% after theme release");
  expect(md).toContain("labels: `routine-variance`");
  expect(md).toContain("## #3 · Postmortem: [Incident] Meta purchases down 70% after theme release (#1)");
  expect(md).toMatch(/labels: `incident` `sev:2` `layer:conversion` `status:triage` `repeat`/);
  expect(md).toContain("Reopened: this postmortem is not complete yet.");
  expect(md).toContain("🏁 Closed — postmortem complete");
  expect(md).toContain("3 interventions are active at once");
  expect(md).toContain("only people with triage permission");
  expect(md).toMatch(/## Summary\n\n- all 17 steps had the expected effect/);
  expect(md).toMatch(/API calls the App made: \d+/);
});

it("relays the incidents to a local Slack stand-in and ends with the report", () => {
  const md = result.markdown;
  expect(md).toMatch(/## Relayed to Slack \(a local stand-in for the incoming webhook\): \d+ message\(s\)\n\n- SEV2 incident declared: #1 \[Incident\] Meta purchases down 70% after theme release/);
  expect(md).toContain("- Postmortem complete: #1 [Incident] Meta purchases down 70% after theme release");
  expect(md).toMatch(/## Firebreak report \d{4}-\d{2}-\d{2} → \d{4}-\d{2}-\d{2}\n\n\*\*2 incident\(s\)\*\* · 1 routine variance/);
  expect(md.trimEnd()).toMatch(/- Process fix not yet linked \(postmortem complete\): .*$/);
});

it("--out writes one Markdown file per issue and a README", () => {
  const out = join(dir.path, "out");
  for (const n of [1, 2, 3, 4]) expect(existsSync(join(out, `issue-${n}.md`))).toBe(true);
  expect(readFileSync(join(out, "issue-3.md"), "utf8")).toContain("### Closing checklist");
  expect(readFileSync(join(out, "README.md"), "utf8")).toContain("## Playback");
});

it("fills the form as GitHub renders a submission, which the parser reads back", () => {
  const body = renderFormBody({ symptom: "CPM up", scope: ["Meta", "TikTok"], severity: "SEV3", threshold: ["It changes near-term decisions"], outcomes: "No" }, shippedTemplates().form);
  expect(body).toContain("### Which channels are hit?\n\nMeta, TikTok");
  expect(body).toContain("- [X] It changes near-term decisions");
  expect(body).toContain("_No response_");
  const d = parseDeclaration(body, shippedTemplates().form, shippedTemplates().form);
  expect(d).toMatchObject({ symptom: "CPM up", scope: ["Meta", "TikTok"], severity: 3, outcomes: "reporting-only", threshold: ["It changes near-term decisions"] });
});

it("runs through the CLI with exit 0", async () => {
  const io = memoryIo({}, dir.path);
  expect(await main(["demo"], io)).toBe(0);
  expect(io.stdout.join("\n")).toContain("Postmortem");
  expect(io.stdout.join("\n")).toContain("`repeat`");
}, 60_000);

it("is deterministic: a second run writes the same files byte for byte, with no local port in any link", async () => {
  const again = await runDemo({ out: join(dir.path, "again") });
  expect(again.files.length).toBe(result.files.length);
  for (const file of result.files) {
    const name = file.split(/[\\/]/).at(-1)!;
    const first = readFileSync(file, "utf8");
    expect(readFileSync(join(dir.path, "again", name), "utf8"), name).toBe(first);
    expect(first, name).not.toMatch(/127\.0\.0\.1|localhost:\d+|wall-clock/);
  }
  expect(result.markdown).toContain("https://github.com/acme/shop/releases/tag/v4.2.0");
}, 60_000);
