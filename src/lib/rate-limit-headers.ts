import { maxCost, type RateDecision, type RatePolicy } from "./rate-policy";

/** The two IETF rate-limit response fields, ready to set. */
export type RateLimitHeaders = {
  "RateLimit-Policy": string;
  RateLimit: string;
};

/**
 * The `RateLimit-Policy` and `RateLimit` fields of draft-ietf-httpapi-ratelimit-headers-11 (23 May
 * 2026): Structured Field lists of one item each, named by the policy (`name`, an sf-string).
 * `RateLimit-Policy` gives the quota `q` (the limit; a bucket's capacity) over the window `w` in
 * seconds (the time a bucket takes to fill); `RateLimit` gives what is left, `r`, and the effective
 * window `t` in seconds: until the quota is whole again, or, on a refusal, until the request would be
 * allowed, which is also `Retry-After`, as the draft's section 6 asks. The quota unit is left at
 * its default, requests, though a write counts as several. No partition key: the client knows who
 * it is, and the key would spell out an address.
 * @example rateLimitHeaders("api", { algorithm: "fixed-window", limit: 100, windowMs: 60_000 }, decision, now)
 *          // { "RateLimit-Policy": '"api";q=100;w=60', RateLimit: '"api";r=99;t=60' }
 */
export function rateLimitHeaders(name: string, policy: RatePolicy, decision: RateDecision, now: number): RateLimitHeaders {
  const effectiveMs = decision.allowed ? decision.resetAt - now : decision.retryAfterMs;
  return {
    "RateLimit-Policy": `"${name}";q=${maxCost(policy)};w=${windowSeconds(policy)}`,
    RateLimit: `"${name}";r=${Math.max(0, decision.remaining)};t=${seconds(effectiveMs)}`,
  };
}

/** Whole seconds from a client may retry after a refusal, for `Retry-After`: at least 1. */
export function retryAfterSeconds(decision: RateDecision): number {
  return Math.max(1, seconds(decision.retryAfterMs));
}

function windowSeconds(policy: RatePolicy): number {
  const ms = policy.algorithm === "token-bucket" ? (policy.capacity / policy.refillPerSecond) * 1000 : policy.windowMs;
  // The draft's window is a whole number of seconds, never zero.
  return Math.max(1, seconds(ms));
}

function seconds(ms: number): number {
  return Math.max(0, Math.ceil(ms / 1000));
}
