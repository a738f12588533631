// Writes the sample payloads `firebreak simulate --example NAME` ships (examples/payloads/).
// Source: @octokit/webhooks-examples (api.github.com/index.json) — the real shapes GitHub
// sends — with the fields a marketing incident needs changed: the issue body is a submitted
// Firebreak form (test/fixtures/forms/full-form/issue.md), the labels are the form's, the
// timestamps are fixed, `installation` is dropped. The examples have no issues.closed: it is
// derived from issues.opened. Run: node scripts/write-examples.mjs
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const index = require("@octokit/webhooks-examples/api.github.com/index.json");
const { version } = require("@octokit/webhooks-examples/package.json");
/* global URL, structuredClone */
const form = readFileSync(new URL("../test/fixtures/forms/full-form/issue.md", import.meta.url), "utf8");
const out = new URL("../examples/payloads/", import.meta.url);

function example(name, action) {
  const found = index.find((e) => e.name === name)?.examples.find((e) => e.action === action);
  if (!found) throw new Error(`no example ${name}.${action}`);
  const copy = structuredClone(found);
  delete copy.installation;
  return copy;
}

function incidentIssue(issue, { labels = ["incident"], closed = false } = {}) {
  return {
    ...issue,
    title: "Meta purchases down 70% since 09:00",
    body: form,
    labels: labels.map((name, i) => ({ id: 1000 + i, node_id: `L${i}`, url: "", name, color: "ededed", default: false, description: null })),
    state: closed ? "closed" : "open",
    state_reason: closed ? "completed" : null,
    created_at: "2026-11-24T09:20:00Z",
    updated_at: closed ? "2026-11-24T15:00:00Z" : "2026-11-24T09:20:00Z",
    closed_at: closed ? "2026-11-24T15:00:00Z" : null,
    assignee: null,
    assignees: [],
  };
}

const payloads = {};
{
  const p = example("issues", "opened");
  p.issue = incidentIssue(p.issue);
  payloads["issues.opened"] = p;
}
{
  // A repository whose labels did not exist yet: GitHub dropped the form's `incident` label.
  const p = example("issues", "opened");
  p.issue = incidentIssue(p.issue, { labels: [] });
  payloads["issues.opened-unlabelled"] = p;
}
{
  const p = example("issues", "opened");
  p.action = "closed";
  p.issue = incidentIssue(p.issue, { closed: true });
  payloads["issues.closed"] = p;
}
{
  const p = example("issue_comment", "created");
  p.issue = incidentIssue(p.issue);
  p.comment = { ...p.comment, id: 5001, body: "/severity 1\n/owner @Codertocat", created_at: "2026-11-24T09:31:00Z", updated_at: "2026-11-24T09:31:00Z" };
  payloads["issue_comment.created"] = p;
}
{
  const p = example("release", "published");
  payloads["release.published"] = p;
}

for (const [name, payload] of Object.entries(payloads)) {
  writeFileSync(new URL(`${name}.json`, out), `${JSON.stringify(payload, null, 2)}\n`);
}
writeFileSync(
  new URL("README.md", out),
  `# Sample webhook payloads

\`firebreak simulate --example NAME\` (or \`--event EVENT --payload examples/payloads/NAME.json\`).

| file | event |
|---|---|
${Object.keys(payloads).map((n) => `| \`${n}.json\` | \`${n.split(".")[0]}\` (${n.split(".")[1]}) |`).join("\n")}

Source: [\`@octokit/webhooks-examples\`](https://github.com/octokit/webhooks) ${version}
(\`api.github.com/index.json\`), the payloads GitHub sends, with the fields an incident needs
changed: the issue body is a submitted Firebreak form, the labels are the form's (none in
\`issues.opened-unlabelled\`, as GitHub leaves a form whose labels did not exist yet), the
timestamps are fixed and \`installation\` is dropped. \`issues.closed\` is derived from
\`issues.opened\` (the examples have none). Regenerate with \`node scripts/write-examples.mjs\`.
`,
);
