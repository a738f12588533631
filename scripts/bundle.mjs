// Bundles the Action into dist/index.js (ESM: @actions/core 3 and @actions/github 9 are ESM-only).
import { build } from "esbuild";

await build({
  entryPoints: ["src/action/index.ts"],
  outfile: "dist/index.js",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  minify: true,
  legalComments: "linked",
  // The browser stage is opt-in and needs Chromium on the runner; playwright-core is loaded only then.
  external: ["playwright-core"],
  banner: { js: "import { createRequire as __firebreakRequire } from 'node:module'; const require = __firebreakRequire(import.meta.url);" },
  logLevel: "warning",
});
