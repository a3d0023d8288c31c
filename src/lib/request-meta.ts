import type { Context } from "hono";
import type { AppEnv } from "./app-env";

/** Who sent a request, as identity and the audit log record it. */
export interface RequestMeta {
  /** From `CF-Connecting-IP` only: every other header is the client's to forge. */
  ip: string | null;
  /** The client's User-Agent, cut to 256 characters. */
  userAgent: string | null;
  requestId: string;
}

const MAX_USER_AGENT = 256;
/** The longest textual IPv6 address; anything longer is not an address. */
const MAX_IP = 45;

export function requestMeta(c: Context<AppEnv>): RequestMeta {
  const userAgent = c.req.header("User-Agent")?.trim();
  return {
    ip: clientIp(c),
    userAgent: userAgent ? userAgent.slice(0, MAX_USER_AGENT) : null,
    requestId: c.var.requestId,
  };
}

/** The client's address as `CF-Connecting-IP` states it (unparsed), or null; `requestMeta(c).ip`. */
export function clientIp(c: Context<AppEnv>): string | null {
  const ip = c.req.header("CF-Connecting-IP")?.trim();
  return ip && ip.length <= MAX_IP ? ip : null;
}
