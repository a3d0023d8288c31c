import type { Clock } from "./clock";
import { BoundedMap } from "./bounded-map";
import { evaluate, type CounterState } from "./rate-algorithms";
import { policyKey, type RateDecision, type RatePolicy } from "./rate-policy";
import type { LeaseEntry } from "./rate-leases";
import { TtlCache } from "./ttl-cache";

/** Identifiers one isolate remembers, per structure: beyond this the oldest is forgotten. */
const MAX_KEYS = 10_000;

/**
 * What the rate limits keep in one isolate's memory, a cache and never the truth: the identifiers
 * Upstash refused lately (its ephemeral cache), the units leased from the Durable Objects, and the
 * fallback cap, exact counters of this isolate's own requests under the same algorithms, which
 * decide while a backend fails open. Each holds at most 10,000 keys (about a megabyte), and a
 * counter is forgotten once it would be whole.
 */
export class IsolateRateLimits {
  /** Upstash's ephemeral cache: identifier → when it may try again (ms). A blocked one costs no round trip. */
  readonly blocked = new BoundedMap<string, number>(MAX_KEYS);
  /** Units this isolate leased from the RateCounter objects, per key, and the lease calls in flight (rate-leases.ts). */
  readonly leases = new BoundedMap<string, LeaseEntry>(MAX_KEYS);
  /** One cache per policy, since each forgets its counters after its own horizon. */
  readonly #fallback = new Map<string, TtlCache<string, CounterState>>();
  #failOpens = 0;

  constructor(private readonly clock: Clock) {}

  /** Takes `cost` units from this isolate's own counter for `key`, as a backend would; a refusal changes nothing. */
  consumeFallback(key: string, policy: RatePolicy, cost: number): RateDecision {
    const counters = this.#countersFor(policy);
    const { decision, next } = evaluate(policy, counters.get(key), cost, this.clock(), true);
    if (next) counters.set(key, next);
    return decision;
  }

  /** Counts one fail-open and returns how many this isolate has had (metrics come with issue 9). */
  countFailOpen(): number {
    return ++this.#failOpens;
  }

  #countersFor(policy: RatePolicy): TtlCache<string, CounterState> {
    const name = policyKey(policy);
    let counters = this.#fallback.get(name);
    if (!counters) {
      counters = new TtlCache({ maxEntries: MAX_KEYS, ttlMs: horizonMs(policy), clock: this.clock });
      this.#fallback.set(name, counters);
    }
    return counters;
  }
}

/** How long a counter can matter after its last consume: past it, it is whole again. */
function horizonMs(policy: RatePolicy): number {
  switch (policy.algorithm) {
    case "fixed-window":
      return policy.windowMs;
    case "sliding-window":
      // The window a consume lands in, and the next, which still weighs it.
      return 2 * policy.windowMs;
    case "token-bucket":
      return Math.ceil((policy.capacity / policy.refillPerSecond) * 1000);
  }
}
