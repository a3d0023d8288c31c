import ipaddr from "ipaddr.js";

export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

/** A CIDR range, parsed once: its normalised text and what ipaddr.js matches against. */
export interface IpRange {
  /** The network address and prefix length, e.g. `203.0.113.0/24`, `2001:db8::/32`. */
  cidr: string;
  network: IpAddress;
  prefixLength: number;
}

/** The longest textual IPv6 address; anything longer is not an address. */
const MAX_ADDRESS_LENGTH = 45;
const PREFIX_LENGTH = /^(?:0|[1-9][0-9]{0,2})$/;
/** IPv4-mapped IPv6 addresses (`::ffff:0:0/96`) stand for IPv4 ones. */
const MAPPED_PREFIX_LENGTH = 96;

/** IPv4's four decimal parts, without leading zeros; ipaddr.js then checks each is a byte. */
const FOUR_DECIMAL_PARTS = /^(?:0|[1-9][0-9]{0,2})(?:\.(?:0|[1-9][0-9]{0,2})){3}$/;

/**
 * An IPv4 address in four decimal parts, or an IPv6 address without a zone. ipaddr.js alone also
 * reads `010.1.2.3` as octal (8.1.2.3) and `10.1` as 10.0.0.1: a rule must mean what it reads as.
 * Parsed once, not validated first: this runs on every request, and ipaddr.js validates by parsing
 * (its IPv4 check of an IPv6 address throws inside, costing microseconds).
 */
function parseAddress(text: string): IpAddress | undefined {
  if (text.length > MAX_ADDRESS_LENGTH) return undefined;
  try {
    if (FOUR_DECIMAL_PARTS.test(text)) return ipaddr.IPv4.parse(text);
    if (text.includes(":") && !text.includes("%")) return ipaddr.IPv6.parse(text);
  } catch {
    // Shaped like one, but not an address (an octet over 255, a malformed IPv6).
  }
  return undefined;
}

/**
 * The client address `text` names, IPv4-mapped IPv6 as IPv4; undefined when it is none.
 * @example parseIpAddress("::ffff:192.0.2.1")?.toString() // "192.0.2.1"
 */
export function parseIpAddress(text: string | null | undefined): IpAddress | undefined {
  const address = text ? parseAddress(text) : undefined;
  if (address?.kind() === "ipv6" && (address as ipaddr.IPv6).isIPv4MappedAddress()) return (address as ipaddr.IPv6).toIPv4Address();
  return address;
}

/**
 * Parses a CIDR (`203.0.113.0/24`, `2001:db8::/32`) or a single address (a /32 or /128) strictly and
 * normalises it: host bits cleared, IPv6 in its shortest form, an IPv4-mapped IPv6 range of /96 or
 * longer as the IPv4 range it covers. Undefined when `text` is not one.
 * @example parseIpRange("2001:DB8::1/32")?.cidr // "2001:db8::/32"
 */
export function parseIpRange(text: string): IpRange | undefined {
  const [addressText = "", prefixText, ...rest] = text.split("/");
  if (rest.length > 0 || (prefixText !== undefined && !PREFIX_LENGTH.test(prefixText))) return undefined;
  let address = parseAddress(addressText);
  if (!address) return undefined;
  const maxLength = address.kind() === "ipv4" ? 32 : 128;
  let prefixLength = prefixText === undefined ? maxLength : Number(prefixText);
  if (prefixLength > maxLength) return undefined;
  if (address.kind() === "ipv6" && prefixLength >= MAPPED_PREFIX_LENGTH && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
    address = (address as ipaddr.IPv6).toIPv4Address();
    prefixLength -= MAPPED_PREFIX_LENGTH;
  }
  const cidr = `${address.toString()}/${prefixLength}`;
  const [, bits] = ipaddr.parseCIDR(cidr);
  const network = address.kind() === "ipv4" ? ipaddr.IPv4.networkAddressFromCIDR(cidr) : ipaddr.IPv6.networkAddressFromCIDR(cidr);
  return { cidr: `${network.toString()}/${bits}`, network, prefixLength: bits };
}

/**
 * Ranges parsed once and split by family, for matching on every request: an address is compared
 * with the ranges of its own family only.
 */
export class IpRangeList {
  readonly #ipv4: Array<[ipaddr.IPv4, number]> = [];
  readonly #ipv6: Array<[ipaddr.IPv6, number]> = [];

  constructor(readonly ranges: readonly IpRange[]) {
    for (const { network, prefixLength } of ranges) {
      if (network.kind() === "ipv4") this.#ipv4.push([network as ipaddr.IPv4, prefixLength]);
      else this.#ipv6.push([network as ipaddr.IPv6, prefixLength]);
    }
  }

  get size(): number {
    return this.ranges.length;
  }

  /** Whether one of the ranges holds `address` (already passed through `parseIpAddress`). */
  includes(address: IpAddress): boolean {
    if (address.kind() === "ipv4") return this.#ipv4.some((cidr) => (address as ipaddr.IPv4).match(cidr));
    return this.#ipv6.some((cidr) => (address as ipaddr.IPv6).match(cidr));
  }
}

/** An empty list, for a source that has no rules. */
export const NO_RANGES = new IpRangeList([]);
