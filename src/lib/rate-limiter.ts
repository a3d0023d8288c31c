import { Ratelimit } from "@upstash/ratelimit";
import type { RateCounter } from "../durable-objects/rate-counter";
import type { Clock } from "./clock";
import { DependencyUnavailableError } from "./errors";
import type { IsolateRateLimits } from "./isolate-rate-limits";
import { createRateCounters, keyDigest } from "./rate-counter";
import { leaseSize, maxLeaseSize, spendAllowance, spendLeased, type LeaseEntry } from "./rate-leases";
import { policyKey, type RateDecision, type RatePolicy } from "./rate-policy";
import type { Redis } from "./redis";

/** One request's outcome. */
export interface RateLimitResult {
  decision: RateDecision;
  /** When it was decided, on the deciding clock: `decision.resetAt` is read against it. */
  at: number;
  /** Set when the backend failed and the isolate's fallback cap decided instead. */
  failedOpen?: { backend: RateBackendName; error: DependencyUnavailableError };
}

export type RateBackendName = "durable-object" | "upstash";

/**
 * Counts requests against one policy. A backend throws DependencyUnavailableError when it is late or
 * unreachable (a 503: failing closed); `failOpen` turns that into a decision of the isolate's own.
 */
export interface RateLimiter {
  readonly backend: RateBackendName;
  /** Takes `cost` units from `key`'s counter. */
  limit(key: string, cost: number): Promise<RateLimitResult>;
  /** The same, decided in the isolate without waiting (units it leased), or undefined: then call `limit`. */
  limitNow?(key: string, cost: number): RateLimitResult | undefined;
}

export interface BackendOptions {
  policy: RatePolicy;
  /** Bound on each call, in milliseconds. */
  timeoutMs: number;
  /** Starts every key: keeps deployments, and test runs, that share a store apart. */
  prefix: string;
}

/**
 * The RateCounter Durable Objects, one per key: exact under concurrency, counts that survive
 * eviction. Given `leases` (the isolate's), a policy large enough takes units a lease at a time
 * and spends them in the isolate (rate-leases.ts): one call for 32 requests at first, up to 1,024 as
 * a key's traffic grows; without, every request is one consume.
 */
export function durableObjectLimiter(
  namespace: DurableObjectNamespace<RateCounter>,
  { policy, timeoutMs, prefix, clock, leases }: BackendOptions & { clock: Clock; leases?: Map<string, LeaseEntry> },
): RateLimiter {
  const counters = createRateCounters(namespace, { timeoutMs, clock });
  const size = leases ? leaseSize(policy) : 1;
  const maxSize = maxLeaseSize(policy);
  // Made once per limiter, which the rate-limit middleware keeps: a request only appends its key.
  const leasePrefix = `${policyKey(policy)} `;
  return {
    backend: "durable-object",
    async limit(key, cost) {
      const name = `${prefix}:${key}`;
      if (!leases || size === 1) return { decision: await counters.consume(name, policy, cost), at: clock() };
      const take = (units: number, upTo: number) => counters.lease(name, policy, units, upTo);
      const decision = await spendLeased(leases, leasePrefix + name, cost, { size, maxSize, clock, timeoutMs, take });
      return { decision, at: clock() };
    },
    limitNow(key, cost) {
      if (!leases || size === 1) return undefined;
      const decision = spendAllowance(leases, `${leasePrefix}${prefix}:${key}`, cost, clock);
      return decision && { decision, at: clock() };
    },
  };
}

/**
 * `@upstash/ratelimit` on the request's Upstash client, keys named by digest. `blocked` is its
 * ephemeral cache, kept by the isolate: an identifier it refused is refused again without a round
 * trip until its window ends. Past `timeoutMs` the library lets the request through; that, and any
 * failure, is thrown as DependencyUnavailableError for the caller to decide. Times are Upstash's
 * own (the real clock): the library takes no other.
 */
export function upstashLimiter(redis: Redis, { policy, timeoutMs, prefix, blocked }: BackendOptions & { blocked: Map<string, number> }): RateLimiter {
  const ratelimit = new Ratelimit({
    redis,
    limiter: upstashAlgorithm(policy),
    prefix,
    ephemeralCache: blocked,
    timeout: timeoutMs,
    analytics: false,
    enableTelemetry: false,
  });
  return {
    backend: "upstash",
    async limit(key, cost) {
      const identifier = await keyDigest(key);
      let response;
      try {
        response = await ratelimit.limit(identifier, { rate: cost });
      } catch (error) {
        throw new DependencyUnavailableError("upstash", "unreachable", { cause: error });
      }
      if (response.reason === "timeout") throw new DependencyUnavailableError("upstash", "timeout");
      const at = Date.now();
      const { success: allowed, limit, remaining, reset: resetAt } = response;
      return { decision: { allowed, limit, remaining, resetAt, retryAfterMs: allowed ? 0 : Math.max(0, resetAt - at) }, at };
    },
  };
}

/**
 * `limiter`, failing open: when its backend is late or unreachable, the isolate's own counter for the
 * key decides under the same policy (one isolate's share of the traffic, so a client spread over
 * many isolates gets more through, never unlimited), and the result says so, for the caller to log.
 */
export function failOpen(limiter: RateLimiter, isolate: IsolateRateLimits, policy: RatePolicy, clock: Clock): RateLimiter {
  return {
    backend: limiter.backend,
    async limit(key, cost) {
      try {
        return await limiter.limit(key, cost);
      } catch (error) {
        if (!(error instanceof DependencyUnavailableError)) throw error;
        return { decision: isolate.consumeFallback(key, policy, cost), at: clock(), failedOpen: { backend: limiter.backend, error } };
      }
    },
    // Deciding in the isolate cannot fail.
    limitNow: limiter.limitNow && ((key, cost) => limiter.limitNow!(key, cost)),
  };
}

/**
 * The library's algorithm for a policy. Its windows are aligned to the epoch (a fixed window too,
 * where the Durable Object opens one at the key's first request), its bucket refills a whole token
 * at a time, and in its windows a refused request may still be counted (every one in a fixed
 * window; in a sliding one, a request that costs more than is left).
 */
function upstashAlgorithm(policy: RatePolicy) {
  switch (policy.algorithm) {
    case "fixed-window":
      return Ratelimit.fixedWindow(policy.limit, `${policy.windowMs} ms`);
    case "sliding-window":
      return Ratelimit.slidingWindow(policy.limit, `${policy.windowMs} ms`);
    case "token-bucket":
      return Ratelimit.tokenBucket(1, `${Number((1000 / policy.refillPerSecond).toFixed(3))} ms`, policy.capacity);
  }
}
