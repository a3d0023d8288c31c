/**
 * Counts failed logins per account and per client address and refuses attempts past the limits, BEFORE
 * any password is hashed. Implementations fail closed: when the counters cannot be reached, logging in
 * is refused (503), never let through.
 */
export interface LoginThrottle {
  /** Throws RATE_LIMITED with `retryAfter` when the account or the address is over its limit. */
  assertAllowed(email: string, ip: string | null): Promise<void>;
  recordFailure(email: string, ip: string | null): Promise<void>;
  /** A successful login clears the account's count (not the address's: one address may try many accounts). */
  recordSuccess(email: string): Promise<void>;
}
