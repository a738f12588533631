// Vitest global setup for the end-to-end suite: the server runs from build/ exactly as
// `npm start` does, so build/ must match src/. Rebuilds when it is missing or older than any
// source file; a failed build fails the run (never a silent skip on a stale server).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SRC = join(ROOT, "src");
const BUILD = join(ROOT, "build");

function files(dir: string, suffix: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(suffix))
    .map((e) => join(e.parentPath, e.name));
}

/** Why build/ is stale, or undefined when every source file has an output newer than itself. */
export function staleReason(): string | undefined {
  const sources = files(SRC, ".ts").filter((f) => !f.endsWith(".d.ts"));
  if (!existsSync(join(BUILD, "app", "server.js"))) return "build/app/server.js is missing";
  for (const source of sources) {
    const output = join(BUILD, relative(SRC, source)).replace(/\.ts$/, ".js");
    if (!existsSync(output)) return `${relative(ROOT, output)} is missing`;
    if (statSync(output).mtimeMs < statSync(source).mtimeMs) return `${relative(ROOT, source)} is newer than its build`;
  }
  return undefined;
}

export function ensureBuild(): void {
  const reason = staleReason();
  if (reason === undefined) return;
  console.info(`[e2e] npm run build (${reason})`);
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const run = spawnSync(npm, ["run", "build"], { cwd: ROOT, encoding: "utf8", stdio: "pipe" });
  if (run.status !== 0) {
    throw new Error(`npm run build failed (exit ${String(run.status)}):\n${run.stdout}\n${run.stderr}`);
  }
  const still = staleReason();
  if (still !== undefined) throw new Error(`build/ is still stale after npm run build: ${still}`);
}

export function setup(): void {
  ensureBuild();
}

export default setup;
