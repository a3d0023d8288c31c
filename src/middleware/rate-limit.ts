import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../lib/app-env";
import type { Clock } from "../lib/clock";
import { addressKey } from "../lib/client-address";
import { ApiError } from "../lib/errors";
import { rateLimitHeaders, retryAfterSeconds } from "../lib/rate-limit-headers";
import type { GroupLimits, RateLimitGroup } from "../lib/rate-limit-settings";
import type { IsolateRateLimits } from "../lib/isolate-rate-limits";
import { durableObjectLimiter, failOpen, upstashLimiter, type RateLimiter } from "../lib/rate-limiter";
import { clientAddress } from "./ip-rules";
import { requestLog } from "./logger";

export interface RateLimitOptions {
  /** Whose policy in RATE_LIMITS applies. */
  group: RateLimitGroup;
  /** Paths another group limits (exact request paths): this one lets them by. */
  except?: readonly string[];
}

interface GroupRules {
  /**
   * Whom a request counts against: `caller`, its API key or user when authentication established
   * one, else its client address; `client`, always its address; `workspace`, the workspace it acts
   * in (after `workspaceAccess()` resolved it, so nobody spends another tenant's budget).
   */
  subject: "caller" | "client" | "workspace";
  /** Count on Upstash when it is configured (otherwise always on the Durable Objects). */
  upstash: boolean;
  /** When the backend is late or unreachable: let the isolate's fallback cap decide, or answer 503. */
  onFailure: "open" | "closed";
  /** On the Durable Objects, take units a lease at a time (see rate-leases.ts) rather than one call per request. */
  lease: boolean;
}

const RULES: Record<RateLimitGroup, GroupRules> = {
  // Sign-in and the flows that hash a password or send mail: what an attacker would hammer.
  auth: { subject: "client", upstash: false, onFailure: "closed", lease: false },
  api: { subject: "caller", upstash: true, onFailure: "open", lease: true },
  // Everyone acting in one workspace together, members and keys: one tenant cannot take the API for itself.
  workspace: { subject: "workspace", upstash: true, onFailure: "open", lease: true },
};

/** Methods that read: they cost a group's `read` units, every other method its `write` units. */
const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Limits the request rate of a route group with the group's policy from RATE_LIMITS, before the
 * handler: a refusal is 429 problem+json with `Retry-After`, and every limited response carries the
 * `RateLimit-Policy` and `RateLimit` fields (a request several groups limit lists each group's).
 * `auth` counts per client address (IPv4 address, IPv6 /64) on the RateCounter Durable Objects and
 * fails closed; `api` counts per API key or user when `authenticate()` has established one before
 * it, per client otherwise, and `workspace` per workspace after `workspaceAccess()`: both on Upstash
 * when configured (on the Durable Objects otherwise, leasing units to the isolate), failing open to
 * the isolate's fallback cap, logging each time.
 * @example app.use("/v1/*", rateLimit({ group: "api", except: ["/v1/auth/login"] }))
 */
export function rateLimit({ group, except = [] }: RateLimitOptions): MiddlewareHandler<AppEnv> {
  const rules = RULES[group];
  const excepted = new Set(except);
  const limiters = new DurableObjectLimiters();
  return async function rateLimit(c, next) {
    const limits = c.get("config").RATE_LIMITS[group];
    if (limits === "off" || excepted.has(c.req.path)) return next();
    const limiter = limiterFor(c, rules, limits, limiters);
    const key = `${group}:${subjectOf(c, rules)}`;
    const cost = READ_METHODS.has(c.req.method) ? limits.cost.read : limits.cost.write;
    // Most requests of a busy key are paid from units the isolate leased: no promise to wait on.
    const { decision, at, failedOpen } = limiter.limitNow?.(key, cost) ?? (await limiter.limit(key, cost));
    if (failedOpen) {
      const { error } = failedOpen;
      const failOpens = c.get("services").rateLimits.countFailOpen();
      requestLog(c).warn("rate limit failed open", { group, backend: failedOpen.backend, reason: error.reason, failOpens, error });
    }
    c.get("meter")?.rateLimit(group, decision.allowed, failedOpen !== undefined);
    const headers = rateLimitHeaders(group, limits.policy, decision, at);
    if (!decision.allowed) {
      const seconds = retryAfterSeconds(decision);
      throw new ApiError("RATE_LIMITED", { detail: "rateLimited", params: { seconds }, retryAfter: seconds, headers });
    }
    // Set before the handler builds its response, so they are in it when it is made: nothing is
    // set, header by header, on a finished response after `next()`.
    c.header("RateLimit-Policy", headers["RateLimit-Policy"], { append: true });
    c.header("RateLimit", headers.RateLimit, { append: true });
    await next();
  };
}

function limiterFor(c: Context<AppEnv>, rules: GroupRules, limits: GroupLimits, limiters: DurableObjectLimiters): RateLimiter {
  const services = c.get("services");
  const redis = rules.upstash ? services.redis : undefined;
  // The Upstash client is the request's own (see createServices), so its limiter is too.
  if (!redis) return limiters.get(c, rules, limits);
  const { policy, timeoutMs } = limits;
  const limiter = upstashLimiter(redis, { policy, timeoutMs, prefix: c.get("config").RATE_LIMITS.keyPrefix, blocked: services.rateLimits.blocked });
  return rules.onFailure === "open" ? failOpen(limiter, services.rateLimits, policy, services.clock) : limiter;
}

/**
 * One middleware's Durable Object limiter, built on its first request and kept while what it is built
 * from stays the same (the isolate's namespace, configuration and rate-limit state: a test's app
 * with another `env` builds its own), so a request allocates no counters, closures or wrappers.
 */
class DurableObjectLimiters {
  #built?: { namespace: Env["RATE_COUNTER"]; limits: GroupLimits; prefix: string; isolate: IsolateRateLimits; clock: Clock; limiter: RateLimiter };

  get(c: Context<AppEnv>, rules: GroupRules, limits: GroupLimits): RateLimiter {
    const namespace = c.env.RATE_COUNTER;
    const prefix = c.get("config").RATE_LIMITS.keyPrefix;
    const services = c.get("services");
    const isolate = services.rateLimits;
    const clock = services.clock;
    const built = this.#built;
    if (built && built.namespace === namespace && built.limits === limits && built.prefix === prefix && built.isolate === isolate && built.clock === clock) return built.limiter;
    const { policy, timeoutMs } = limits;
    const counted = durableObjectLimiter(namespace, { policy, timeoutMs, prefix, clock, leases: rules.lease ? isolate.leases : undefined });
    const limiter = rules.onFailure === "open" ? failOpen(counted, isolate, policy, clock) : counted;
    this.#built = { namespace, limits, prefix, isolate, clock, limiter };
    return limiter;
  }
}

/** Who the request counts against. */
function subjectOf(c: Context<AppEnv>, rules: GroupRules): string {
  if (rules.subject === "workspace") {
    const workspace = c.get("workspace");
    if (!workspace) throw new Error("the workspace rate limit runs after workspaceAccess()");
    return `workspace:${workspace.workspaceId}`;
  }
  if (rules.subject === "caller") {
    const keyId = c.get("apiKey")?.keyId;
    if (keyId) return `key:${keyId}`;
    const userId = c.get("auth")?.userId;
    if (userId) return `user:${userId}`;
  }
  return `client:${addressKey(clientAddress(c))}`;
}
