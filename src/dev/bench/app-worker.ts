// The App under test, in its own thread: its CPU is its own, as in production where GitHub is
// not in the App's process. The parent (emulator + load) asks it when it is idle and to stop.
import { parentPort, workerData } from "node:worker_threads";
import type { Probot } from "probot";
import { firebreakApp } from "../../app/index.js";
import { startAppServer } from "../harness.js";

export interface AppWorkerData {
  kind: "firebreak" | "bare";
  baseUrl: string;
  throttle: boolean;
}

export type AppWorkerMessage = { type: "ready"; webhookUrl: string; secret: string } | { type: "idle"; id: number } | { type: "stopped" };

/** The baseline: one API call per event, answered after it. */
function bareApp(app: Probot): void {
  app.on("issue_comment.created", async (context) => {
    if (context.isBot) return;
    await context.octokit.rest.issues.createComment(context.issue({ body: "ack" }));
  });
}

const data = workerData as AppWorkerData;
const port = parentPort;
if (port) {
  const fire = firebreakApp({ appSlug: "firebreak" });
  const idle = () => (data.kind === "firebreak" ? fire.idle() : Promise.resolve());
  const server = await startAppServer({ appFn: data.kind === "firebreak" ? fire : bareApp, baseUrl: data.baseUrl, throttle: data.throttle });
  port.on("message", (message: { type: "idle" | "stop"; id: number }) => {
    void (async () => {
      await idle();
      if (message.type === "idle") return port.postMessage({ type: "idle", id: message.id } satisfies AppWorkerMessage);
      await server.stop();
      port.postMessage({ type: "stopped" } satisfies AppWorkerMessage);
      port.close();
    })();
  });
  port.postMessage({ type: "ready", webhookUrl: server.webhookUrl, secret: server.secret } satisfies AppWorkerMessage);
}
