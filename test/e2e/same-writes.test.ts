// One core, two faces: the same events make the same GitHub writes whether Firebreak runs as
// the App (Probot) or as the bundled Action (`node dist/index.js`). Each face gets its own
// fresh emulated GitHub with the same people, clock and events; a recording proxy in front of
// each keeps every request with its body. The Action may read more (it reads the issue anew
// in every run, and has no cache between runs); its writes must be the App's, one for one.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { memoryIo } from "../../src/cli/common.js";
import { simulate } from "../../src/cli/simulate.js";
import { Probot } from "probot";
import { parseBody } from "../../src/core/card.js";
import { DEFAULT_CONFIG } from "../../src/core/config.js";
import { labelStyles } from "../../src/core/model/labels.js";
import { firebreakApp } from "../../src/app/index.js";
import { LocalGitHub } from "../../src/dev/local-github/index.js";
import { actionCheckout, DeliveryCapture, RecordingProxy, runAction } from "../support/action-harness.js";
import { FULL_FORM } from "../support/payloads.js";
import { QuietOctokit } from "../support/probot.js";
import { steppingClock } from "../dev/local-github/helpers.js";

const REPO = "acme/shop";

interface Face {
  /** Handles one event as this face would on GitHub. */
  handle(name: string, payload: unknown): Promise<void>;
}

interface World {
  gh: LocalGitHub;
  capture: DeliveryCapture;
  proxy: RecordingProxy;
  proxyUrl: string;
  stop(): Promise<void>;
}

async function world(): Promise<World> {
  const gh = new LocalGitHub({ clock: steppingClock("2026-11-24T09:30:00Z") });
  await gh.start();
  const capture = new DeliveryCapture();
  gh.setWebhook({ url: await capture.start(), secret: "unused" });
  gh.addRepo(REPO);
  gh.addCollaborator(REPO, "tess", "triage");
  gh.addCollaborator(REPO, "wren", "write");
  for (const style of labelStyles(DEFAULT_CONFIG)) gh.createLabel(REPO, style.name, style.color, style.description);
  const proxy = new RecordingProxy(gh.url);
  const proxyUrl = await proxy.start();
  return {
    gh,
    capture,
    proxy,
    proxyUrl,
    stop: async () => {
      await proxy.stop();
      await gh.stop();
      await capture.stop();
    },
  };
}

function appFace(w: World): Face {
  const probot = new Probot({
    githubToken: w.gh.appToken,
    baseUrl: w.proxyUrl,
    // Retries and throttling off, as in Probot's testing docs: they change timing, never bodies.
    Octokit: QuietOctokit,
  });
  const app = firebreakApp({ appSlug: "firebreak" });
  probot.load(app);
  let delivery = 0;
  return {
    async handle(name, payload) {
      await probot.receive({ id: `delivery-${++delivery}`, name, payload } as Parameters<Probot["receive"]>[0]);
      await app.idle();
    },
  };
}

function actionFace(w: World, main: string): Face {
  let runId = 100;
  return {
    async handle(name, payload) {
      const result = await runAction({ main, apiUrl: w.proxyUrl, repository: REPO, eventName: name, payload, token: w.gh.appToken, botLogin: "firebreak[bot]", runId: ++runId });
      if (result.code !== 0) throw new Error(`the Action failed on ${name}: ${result.stdout}${result.stderr}`);
    },
  };
}

/** The scenario, acted out by people on GitHub; the face answers each event as it arrives. */
async function scenario(w: World, face: Face): Promise<void> {
  const deliver = async (event: string, action: string) => {
    await w.gh.idle();
    await face.handle(event, w.capture.last(event, action));
  };
  w.gh.openIssue(REPO, "tess", { title: "Meta purchases down 70% since 09:00", body: FULL_FORM, labels: ["incident"] });
  await deliver("issues", "opened");
  await deliver("issues", "labeled");
  w.gh.comment(REPO, 1, "tess", "/owner @wren");
  await deliver("issue_comment", "created");
  w.gh.comment(REPO, 1, "wren", "/update\nsymptom: Meta purchases still down 70%\nnext: compare the pixel with the CAPI events");
  await deliver("issue_comment", "created");
  // Closed without a recorded cause: the gate reopens it and says what to record.
  w.gh.closeIssue(REPO, 1, "wren");
  await deliver("issues", "closed");
}

/** Writes as comparable data: ids and the emulator's address differ between the two worlds. */
function writes(w: World): { method: string; path: string; body: unknown }[] {
  const comments = new Map(w.gh.comments(REPO, 1).map((c, i) => [String(c.id), `comment-${i + 1}`]));
  const norm = (text: string) => text.replaceAll(w.gh.url, "<github>").replaceAll(w.proxyUrl, "<github>").replace(/\/comments\/(\d+)\//, (_m, id: string) => `/comments/${comments.get(id) ?? id}/`);
  return w.proxy.requests
    // GraphQL is only read (who last edited a body, SPEC §13): a cold Action asks, a warm App remembers.
    .filter((r) => r.method !== "GET" && !r.path.endsWith("/graphql"))
    .map((r) => {
      const body = r.body as Record<string, unknown> | undefined;
      // The card's state is compressed; compare it decoded, with the comment ids it records named.
      const card = typeof body?.body === "string" ? parseBody(body.body) : undefined;
      const state = card?.state ? { ...card.state, applied: card.state.applied.map((id) => comments.get(String(id)) ?? id) } : undefined;
      const shown = card?.hasCard ? { ...body, body: undefined, card: state, text: norm(String(body?.body).replace(/<!-- firebreak:state:v1 [^>]*-->/, "")) } : body;
      return { method: r.method, path: norm(r.path), body: shown };
    });
}

let checkout: ReturnType<typeof actionCheckout>;
beforeAll(() => {
  checkout = actionCheckout();
});
afterAll(() => checkout.cleanup());

it("makes the same writes as the App and as the Action", async () => {
  const appWorld = await world();
  const actionWorld = await world();
  try {
    await scenario(appWorld, appFace(appWorld));
    await scenario(actionWorld, actionFace(actionWorld, checkout.main));
    const app = writes(appWorld);
    const action = writes(actionWorld);
    expect(action).toEqual(app);
    // Sanity: the scenario did write what it is about.
    expect(app.map((w) => `${w.method} ${w.path}`)).toEqual([
      `PATCH /repos/${REPO}/issues/1`, // declared (the form's labeled event then writes nothing)
      // Replies go before the card (keyed, so a crash after it leaves nothing unanswered); the
      // card goes before the acknowledgement, which the next event repeats if it never came.
      `PATCH /repos/${REPO}/issues/1`, // /owner: card, assignee, status
      `POST /repos/${REPO}/issues/comments/comment-1/reactions`,
      `POST /repos/${REPO}/issues/1/comments`, // /update naming the fields it still lacks
      `PATCH /repos/${REPO}/issues/1`, // /update
      `POST /repos/${REPO}/issues/comments/comment-2/reactions`,
      `POST /repos/${REPO}/issues/1/comments`, // closed without a cause: saying what to record
      `PATCH /repos/${REPO}/issues/1`, // ... and reopened
    ]);
    // And the two issues ended up the same.
    const [a, b] = [appWorld.gh.issue(REPO, 1)!, actionWorld.gh.issue(REPO, 1)!];
    expect({ ...b, body: undefined, id: undefined }).toEqual({ ...a, body: undefined, id: undefined });
    expect(parseBody(b.body).userText).toBe(parseBody(a.body).userText);
  } finally {
    await appWorld.stop();
    await actionWorld.stop();
  }
}, 120_000);

it("simulate plans exactly the App's writes, event by event: one dispatcher for both", async () => {
  const w = await world();
  const dir = mkdtempSync(join(tmpdir(), "firebreak-sim-"));
  try {
    const app = appFace(w);
    const io = memoryIo({}, dir);
    let step = 0;
    const compare = async (event: string, action: string) => {
      await w.gh.idle();
      const payload = w.capture.last(event, action);
      // The log and the issue as GitHub lists them at this moment: what the App reads too.
      const listed = await fetch(`${w.gh.url}/repos/${REPO}/issues/1/comments`, { headers: { authorization: `token ${w.gh.appToken}` } });
      const files = { payload: join(dir, `payload-${++step}.json`), comments: join(dir, `comments-${step}.json`), body: join(dir, `body-${step}.md`) };
      writeFileSync(files.payload, JSON.stringify(payload));
      writeFileSync(files.comments, await listed.text());
      writeFileSync(files.body, w.gh.issue(REPO, 1)!.body ?? "");
      const sim = await simulate({ event, payload: files.payload, comments: files.comments, issueBody: files.body, permitted: ["tess", "wren"] }, io);
      const before = w.proxy.requests.length;
      await app.handle(event, payload);
      const real = w.proxy.requests.slice(before).filter((r) => r.method !== "GET");
      expect(sim.writes.map((s) => ({ method: s.method, path: s.path, body: s.body })), `${event}.${action}`).toEqual(real.map((r) => ({ method: r.method, path: r.path, body: r.body })));
      return real.length;
    };
    w.gh.openIssue(REPO, "tess", { title: "Meta purchases down 70% since 09:00", body: FULL_FORM, labels: ["incident"] });
    expect(await compare("issues", "opened")).toBe(1);
    expect(await compare("issues", "labeled")).toBe(0);
    w.gh.comment(REPO, 1, "tess", "/owner @wren");
    expect(await compare("issue_comment", "created")).toBe(2);
    w.gh.comment(REPO, 1, "wren", "/update\nsymptom: Meta purchases still down 70%\nnext: compare the pixel with the CAPI events");
    expect(await compare("issue_comment", "created")).toBe(3);
    w.gh.closeIssue(REPO, 1, "wren");
    expect(await compare("issues", "closed")).toBe(2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await w.stop();
  }
}, 60_000);
