// The address guard (SPEC §13): what a hosted App's tracking QA may not reach, range by range.
import { describe, expect, it } from "vitest";
import type { TrackingQaConfig } from "../../src/core/tracking-qa/config.js";
import { trackingQaSchema } from "../../src/core/tracking-qa/config.js";
import { addressRange, isPrivateAddress, privateStepHost, type HostLookup } from "../../src/tracking-qa/address-guard.js";
import { runTrackingQa } from "../../src/tracking-qa/run.js";

const refused: [range: string, addresses: string[]][] = [
  ["unspecified", ["0.0.0.0", "0.1.2.3", "::"]],
  ["loopback", ["127.0.0.1", "127.255.255.254", "::1"]],
  ["private", ["10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.255", "192.168.0.1", "192.168.255.255"]],
  ["uniqueLocal", ["fc00::1", "fd12:3456:789a::1"]],
  ["linkLocal", ["169.254.0.1", "169.254.169.254", "fe80::1", "febf::1"]],
  ["carrierGradeNat", ["100.64.0.1", "100.100.100.100", "100.127.255.255"]],
  ["multicast", ["224.0.0.1", "239.255.255.250", "ff02::1", "ff0e::1"]],
  ["broadcast", ["255.255.255.255"]],
  ["reserved", ["192.0.2.1", "198.51.100.7", "203.0.113.9", "240.0.0.1", "2001:db8::1"]],
];

const mapped: [address: string, range: string][] = [
  ["::ffff:127.0.0.1", "loopback"],
  ["::ffff:7f00:1", "loopback"],
  ["::ffff:10.1.2.3", "private"],
  ["::ffff:169.254.169.254", "linkLocal"],
  ["::ffff:100.64.0.1", "carrierGradeNat"],
  ["::ffff:0:192.168.1.1", "private"], // IPv4-translated
  ["64:ff9b::10.0.0.1", "private"], // NAT64
];

const publicAddresses = ["8.8.8.8", "1.1.1.1", "93.184.215.14", "100.63.255.255", "100.128.0.1", "172.15.255.255", "172.32.0.1", "192.167.1.1", "169.253.1.1", "2606:4700:4700::1111", "2a00:1450:4001:81b::200e", "::ffff:8.8.8.8"];

describe("isPrivateAddress", () => {
  for (const [range, addresses] of refused) {
    it(`refuses ${range} addresses`, () => {
      for (const address of addresses) {
        expect(addressRange(address), address).toBe(range);
        expect(isPrivateAddress(address), address).toBe(true);
      }
    });
  }

  it("judges an IPv6 address that carries an IPv4 one by that IPv4 address", () => {
    for (const [address, range] of mapped) {
      expect(addressRange(address), address).toBe(range);
      expect(isPrivateAddress(address), address).toBe(true);
    }
  });

  it("lets public unicast addresses through, the neighbours of every refused range included", () => {
    for (const address of publicAddresses) {
      expect(addressRange(address), address).toBe("unicast");
      expect(isPrivateAddress(address), address).toBe(false);
    }
  });

  it("accepts bracketed IPv6 literals and refuses what is not an address", () => {
    expect(isPrivateAddress("[::1]")).toBe(true);
    expect(addressRange("example.com")).toBe("invalid");
    expect(isPrivateAddress("example.com")).toBe(true);
  });
});

const lookupOf =
  (table: Record<string, string[]>): HostLookup =>
  async (host) => {
    const addresses = table[host];
    if (!addresses) throw new Error(`ENOTFOUND ${host}`);
    return addresses.map((address) => ({ address }));
  };

describe("privateStepHost", () => {
  it("refuses a host when any address it resolves to is not public", async () => {
    const lookup = lookupOf({ "shop.example": ["93.184.215.14"], "staging.example": ["93.184.215.15", "10.0.0.7"] });
    expect(await privateStepHost("https://shop.example", ["/", "https://staging.example/cart"], lookup)).toEqual({ host: "staging.example", address: "10.0.0.7", range: "private" });
    expect(await privateStepHost("https://shop.example", ["/", "/checkout"], lookup)).toBeUndefined();
  });

  it("checks IP literals without a lookup, IPv6 and URL-normalised IPv4 forms included", async () => {
    const lookup: HostLookup = () => Promise.reject(new Error("no lookup expected"));
    expect(await privateStepHost("http://[::1]:8080", ["/"], lookup)).toEqual({ host: "::1", address: "::1", range: "loopback" });
    expect(await privateStepHost("http://[::ffff:169.254.169.254]", ["/"], lookup)).toMatchObject({ range: "linkLocal" });
    expect(await privateStepHost("http://2130706433", ["/"], lookup)).toEqual({ host: "127.0.0.1", address: "127.0.0.1", range: "loopback" });
    expect(await privateStepHost("http://0x64.0x40.0.1", ["/"], lookup)).toMatchObject({ host: "100.64.0.1", range: "carrierGradeNat" });
  });

  it("leaves names that do not resolve and unusable URLs to the QA run", async () => {
    expect(await privateStepHost("https://gone.example", ["/"], lookupOf({}))).toBeUndefined();
    expect(await privateStepHost(undefined, ["not a url"], lookupOf({}))).toBeUndefined();
  });
});

describe("runTrackingQa with allowPrivate: false", () => {
  const config: TrackingQaConfig = trackingQaSchema.parse({ base_url: "http://127.0.0.1:9", steps: [{ path: "/", expect: ["ga4"] }] });

  it("refuses before fetching anything and says which host", async () => {
    let fetched = 0;
    const fetch = (() => {
      fetched++;
      return Promise.reject(new Error("must not fetch"));
    }) as typeof globalThis.fetch;
    const report = await runTrackingQa(config, { allowPrivate: false, fetch });
    expect(report.refused).toEqual({ host: "127.0.0.1", address: "127.0.0.1", range: "loopback" });
    expect(report.stages).toEqual([]);
    expect(report.steps).toEqual([]);
    expect(fetched).toBe(0);
  });

  it("runs as before when private hosts are allowed", async () => {
    const fetch = (() => Promise.resolve(new Response("<html><head></head><body></body></html>", { status: 200, headers: { "content-type": "text/html" } }))) as typeof globalThis.fetch;
    const report = await runTrackingQa(config, { fetch });
    expect(report.refused).toBeUndefined();
    expect(report.stages).toEqual(["static"]);
    expect(report.steps).toHaveLength(1);
  });
});
