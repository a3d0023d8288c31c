import type { Resolver } from "./address-policy";

/** A resolver's answer must come within this; past it the attempt fails and is retried later. */
const DNS_TIMEOUT_MS = 3000;
/** Record types asked for: A (1) and AAAA (28). */
const ADDRESS_TYPES = { A: 1, AAAA: 28 } as const;
/** Answers read at most: a name with more addresses than this is odd, and the rest are not needed to refuse it. */
const MAX_ANSWERS = 64;

interface DnsJsonAnswer {
  type?: number;
  data?: string;
}

/**
 * A resolver asking `resolverUrl` (a DNS-over-HTTPS server's JSON API, e.g. Cloudflare's
 * `https://cloudflare-dns.com/dns-query`) for a name's A and AAAA records at once. A name that does
 * not exist has no addresses; a resolver that fails or is late throws.
 */
export function dnsOverHttpsResolver(resolverUrl: string, fetcher: typeof fetch = fetch): Resolver {
  async function query(name: string, type: keyof typeof ADDRESS_TYPES): Promise<string[]> {
    const url = new URL(resolverUrl);
    url.searchParams.set("name", name);
    url.searchParams.set("type", type);
    const response = await fetcher(url, { headers: { accept: "application/dns-json" }, signal: AbortSignal.timeout(DNS_TIMEOUT_MS) });
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`resolver answered ${response.status}`);
    }
    const body = await response.json<{ Status?: number; Answer?: DnsJsonAnswer[] }>();
    // NXDOMAIN (3) and friends: no addresses, which the policy refuses.
    if (body.Status !== 0) return [];
    return (body.Answer ?? [])
      .slice(0, MAX_ANSWERS)
      .filter((answer) => answer.type === ADDRESS_TYPES[type] && typeof answer.data === "string")
      .map((answer) => answer.data!);
  }
  return async function resolve(name) {
    const [v4, v6] = await Promise.all([query(name, "A"), query(name, "AAAA")]);
    return [...v4, ...v6];
  };
}
