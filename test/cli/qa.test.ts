// `firebreak qa` against the loopback fixture shop: exit 0 when every check passes, 1 when any
// fails, 2 when there is nothing valid to check.
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { memoryIo } from "../../src/cli/common.js";
import { main } from "../../src/cli/program.js";
import type { FixtureSite } from "../../src/dev/fixture-site.js";
import { chromiumPath } from "../../src/tracking-qa/browser.js";
import { FIXTURE_IDS, FIXTURE_PAGES, startFixtureSite } from "../../src/dev/fixture-site.js";
import { tempDir } from "./helpers.js";

let site: FixtureSite;
let dir: ReturnType<typeof tempDir>;
beforeAll(async () => void (site = await startFixtureSite()));
afterAll(() => site.close());
beforeEach(() => void (dir = tempDir()));
afterEach(() => dir.remove());

function config(steps: string, extra = ""): string {
  const path = join(dir.path, "firebreak.yml");
  writeFileSync(
    path,
    `tracking_qa:\n  base_url: ${site.url}\n  ids:\n    meta_pixel: "${FIXTURE_IDS.meta_pixel}"\n    ga4: ${FIXTURE_IDS.ga4}\n    gtm: ${FIXTURE_IDS.gtm}\n    tiktok: ${FIXTURE_IDS.tiktok}\n  timeout_ms: 3000\n  steps:\n${steps}${extra}`,
  );
  return path;
}

async function qa(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIo({}, dir.path);
  const code = await main(["qa", ...args], io);
  return { code, out: io.stdout.join("\n"), err: io.stderr.join("\n") };
}

const HOME = `    - path: ${FIXTURE_PAGES.correct}\n      expect: [meta_pixel, ga4, gtm, tiktok, consent]\n`;

it("exits 0 and prints the step × expectation table when every check passes", async () => {
  const { code, out } = await qa(["--config", config(HOME), "--format", "markdown"]);
  expect(code).toBe(0);
  expect(out).toContain("| Step | Expectation | Result | Seen |");
  expect(out).toMatch(/\| `\/` \(HTTP 200\) \| `meta_pixel` \| ✅ ok \|/);
  expect(out).toMatch(/^passed: 1 page, 5 checks, 0 failed/m);
});

it("exits 1 when a page misses a tag or carries the wrong id; plain text for terminals", async () => {
  const steps = `${HOME}    - path: ${FIXTURE_PAGES.missingPixel}\n      expect: [meta_pixel, ga4]\n    - path: ${FIXTURE_PAGES.wrongMeta}\n      expect: [meta_pixel]\n`;
  const { code, out } = await qa(["--config", config(steps), "--format", "text"]);
  expect(code).toBe(1);
  expect(out).toMatch(/^STEP\s+EXPECTATION\s+RESULT\s+SEEN/m);
  expect(out).toMatch(/\/missing-pixel \(200\)\s+meta_pixel\s+missing/);
  expect(out).toMatch(/\/wrong-meta \(200\)\s+meta_pixel\s+wrong-id/);
  expect(out).toMatch(/^FAILED: 3 pages, 8 checks, 2 failed/m);
});

it("exits 1 on a page that errors (5xx), and --json gives the report", async () => {
  const { code, out } = await qa(["--config", config(`    - path: ${FIXTURE_PAGES.serverError}\n      expect: [ga4]\n`), "--json"]);
  expect(code).toBe(1);
  const report = JSON.parse(out) as { summary: { passed: boolean; failures: { status: string }[] } };
  expect(report.summary.passed).toBe(false);
  expect(report.summary.failures[0]?.status).toBe("error");
});

it("reports tag:event checks as needing the browser, not as failures, in a static run", async () => {
  const { code, out } = await qa(["--config", config(`    - path: ${FIXTURE_PAGES.checkout}\n      expect: [meta_pixel:InitiateCheckout]\n`), "--format", "markdown"]);
  expect(code).toBe(0);
  expect(out).toContain("needs-browser");
});

it("exits 2 when tracking QA is not configured, the config is invalid, or usage is wrong", async () => {
  const empty = join(dir.path, "empty.yml");
  writeFileSync(empty, "max_parallel_interventions: 2\n");
  const off = await qa(["--config", empty]);
  expect(off.code).toBe(2);
  expect(off.err).toContain("set tracking_qa.base_url and tracking_qa.steps");

  const invalid = await qa(["--config", config(`    - path: /\n      expect: [no_such_tag]\n`)]);
  expect(invalid.code).toBe(2);
  expect(invalid.err).toContain("unknown tag");

  expect((await qa(["--config", join(dir.path, "missing.yml")])).code).toBe(2);
  expect((await qa([])).code).toBe(2); // no .github/firebreak.yml in the temp dir
  expect((await qa(["--config", config(HOME), "--repo", "acme/shop"])).code).toBe(2);
  expect((await qa(["--config", config(HOME), "--format", "html"])).code).toBe(2);
});

it("--base-url checks another host with the same steps", async () => {
  const { code, out } = await qa(["--config", config(HOME), "--base-url", "http://127.0.0.1:9/", "--format", "text"]);
  expect(code).toBe(1);
  expect(out).toMatch(/error/);
});

it.runIf(existsSync(chromiumPath()))("--browser adds the headless-browser stage: tag:event checks pass on the checkout", async () => {
  const steps = `    - path: ${FIXTURE_PAGES.checkout}\n      expect: [meta_pixel:InitiateCheckout, ga4:begin_checkout]\n`;
  const { code, out } = await qa(["--config", config(steps), "--browser", "--format", "markdown"]);
  expect(code, out).toBe(0);
  expect(out).toMatch(/stages: static \+ browser/);
  expect(out).not.toContain("needs-browser");
}, 60_000);

it("--browser without a browser keeps the static results, reports the stage unavailable with the fix, exit 2", async () => {
  const steps = `${HOME}    - path: /does-not-exist\n      expect: [ga4]\n    - path: ${FIXTURE_PAGES.checkout}\n      expect: [meta_pixel:InitiateCheckout]\n`;
  const io = memoryIo({ FIREBREAK_CHROMIUM: "/nonexistent/chromium" }, dir.path);
  const code = await main(["qa", "--config", config(steps), "--browser", "--format", "text"], io);
  const out = io.stdout.join("\n");
  const err = io.stderr.join("\n");
  expect(code).toBe(2);
  expect(out).toMatch(/^\/ \(200\)\s+meta_pixel\s+ok/m); // static passes stand
  expect(out).toMatch(/\/does-not-exist \(404\)\s+ga4\s+error/); // and so does the 404
  expect(out).toMatch(/needs-browser/);
  expect(out).not.toContain("browser stage failed");
  expect(out).toMatch(/stages: static ·/);
  // The fix in full, on its own line: nothing cut off.
  expect(err).toContain("browser stage: unavailable — Chromium not found at /nonexistent/chromium: install it with `apt-get install -y chromium`, or set FIREBREAK_CHROMIUM to its path");
});

it("the plain table never cuts the last column (reasons and fixes)", async () => {
  const { plainQaTable } = await import("../../src/cli/qa.js");
  const long = `x${"y".repeat(180)}z`;
  const table = plainQaTable([{ path: "/", httpStatus: 500, expectations: [{ expectation: "ga4", status: "error", seen: long }] } as never]);
  expect(table).toContain(long);
});

it("a config error outside tracking_qa is exit 2 too, each key named, nothing fetched", async () => {
  const { code, err, out } = await qa(["--config", config(HOME, "max_parallel_interventions: 99\nlabels: 3\n")]);
  expect(code).toBe(2);
  expect(out).toBe("");
  expect(err).toMatch(/^ {2}max_parallel_interventions: Too big/m);
  expect(err).toMatch(/^ {2}labels: /m);
});
