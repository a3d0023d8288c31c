import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../lib/app-env";
import { ApiError } from "../lib/errors";
import { admits, type IpRules } from "../lib/ip-access";
import { parseIpAddress, type IpAddress } from "../lib/ip-ranges";
import { describeError } from "../lib/log-redaction";
import { readActiveIpRules } from "../services/ip-rules";
import { requestLog } from "./logger";

export interface IpRulesOptions {
  /**
   * The client's address. By default `CF-Connecting-IP`, which Cloudflare sets on every request it
   * passes on; every other header is the client's to forge. Without one, no rule applies.
   */
  address?: (c: Context<AppEnv>) => IpAddress | undefined;
}

/**
 * Refuses a client the IP rules deny with 403 FORBIDDEN before anything else looks at the request:
 * the configuration's (IP_DENY, IP_ALLOW) and the admins' (read at most once per isolate per
 * IP_RULES_TTL_SECONDS). Deny wins; any allow list admits only its ranges. A client the configuration
 * denies costs no database read.
 */
export function ipRules({ address = clientAddress }: IpRulesOptions = {}): MiddlewareHandler<AppEnv> {
  return async function ipRules(c, next) {
    const client = address(c);
    if (!client) return next();
    const config = c.get("config");
    const services = c.get("services");
    const configured: IpRules = { deny: config.IP_DENY, allow: config.IP_ALLOW };
    if (configured.deny.size > 0 && configured.deny.includes(client)) throw denied();
    const runtime = await services.ipRules.current({
      read: () => readActiveIpRules(services.db, services.clock()),
      keepAlive: (work) => c.executionCtx.waitUntil(work),
      onStale: (error) => requestLog(c).warn("ip rules not read; the last ones read still apply", { error: describeError(error) }),
    });
    if (!admits(client, [configured, runtime])) throw denied();
    await next();
  };
}

/**
 * The address in `CF-Connecting-IP`, IPv4-mapped IPv6 as IPv4; undefined without a valid one. Parsed
 * once per request and kept on the context: the IP rules, the rate limit's client key and API keys'
 * address checks all read it.
 */
export function clientAddress(c: Context<AppEnv>): IpAddress | undefined {
  let address = c.get("clientAddress");
  if (address === undefined) {
    address = parseIpAddress(c.req.header("CF-Connecting-IP")?.trim()) ?? null;
    c.set("clientAddress", address);
  }
  return address ?? undefined;
}

function denied(): ApiError {
  return new ApiError("FORBIDDEN", { detail: "ipDenied" });
}
