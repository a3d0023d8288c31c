import { BlockList, isIP } from "node:net";
import pg from "pg";
import { parseRedisUrl } from "./upstash/resp-client.ts";

const loopback = new BlockList();
loopback.addSubnet("127.0.0.0", 8, "ipv4");
loopback.addAddress("::1", "ipv6");

/** Whether `host` is this machine: localhost, 127.0.0.0/8, ::1 (also IPv4-mapped) or a unix socket directory. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, "$1");
  // An empty host is where Node and pg connect by default: localhost.
  if (bare === "" || bare.startsWith("/") || bare.toLowerCase() === "localhost") return true;
  const family = isIP(bare);
  return family !== 0 && loopback.check(bare, family === 4 ? "ipv4" : "ipv6");
}

/**
 * The hosts a PostgreSQL URL reaches: the URL's own (the stack's Neon endpoints connect there) and
 * the one pg resolves (migrations), which a `host` parameter or PGHOST may change.
 */
export function postgresHosts(url: string): string[] {
  return [decodeURIComponent(new URL(url).hostname), new pg.Client({ connectionString: url }).host];
}

/** The host a `redis://` URL reaches, as the stack's Upstash endpoint reads it. */
export function redisHosts(url: string): string[] {
  return [parseRedisUrl(url).host];
}
