// The address guard (SPEC §13): tracking QA from a hosted App stays on the public internet.
// An address counts as public only when ipaddr.js calls it plain unicast; loopback, private,
// unique-local, link-local, shared (CGNAT 100.64/10), multicast, broadcast, unspecified,
// reserved and documentation ranges are refused, for IPv4 and IPv6 alike. An IPv6 address that
// carries an IPv4 one (IPv4-mapped ::ffff:a.b.c.d, IPv4-translated ::ffff:0:a.b.c.d, NAT64
// 64:ff9b::a.b.c.d) is judged by the IPv4 address it carries.
//
// Two checks. Up front, the step hosts (a clear "refused" report before anything is fetched).
// At connect time, the address actually used: `guardedLookup` is the resolver every connection
// of the static stage (undici dispatcher, `guardedFetch`) and of the browser stage's forward proxy
// goes through, so redirects, DNS rebinding and sub-requests are judged on the address the
// socket connects to. A name that does not resolve is refused, never let through.
import type { LookupAddress, LookupOneOptions } from "node:dns";
import { lookup as dnsLookup } from "node:dns/promises";
import ipaddr from "ipaddr.js";
import { Agent, buildConnector, fetch as undiciFetch } from "undici";

/** What a step host resolved to when it is refused. */
export interface PrivateHost {
  host: string;
  /** The refused address (the host itself when it is an IP literal). */
  address: string;
  /** ipaddr.js's name for the range the address lies in, e.g. "loopback", "carrierGradeNat". */
  range: string;
}

/** Resolves a host name to every address it has (node:dns by default; injectable for tests). */
export type HostLookup = (host: string) => Promise<readonly { address: string }[]>;

const defaultLookup: HostLookup = (host) => dnsLookup(host, { all: true });

/** The IPv4 address an IPv6 address carries in its last 32 bits, for prefixes that mean "this IPv4 host". */
function embeddedIpv4(address: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const p = address.parts;
  const carriesV4 =
    address.isIPv4MappedAddress() || // ::ffff:0:0/96
    address.range() === "rfc6145" || // ::ffff:0:0:0/96 (IPv4-translated)
    (p[0] === 0x64 && p[1] === 0xff9b && p[2] === 0 && p[3] === 0 && p[4] === 0 && p[5] === 0); // 64:ff9b::/96 (NAT64)
  if (!carriesV4) return undefined;
  const [hi = 0, lo = 0] = p.slice(6);
  return new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
}

/**
 * ipaddr.js's range name for an address ("unicast" for a public one), judging an IPv6 address
 * that carries an IPv4 one by that IPv4 address; "invalid" when it is not an IP address.
 */
export function addressRange(address: string): string {
  const literal = address.replace(/^\[|\]$/g, "");
  if (!ipaddr.isValid(literal)) return "invalid";
  const parsed = ipaddr.parse(literal);
  if (parsed.kind() === "ipv6") {
    const v4 = embeddedIpv4(parsed as ipaddr.IPv6);
    if (v4) return v4.range();
  }
  return parsed.range();
}

/** True for every address tracking QA must not reach from a hosted App: anything but public unicast. */
export function isPrivateAddress(address: string): boolean {
  return addressRange(address) !== "unicast";
}

/**
 * The first step host that is, or resolves to, a non-public address. Hosts whose URL cannot be
 * built or whose name does not resolve are left to the QA run, which reports them itself.
 */
export async function privateStepHost(
  baseUrl: string | undefined,
  paths: readonly string[],
  lookup: HostLookup = defaultLookup,
  rangeOf: (address: string) => string = addressRange,
): Promise<PrivateHost | undefined> {
  const hosts = new Set<string>();
  for (const path of paths) {
    try {
      hosts.add(new URL(path, baseUrl).hostname.replace(/^\[|\]$/g, ""));
    } catch {
      // An unusable URL fails in the QA run itself, with its own message.
    }
  }
  for (const host of hosts) {
    const addresses = ipaddr.isValid(host) ? [{ address: host }] : await lookup(host).catch(() => []);
    if (isLocalhostName(host)) return { host, address: host, range: "loopback" };
    for (const { address } of addresses) {
      const range = rangeOf(address);
      if (range !== "unicast") return { host, address, range };
    }
  }
  return undefined;
}

/** How the guard resolves and judges addresses; both injectable for tests. */
export interface GuardOptions {
  lookup?: HostLookup;
  /** The range of an address, "unicast" meaning public (default: `addressRange`). */
  rangeOf?: (address: string) => string;
}

/** A connection the guard refused; the message names the host and range, never page content. */
export class RefusedAddressError extends Error {
  constructor(
    readonly host: string,
    readonly address: string,
    readonly range: string,
  ) {
    super(`refused: ${host} is ${address === host ? "" : `${address}, `}a ${range} address (tracking QA from the hosted App stays on the public internet)`);
    this.name = "RefusedAddressError";
  }
}

/** Host names that are loopback by definition, whatever DNS says (RFC 6761 `localhost` and `*.localhost`). */
export function isLocalhostName(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, "");
  return h === "localhost" || h.endsWith(".localhost");
}

/**
 * Resolves `host` and refuses it unless every address is public unicast. IP literals are judged
 * as they are; a lookup that fails or returns nothing is refused.
 */
export async function resolvePublic(host: string, guard: GuardOptions = {}): Promise<readonly LookupAddress[]> {
  const lookup = guard.lookup ?? defaultLookup;
  const rangeOf = guard.rangeOf ?? addressRange;
  const bare = host.replace(/^\[|\]$/g, "");
  if (isLocalhostName(bare)) throw new RefusedAddressError(bare, bare, "loopback");
  if (ipaddr.isValid(bare)) {
    const range = rangeOf(bare);
    if (range !== "unicast") throw new RefusedAddressError(bare, bare, range);
    return [{ address: bare, family: bare.includes(":") ? 6 : 4 }];
  }
  let addresses: readonly { address: string }[];
  try {
    addresses = await lookup(bare);
  } catch (error) {
    throw new Error(`refused: ${bare} did not resolve (${error instanceof Error ? error.message : String(error)})`);
  }
  if (addresses.length === 0) throw new Error(`refused: ${bare} did not resolve`);
  for (const { address } of addresses) {
    const range = rangeOf(address);
    if (range !== "unicast") throw new RefusedAddressError(bare, address, range);
  }
  return addresses.map(({ address }) => ({ address, family: address.includes(":") ? 6 : 4 }));
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `net.connect`-style lookup that answers only public addresses (node:dns or an injected lookup underneath). */
export function guardedLookup(guard: GuardOptions = {}) {
  return (hostname: string, options: LookupOneOptions | { all?: boolean } | LookupCallback, callback?: LookupCallback): void => {
    const cb = (typeof options === "function" ? options : callback) as LookupCallback;
    const all = typeof options === "object" && options !== null && (options as { all?: boolean }).all === true;
    resolvePublic(hostname, guard).then(
      (addresses) => {
        if (all) cb(null, [...addresses]);
        else cb(null, addresses[0]!.address, addresses[0]!.family);
      },
      (error: Error) => cb(Object.assign(error, { code: "EFIREBREAKREFUSED" }), ""),
    );
  };
}

/**
 * An undici dispatcher whose every connection — first request, each redirect hop, each reused
 * name — resolves through `guardedLookup`; IP-literal hosts (which skip the lookup) are judged
 * before connecting.
 */
export function guardedDispatcher(guard: GuardOptions = {}): Agent {
  const connectVia = buildConnector({ lookup: guardedLookup(guard) as never });
  const connect: buildConnector.connector = (options, callback) => {
    const host = options.hostname.replace(/^\[|\]$/g, "");
    if (ipaddr.isValid(host) || isLocalhostName(host)) {
      resolvePublic(host, guard).then(
        () => connectVia(options, callback),
        (error: Error) => callback(error, null),
      );
      return;
    }
    connectVia(options, callback);
  };
  return new Agent({ connect });
}

/** `fetch` through a guarded dispatcher: the static stage's fetch when private addresses are not allowed. */
export function guardedFetch(guard: GuardOptions = {}): { fetch: typeof fetch; close(): Promise<void> } {
  const dispatcher = guardedDispatcher(guard);
  const guarded = ((input: string | URL, init?: RequestInit) => undiciFetch(input, { ...(init as object), dispatcher } as never)) as unknown as typeof fetch;
  return { fetch: guarded, close: () => dispatcher.close().catch(() => undefined) };
}
