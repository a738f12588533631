// A real Probot app, authenticating as a GitHub App against the emulator: JWT -> installation
// token -> REST, with webhooks delivered over HTTP to Probot's own middleware.
import { generateKeyPairSync } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createProbot, ProbotOctokit } from "probot";
import { afterEach, expect, it } from "vitest";
import { LocalGitHub } from "../../../src/dev/local-github/index.js";
import { steppingClock } from "./helpers.js";

const SECRET = "probot-secret";
let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

it("runs a Probot app end to end: webhook in, app auth, comment out", async () => {
  const gh = new LocalGitHub({ clock: steppingClock() });
  const { url } = await gh.start();
  cleanup.push(() => gh.stop());
  gh.addRepo("acme/shop");
  gh.addCollaborator("acme/shop", "tess", "triage");

  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
  // configured exactly as `npm start` would be: Probot's standard environment, GHE_* pointing here
  const probot = createProbot({
    env: {
      APP_ID: "1", PRIVATE_KEY: privateKey, WEBHOOK_SECRET: SECRET, LOG_LEVEL: "fatal",
      GHE_HOST: new URL(url).host, GHE_PROTOCOL: "http",
    },
    overrides: { Octokit: ProbotOctokit.defaults({ retry: { enabled: false }, throttle: { enabled: false } }) },
  });
  const seen: string[] = [];
  await probot.load((app) => {
    app.on("issues.opened", async (context) => {
      seen.push(`${context.name}.${context.payload.action}`);
      await context.octokit.rest.issues.createComment(context.issue({ body: `Thanks @${context.payload.issue.user?.login ?? "there"}` }));
    });
  });
  const middleware = await probot.getNodeMiddleware();
  const server: Server = createServer((req, res) => {
    void middleware(req, res, () => res.writeHead(404).end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  gh.setWebhook({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`, secret: SECRET });

  gh.openIssue("acme/shop", "tess", { title: "Checkout conversion collapsed", body: "since 10:00" });
  await gh.idle();

  expect(seen).toEqual(["issues.opened"]);
  // the app's own comment comes back as a webhook too, as on GitHub (apps must ignore their own events)
  expect(gh.deliveries).toMatchObject([{ event: "issues", action: "opened", status: 200 }, { event: "issue_comment", action: "created", status: 200 }]);
  expect(gh.comments("acme/shop", 1)).toMatchObject([{ author: "firebreak[bot]", body: "Thanks @tess" }]);
  const calls = gh.requests.map((r) => `${r.method} ${r.path} ${r.token.kind} ${r.status}`);
  expect(calls).toEqual([
    "POST /app/installations/1/access_tokens app 201",
    "POST /repos/acme/shop/issues/1/comments installation 201",
  ]);

  // a forged signature is rejected by Probot before any handler runs
  gh.setWebhook({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`, secret: "wrong" });
  gh.comment("acme/shop", 1, "tess", "hello");
  await gh.idle();
  expect(gh.deliveries[2]).toMatchObject({ event: "issue_comment", status: 400 });
});
