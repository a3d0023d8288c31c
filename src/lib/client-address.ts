import ipaddr from "ipaddr.js";
import { parseIpAddress, type IpAddress } from "./ip-ranges";

/**
 * The part of a client address that names one client for limits: the whole IPv4 address, the /64
 * prefix of an IPv6 one (a single subscriber usually holds a whole /64 and can pick any address in
 * it). IPv4-mapped IPv6 counts as IPv4. Anything unparsable is one shared "unknown" client. Parsed
 * as strictly as the IP rules parse it (`parseIpAddress`), so both name the same client.
 * @example clientKey("2001:db8:1:2:aaaa::1") // "2001:db8:1:2::/64"
 */
export function clientKey(ip: string | null): string {
  return addressKey(parseIpAddress(ip));
}

/**
 * `clientKey` of an address already parsed: a request parses its own once (`clientAddress` in
 * middleware/ip-rules.ts), for the IP rules, the rate limit and API keys alike.
 * @example addressKey(parseIpAddress("203.0.113.7")) // "203.0.113.7"
 */
export function addressKey(address: IpAddress | undefined): string {
  if (!address) return "unknown";
  if (address.kind() === "ipv4") return address.toString();
  const parts = (address as ipaddr.IPv6).parts.slice(0, 4);
  return `${new ipaddr.IPv6([...parts, 0, 0, 0, 0]).toString()}/64`;
}
