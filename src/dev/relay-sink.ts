// A local HTTP server standing in for a chat platform's webhook (the demo's relay destination and
// the relay tests'): records each request's body and answers with the statuses it is given, in
// order (then 200).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface Sink {
  url: string;
  bodies: unknown[];
  /** The statuses of the next answers, e.g. [503, 503] then 200s. */
  answer(...statuses: number[]): void;
  /** Answer every request with this status until called with undefined. */
  failWith(status: number | undefined): void;
  close(): Promise<void>;
}

export async function startSink(path = "/hook"): Promise<Sink> {
  const bodies: unknown[] = [];
  const queue: number[] = [];
  let failing: number | undefined;
  const server = createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk: Buffer) => (raw += chunk.toString("utf8")));
    req.on("end", () => {
      bodies.push(req.headers["content-type"]?.startsWith("application/json") ? JSON.parse(raw) : raw);
      const status = queue.shift() ?? failing ?? 200;
      // Slack answers a plain "ok"; the others take any 2xx.
      res.writeHead(status, { "content-type": "text/plain" }).end(status < 300 ? "ok" : "failed");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    bodies,
    answer: (...statuses) => void queue.push(...statuses),
    failWith: (status) => void (failing = status),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
