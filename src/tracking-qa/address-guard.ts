// The address guard (SPEC §13): tracking QA from a hosted App stays on the public internet.
// An address counts as public only when ipaddr.js calls it plain unicast; loopback, private,
// unique-local, link-local, shared (CGNAT 100.64/10), multicast, broadcast, unspecified,
// reserved and documentation ranges are refused, for IPv4 and IPv6 alike. An IPv6 address that
// carries an IPv4 one (IPv4-mapped ::ffff:a.b.c.d, IPv4-translated ::ffff:0:a.b.c.d, NAT64
// 64:ff9b::a.b.c.d) is judged by the IPv4 address it carries.
//
// This checks the step hosts before any page is fetched (names resolved once, every address
// they resolve to). Checking the address actually connected to — redirects, DNS rebinding,
// browser sub-requests — is a later step (SPEC §13) and not done here.
import { lookup as dnsLookup } from "node:dns/promises";
import ipaddr from "ipaddr.js";

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
export async function privateStepHost(baseUrl: string | undefined, paths: readonly string[], lookup: HostLookup = defaultLookup): Promise<PrivateHost | undefined> {
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
    for (const { address } of addresses) {
      const range = addressRange(address);
      if (range !== "unicast") return { host, address, range };
    }
  }
  return undefined;
}
