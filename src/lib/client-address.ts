import ipaddr from "ipaddr.js";

/**
 * The part of a client address that names one client for limits: the whole IPv4 address, the /64
 * prefix of an IPv6 one (a single subscriber usually holds a whole /64 and can pick any address in
 * it). IPv4-mapped IPv6 counts as IPv4. Anything unparsable is one shared "unknown" client.
 * @example clientKey("2001:db8:1:2:aaaa::1") // "2001:db8:1:2::/64"
 */
export function clientKey(ip: string | null): string {
  if (!ip || !ipaddr.isValid(ip)) return "unknown";
  const parsed = ipaddr.process(ip);
  if (parsed.kind() === "ipv4") return parsed.toString();
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 4);
  return `${new ipaddr.IPv6([...parts, 0, 0, 0, 0]).toString()}/64`;
}
