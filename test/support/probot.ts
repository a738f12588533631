// A real Probot instance with Firebreak loaded, talking to nock instead of GitHub. Retries
// and throttling are off (Probot's testing docs do the same) so tests measure logic, not sleeps.
import { Probot, ProbotOctokit } from "probot";
import type { FirebreakApp, FirebreakAppOptions } from "../../src/app/index.js";
import { firebreakApp } from "../../src/app/index.js";

export interface TestApp {
  probot: Probot;
  app: FirebreakApp;
  receive(name: string, payload: unknown): Promise<void>;
}

/** Probot's Octokit with retries and throttling off. A function, not an object: Probot layers its own throttle options over object defaults. */
export const QuietOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  retry: { enabled: false },
  throttle: { ...(options.throttle as object), enabled: false },
}));

/** A real Probot with Firebreak loaded; `github` points it at a local GitHub instead of nock. */
export function testApp(options: FirebreakAppOptions = {}, github?: { token: string; baseUrl: string }): TestApp {
  const probot = new Probot({
    githubToken: github?.token ?? "test-token",
    ...(github ? { baseUrl: github.baseUrl } : {}),
    Octokit: QuietOctokit,
    log: undefined,
  });
  const app = firebreakApp({ appSlug: "firebreak", ...options });
  probot.load(app);
  let delivery = 0;
  return {
    probot,
    app,
    async receive(name, payload) {
      delivery += 1;
      await probot.receive({ id: `delivery-${delivery}`, name, payload } as Parameters<Probot["receive"]>[0]);
      await app.idle();
    },
  };
}
