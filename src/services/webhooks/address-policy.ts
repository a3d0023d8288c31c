import ipaddr from "ipaddr.js";
import { parseIpAddress, type IpAddress } from "../../lib/ip-ranges";

/**
 * Where an outbound webhook may go (SSRF protection): only public unicast addresses. A URL naming a
 * loopback, private, shared (CGNAT), link-local (cloud metadata), unique-local, multicast or reserved
 * address is refused, and so is a DNS name that resolves to one, or a name that only an internal
 * resolver knows (`localhost`, `metadata.google.internal`, a single label).
 */

/** Resolves a DNS name to its A and AAAA addresses; none when it has none. */
export type Resolver = (name: string) => Promise<string[]>;

export type AddressVerdict = { ok: true } | { ok: false; reason: string };

/** Suffixes of names that only a private resolver answers for, or that mean this machine. */
const INTERNAL_SUFFIXES = [".localhost", ".local", ".localdomain", ".internal", ".intranet", ".lan", ".home.arpa", ".arpa", ".corp"];
const INTERNAL_NAMES = new Set(["localhost", "metadata", "instance-data"]);
/** WHATWG URL parsing turns `2130706433`, `0x7f.1` and `017700000001` into dotted IPv4; a last label still numeric is not a name. */
const NUMERIC_LABEL = /^(?:0x[0-9a-f]*|[0-9]+)$/i;

/** Whether `address` is a public unicast address a webhook may be sent to. */
export function isPublicAddress(address: IpAddress): boolean {
  if (address.kind() === "ipv6") {
    const v6 = address as ipaddr.IPv6;
    // IPv4-compatible (::a.b.c.d, deprecated) addresses: ipaddr.js calls them unicast.
    if (v6.parts.slice(0, 6).every((part) => part === 0)) return false;
  }
  return address.range() === "unicast";
}

/** The host of `url` as an address when it is a literal one (IPv6 without brackets), else undefined. */
function literalAddress(hostname: string): IpAddress | undefined {
  const bare = hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
  if (bare.includes(":")) {
    try {
      const v6 = ipaddr.IPv6.parse(bare);
      return v6.isIPv4MappedAddress() ? v6.toIPv4Address() : v6;
    } catch {
      return undefined;
    }
  }
  return parseIpAddress(bare);
}

/**
 * Checks what `url` names without resolving it: a literal address must be public, a name must not
 * be one of the internal ones. For endpoint creation, and the first step before every attempt.
 */
export function checkUrlHost(url: URL): AddressVerdict {
  const hostname = url.hostname.toLowerCase().replace(/\.$/, "");
  if (!hostname) return { ok: false, reason: "no host" };
  const literal = literalAddress(hostname);
  if (literal) return isPublicAddress(literal) ? { ok: true } : { ok: false, reason: `address ${literal.toString()} is not public` };
  if (hostname.includes(":") || hostname.startsWith("[")) return { ok: false, reason: "not an address" };
  const labels = hostname.split(".");
  if (labels.length < 2 || INTERNAL_NAMES.has(hostname) || NUMERIC_LABEL.test(labels.at(-1)!)) return { ok: false, reason: "not a public name" };
  if (INTERNAL_SUFFIXES.some((suffix) => hostname.endsWith(suffix))) return { ok: false, reason: "not a public name" };
  return { ok: true };
}

export interface AddressPolicy {
  resolve: Resolver;
  /**
   * One `host:port` exempt from every check: the tests' own receiver on loopback. Only code passes it
   * (a consumer option), never configuration, so no deployment can relax the policy by mistake.
   */
  allowedTarget?: string;
}

/**
 * Checks `url` before an attempt: its host as `checkUrlHost` does, then every address its name
 * resolves to now (DNS can change after creation). A name without addresses is refused too.
 */
export async function checkTarget(url: URL, policy: AddressPolicy): Promise<AddressVerdict> {
  if (policy.allowedTarget !== undefined && url.host === policy.allowedTarget) return { ok: true };
  const host = checkUrlHost(url);
  if (!host.ok) return host;
  const hostname = url.hostname.replace(/\.$/, "");
  if (literalAddress(hostname)) return host;
  let answers: string[];
  try {
    answers = await policy.resolve(hostname);
  } catch (error) {
    return { ok: false, reason: `name not resolved: ${error instanceof Error ? error.message : "error"}` };
  }
  if (answers.length === 0) return { ok: false, reason: "name has no address" };
  for (const answer of answers) {
    const address = literalAddress(answer);
    if (!address || !isPublicAddress(address)) return { ok: false, reason: `name resolves to ${address?.toString() ?? "an invalid address"}, which is not public` };
  }
  return { ok: true };
}
