// The browser stage's filtering forward proxy (SPEC §13): when private addresses are not
// allowed, Chromium sends every request — navigations, redirects, sub-resources, workers,
// WebSockets — through this proxy on 127.0.0.1, which resolves the host itself, judges the
// address with the guard, and connects to that same address (no second lookup to rebind).
// Playwright routes loopback through a context proxy too (`<-loopback>`), so `localhost`,
// `*.localhost` and `127.0.0.1` are refused here like any private host.
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { connect as netConnect, type AddressInfo, type Socket } from "node:net";
import { resolvePublic, type GuardOptions } from "./address-guard.js";

export interface GuardProxy {
  /** `http://127.0.0.1:port` for Playwright's `proxy.server`. */
  url: string;
  /** Hosts refused so far (host → reason), for the observation's failed requests. */
  refused: Map<string, string>;
  close(): Promise<void>;
}

function splitHostPort(authority: string, defaultPort: number): { host: string; port: number } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(authority) ?? /^([^:]+)(?::(\d+))?$/.exec(authority);
  return { host: m?.[1] ?? authority, port: m?.[2] ? Number(m[2]) : defaultPort };
}

export async function startGuardProxy(guard: GuardOptions = {}): Promise<GuardProxy> {
  const refused = new Map<string, string>();
  const sockets = new Set<Socket>();
  const judge = async (host: string): Promise<string | undefined> => {
    try {
      const [first] = await resolvePublic(host, guard);
      return first?.address;
    } catch (error) {
      if (refused.size < 100) refused.set(host, error instanceof Error ? error.message : String(error));
      return undefined;
    }
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let target: URL;
    try {
      target = new URL(req.url ?? "");
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (target.protocol !== "http:") {
      res.writeHead(400).end();
      return;
    }
    const host = target.hostname.replace(/^\[|\]$/g, "");
    void judge(host).then((address) => {
      if (address === undefined) {
        res.writeHead(403, { "content-type": "text/plain" }).end("refused by Firebreak's address guard");
        return;
      }
      const headers = { ...req.headers };
      delete headers["proxy-connection"];
      const upstream = httpRequest({ host: address, port: target.port || 80, method: req.method, path: `${target.pathname}${target.search}`, headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on("error", () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      req.pipe(upstream);
    });
  });

  server.on("connect", (req: IncomingMessage, client: Socket, head: Buffer) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => client.destroy());
    const { host, port } = splitHostPort(req.url ?? "", 443);
    void judge(host).then((address) => {
      if (address === undefined) {
        client.end("HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n");
        return;
      }
      const upstream = netConnect({ host: address, port }, () => {
        client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        if (head.length > 0) upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      sockets.add(upstream);
      upstream.on("close", () => sockets.delete(upstream));
      upstream.on("error", () => client.destroy());
    });
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    refused,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
