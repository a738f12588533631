// SSRF (SPEC §13): with allowPrivate false (the hosted App) tracking QA never connects to a
// private address — checked at connect time on the address actually used, so a redirect, a
// rebinding name, an IPv4-mapped literal or a browser sub-request to loopback is refused; with
// allowPrivate true the same pages load as before.
//
// Two loopback servers: the "site" on 127.0.0.1 (which the tests' guard treats as public, the
// way a real shop's address would be) and the "internal" service on 127.0.0.2 (private). Names
// resolve through an injected lookup.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trackingQaSchema } from "../../src/core/tracking-qa/config.js";
import { addressRange, guardedFetch, type HostLookup } from "../../src/tracking-qa/address-guard.js";
import { launchChromium } from "../../src/tracking-qa/browser.js";
import { runTrackingQa } from "../../src/tracking-qa/run.js";

interface TestServer {
  port: number;
  hits: string[];
  close(): Promise<void>;
}

async function serve(host: string, handler: (req: IncomingMessage) => { status: number; headers?: Record<string, string>; body?: string }): Promise<TestServer> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(`${req.headers.host ?? ""}${req.url ?? ""}`);
    const answer = handler(req);
    res.writeHead(answer.status, { "content-type": "text/html", ...answer.headers });
    res.end(answer.body ?? "");
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return { port: (server.address() as AddressInfo).port, hits, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

let site: TestServer;
let internal: TestServer;
let browser: Browser;

const PAGE = (internalPort: number) =>
  `<!doctype html><html><head><title>shop</title>
  <script src="http://internal.test:${internalPort}/sub.js"></script>
  <script src="http://app.localhost:${internalPort}/local.js"></script>
  </head><body><img src="http://127.0.0.2:${internalPort}/literal.gif"><img src="http://[::ffff:7f00:2]:${internalPort}/mapped.gif"></body></html>`;

const lookup: HostLookup = async (host) => {
  if (host === "shop.test") return [{ address: "127.0.0.1" }];
  if (host === "internal.test") return [{ address: "127.0.0.2" }];
  throw new Error(`ENOTFOUND ${host}`);
};
/** 127.0.0.1 stands in for a public shop; everything else is judged as in production. */
const rangeOf = (address: string) => (address === "127.0.0.1" ? "unicast" : addressRange(address));

beforeAll(async () => {
  internal = await serve("127.0.0.2", () => ({ status: 200, body: "secret" }));
  site = await serve("127.0.0.1", (req) => {
    if (req.url === "/redirect") return { status: 302, headers: { location: `http://internal.test:${internal.port}/admin` } };
    if (req.url === "/redirect-literal") return { status: 302, headers: { location: `http://127.0.0.2:${internal.port}/admin` } };
    return { status: 200, body: PAGE(internal.port) };
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await internal?.close();
});

const qaConfig = (base: string, paths: string[], browserStage = false) =>
  trackingQaSchema.parse({ base_url: base, steps: paths.map((path) => ({ path, expect: ["ga4"] })), timeout_ms: 4000, browser: browserStage });

describe("SSRF via redirect", () => {
  it("SSRF redirect to a loopback URL: refused at connect time with allowPrivate false", async () => {
    internal.hits.length = 0;
    const report = await runTrackingQa(qaConfig(`http://shop.test:${site.port}`, ["/redirect", "/redirect-literal"]), { allowPrivate: false, lookup, rangeOf });
    expect(report.refused).toBeUndefined(); // the step host itself is "public"
    expect(internal.hits).toEqual([]);
    for (const step of report.steps) expect(JSON.stringify(step)).toMatch(/refused|fetch failed/);
  });

  it("SSRF redirect to a loopback URL: followed with allowPrivate true", async () => {
    internal.hits.length = 0;
    await runTrackingQa(qaConfig(`http://127.0.0.1:${site.port}`, ["/redirect-literal"]), { allowPrivate: true });
    expect(internal.hits).toEqual([`127.0.0.2:${internal.port}/admin`]);
  });
});

describe("SSRF via DNS", () => {
  it("SSRF hostname resolving to 127.0.0.1 (injected lookup): refused up front and at connect time", async () => {
    const toLoopback: HostLookup = async () => [{ address: "127.0.0.1" }];
    const report = await runTrackingQa(qaConfig(`http://evil.test:${site.port}`, ["/"]), { allowPrivate: false, lookup: toLoopback });
    expect(report.refused).toEqual({ host: "evil.test", address: "127.0.0.1", range: "loopback" });
    const guarded = guardedFetch({ lookup: toLoopback });
    await expect(guarded.fetch(`http://evil.test:${site.port}/`)).rejects.toThrow();
    await guarded.close();
  });

  it("SSRF DNS rebinding: public at the up-front check, loopback at connect — refused", async () => {
    site.hits.length = 0;
    let calls = 0;
    const rebinding: HostLookup = async () => (calls++ === 0 ? [{ address: "93.184.215.14" }] : [{ address: "127.0.0.1" }]);
    const report = await runTrackingQa(qaConfig(`http://rebind.test:${site.port}`, ["/"]), { allowPrivate: false, lookup: rebinding });
    expect(report.refused).toBeUndefined();
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(site.hits).toEqual([]);
    expect(report.steps[0]?.status).toBe("error");
  });

  it("SSRF failed lookup: refused, not allowed", async () => {
    const guarded = guardedFetch({ lookup: () => Promise.reject(new Error("SERVFAIL")) });
    await expect(guarded.fetch("http://nowhere.test/")).rejects.toThrow();
    await guarded.close();
  });

  it("SSRF IPv4-mapped ::ffff:7f00:1: refused up front and at connect time; allowed with allowPrivate true", async () => {
    const report = await runTrackingQa(qaConfig(`http://[::ffff:7f00:1]:${site.port}`, ["/"]), { allowPrivate: false });
    expect(report.refused).toMatchObject({ range: "loopback" });
    const guarded = guardedFetch();
    await expect(guarded.fetch(`http://[::ffff:7f00:1]:${site.port}/`)).rejects.toThrow();
    await guarded.close();
    const allowed = await runTrackingQa(qaConfig(`http://127.0.0.1:${site.port}`, ["/"]), { allowPrivate: true });
    expect(allowed.steps[0]?.error).toBeUndefined();
  });
});

describe("SSRF in the browser stage", () => {
  it("SSRF browser sub-requests to loopback (name, *.localhost, literal, IPv4-mapped): none reaches the internal service with allowPrivate false", async () => {
    internal.hits.length = 0;
    site.hits.length = 0;
    const report = await runTrackingQa(qaConfig(`http://shop.test:${site.port}`, ["/"], true), { allowPrivate: false, lookup, rangeOf, chromium: browser });
    expect(report.stages).toEqual(["static", "browser"]);
    expect(site.hits.length).toBeGreaterThan(0); // the page itself loaded, through the proxy
    expect(internal.hits).toEqual([]);
  }, 30_000);

  it("SSRF browser: a step on *.localhost is refused", async () => {
    internal.hits.length = 0;
    const report = await runTrackingQa(qaConfig(`http://shop.localhost:${internal.port}`, ["/"], true), { allowPrivate: false, chromium: browser });
    expect(report.refused).toMatchObject({ range: "loopback" });
    expect(internal.hits).toEqual([]);
  }, 30_000);

  it("SSRF browser sub-requests to loopback: made with allowPrivate true", async () => {
    internal.hits.length = 0;
    await runTrackingQa(qaConfig(`http://127.0.0.1:${site.port}`, ["/"], true), { allowPrivate: true, chromium: browser });
    expect(internal.hits.some((h) => h.endsWith("/literal.gif"))).toBe(true);
  }, 30_000);
});
