import type { RateCounter } from "../durable-objects/rate-counter";
import { systemClock, type Clock } from "./clock";
import { DependencyUnavailableError } from "./errors";
import { hex } from "./hex";
import { checkCost, checkLeaseSize, parseRatePolicy, type RateDecision, type RateLease, type RatePolicy } from "./rate-policy";

export type { RateDecision, RateLease, RatePolicy };

/**
 * Bound on each call to a counter, a constant until a setting needs it. A counter answers in a few
 * milliseconds from a nearby location; one placed on another continent, or starting up, in a few
 * hundred. Past this, login fails closed with 503: waiting longer only holds the request.
 */
export const RATE_COUNTER_TIMEOUT_MS = 1000;

export interface RateCountersOptions {
  /** Bound on each call, in milliseconds. */
  timeoutMs?: number;
  /** The time the counters decide by; tests pass their own. */
  clock?: Clock;
}

/** Exact per-key rate counters, one RateCounter Durable Object per key. */
export interface RateCounters {
  /** Takes `cost` units (default 1) from `key` under `policy`; a refused consume changes nothing. */
  consume(key: string, policy: RatePolicy, cost?: number): Promise<RateDecision>;
  /** Takes at least `cost` and up to `upTo` units from `key` in one call, for the caller to spend later; refused as a consume of `cost` would be. */
  lease(key: string, policy: RatePolicy, cost: number, upTo: number): Promise<RateLease>;
  /** Whether one unit would be allowed now, consuming nothing: check before expensive work. */
  peek(key: string, policy: RatePolicy): Promise<RateDecision>;
  /** Forgets `key` under every policy. */
  reset(key: string): Promise<void>;
}

/**
 * The only code that talks to the RATE_COUNTER namespace. Each call is bounded by `timeoutMs`; a
 * counter that does not answer in time, or cannot be reached, throws DependencyUnavailableError
 * (503 with Retry-After). Whether to fail open or closed is the caller's choice: authentication
 * fails closed. An invalid policy or cost throws RangeError before any round trip.
 * @example const counters = createRateCounters(c.env.RATE_COUNTER)
 *          const decision = await counters.consume(`login:ip:${prefix}`, { algorithm: "fixed-window", limit: 10, windowMs: 900_000 })
 */
export function createRateCounters(
  namespace: DurableObjectNamespace<RateCounter>,
  { timeoutMs = RATE_COUNTER_TIMEOUT_MS, clock = systemClock }: RateCountersOptions = {},
): RateCounters {
  async function call<T>(key: string, send: (counter: DurableObjectStub<RateCounter>) => Promise<T>): Promise<T> {
    const name = await keyDigest(key);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DependencyUnavailableError("rate-counter", "timeout")), timeoutMs);
    });
    // Workers RPC takes no AbortSignal: past the deadline the call is left to finish on its own.
    const sent = Promise.resolve().then(() => send(namespace.get(namespace.idFromName(name))));
    sent.catch(() => {});
    try {
      return await Promise.race([sent, deadline]);
    } catch (error) {
      if (error instanceof DependencyUnavailableError) throw error;
      throw new DependencyUnavailableError("rate-counter", "unreachable", { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    async consume(key, policy, cost = 1) {
      checkCost(parseRatePolicy(policy), cost);
      return call(key, (counter) => counter.consume(policy, cost, clock()));
    },
    async lease(key, policy, cost, upTo) {
      checkLeaseSize(parseRatePolicy(policy), cost, upTo);
      return call(key, (counter) => counter.lease(policy, cost, upTo, clock()));
    },
    async peek(key, policy) {
      parseRatePolicy(policy);
      return call(key, (counter) => counter.peek(policy, clock()));
    },
    async reset(key) {
      return call(key, (counter) => counter.reset());
    },
  };
}

const encoder = new TextEncoder();

/**
 * The name a counter for `key` is stored under (an object's, an Upstash key's): its SHA-256 in hex,
 * so a name is short whatever the caller's key holds, and does not spell out the address or account
 * the key is about.
 */
export async function keyDigest(key: string): Promise<string> {
  return hex(new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(key))));
}
