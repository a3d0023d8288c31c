import { clientKey } from "../../lib/client-address";
import { ApiError } from "../../lib/errors";
import type { RateCounters, RatePolicy } from "../../lib/rate-counter";
import type { LoginThrottle } from "./login-throttle";

export interface LoginLimits {
  /** Failed logins one account may have in a window. */
  perAccount: number;
  /** Failed logins one client (IPv4 address, IPv6 /64) may have in a window, over all accounts. */
  perClient: number;
  windowMs: number;
}

/**
 * Login throttling on RateCounter Durable Objects: a sliding window of failures per account and per
 * client. Checked with `peek` before anything is hashed; a counter that cannot be reached throws
 * DependencyUnavailableError (503), so logging in fails closed.
 */
export function countedLoginThrottle(counters: RateCounters, limits: LoginLimits): LoginThrottle {
  const accountPolicy: RatePolicy = { algorithm: "sliding-window", limit: limits.perAccount, windowMs: limits.windowMs };
  const clientPolicy: RatePolicy = { algorithm: "sliding-window", limit: limits.perClient, windowMs: limits.windowMs };
  const accountKey = (email: string) => `login:account:${email}`;
  const clientCounterKey = (ip: string | null) => `login:client:${clientKey(ip)}`;

  return {
    async assertAllowed(email, ip) {
      const decisions = await Promise.all([counters.peek(accountKey(email), accountPolicy), counters.peek(clientCounterKey(ip), clientPolicy)]);
      const refused = decisions.filter((decision) => !decision.allowed);
      if (refused.length === 0) return;
      const seconds = Math.max(1, Math.ceil(Math.max(...refused.map((decision) => decision.retryAfterMs)) / 1000));
      throw new ApiError("RATE_LIMITED", { detail: "rateLimited", params: { seconds }, retryAfter: seconds });
    },
    async recordFailure(email, ip) {
      await Promise.all([counters.consume(accountKey(email), accountPolicy), counters.consume(clientCounterKey(ip), clientPolicy)]);
    },
    async recordSuccess(email) {
      await counters.reset(accountKey(email));
    },
  };
}
