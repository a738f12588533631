// Bundles the Action into dist/index.js (ESM: @actions/core 3 and @actions/github 9 are ESM-only).
// CI rebuilds and fails when dist/ differs, so the output depends on the sources and the lockfile
// only: a fixed working directory (paths in comments are relative to it), no timestamps, and
// dist/ made to hold exactly this build's files. Files whose bytes do not change are not touched,
// and changed ones are replaced by rename, so a run that reads dist/ meanwhile never sees half a file.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";

const root = join(import.meta.dirname, "..");
const dist = join(root, "dist");

const result = await build({
  absWorkingDir: root,
  entryPoints: ["src/action/index.ts"],
  outfile: "dist/index.js",
  write: false,
  bundle: true,
  platform: "node",
  format: "esm",
  // The Action runs on node24; node22 (package.json `engines`) keeps the bundle runnable on the
  // project's minimum too, e.g. `node dist/index.js` on a developer's machine.
  target: "node22",
  // Unminified: stack traces in Action logs name real functions and a reviewer can read what
  // runs. Minifying would save ~1 MB on disk (~100 KB gzipped) and no measurable start-up time
  // (scripts/cold-start.mjs).
  minify: false,
  // Licences of the bundled packages go beside the bundle rather than through it.
  legalComments: "linked",
  // The browser stage is opt-in and needs Chromium on the runner; playwright-core is imported
  // lazily by that stage only (src/tracking-qa/browser.ts), so the Action starts without node_modules.
  external: ["playwright-core"],
  // Bundled CommonJS packages call require() for Node built-ins; ESM has no require of its own.
  banner: { js: "import { createRequire as __firebreakRequire } from 'node:module'; const require = __firebreakRequire(import.meta.url);" },
  logLevel: "warning",
});

mkdirSync(dist, { recursive: true });
const wanted = new Map(result.outputFiles.map((file) => [file.path, file.contents]));
for (const name of readdirSync(dist)) {
  if (!wanted.has(join(dist, name))) rmSync(join(dist, name), { recursive: true, force: true });
}
for (const [path, contents] of wanted) {
  if (existsSync(path) && readFileSync(path).equals(contents)) continue;
  writeFileSync(`${path}.tmp`, contents);
  renameSync(`${path}.tmp`, path);
}
