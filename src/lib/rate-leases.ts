import type { Clock } from "./clock";
import { DependencyUnavailableError } from "./errors";
import { maxCost, type RateDecision, type RateLease, type RatePolicy } from "./rate-policy";

/** The most units one lease takes, whatever the policy. */
export const MAX_LEASE_UNITS = 32;
/** How long an isolate may spend leased units; whatever is left then is lost. */
export const LEASE_LIFE_MS = 1000;

/**
 * Units an isolate takes from a counter in one call under `policy`: a tenth of its limit (a token
 * bucket's capacity), at most 32. 1 means no lease: a limit under 20 is counted request by request.
 */
export function leaseSize(policy: RatePolicy): number {
  return Math.max(1, Math.min(MAX_LEASE_UNITS, Math.floor(maxCost(policy) / 10)));
}

/** One key's leased units in one isolate, and the requests waiting on the lease call in flight, if one is. */
export interface LeaseEntry {
  allowance?: Allowance;
  waiting?: Waiter[];
}

/** The lease call's answer, and the cost of the request that made it. */
interface Outcome {
  lease: RateLease;
  cost: number;
}

/**
 * A request waiting on another's lease call, through a promise of its own: workerd runs what
 * follows a promise in the request that made it, so a request awaiting another's promise would go
 * on (and build its response) inside the other request, or not at all once that one has ended.
 */
interface Waiter {
  resolve(outcome: Outcome): void;
  reject(error: unknown): void;
}

interface Allowance {
  /** Units left to spend. */
  units: number;
  /** When the isolate stops spending them, on its clock. */
  expiresAt: number;
  /** The counter's answer to the lease, which every request paid from it is told. */
  decision: RateDecision;
}

export interface SpendOptions {
  /** Units to ask for when the allowance cannot pay (see leaseSize). */
  size: number;
  clock: Clock;
  /** How long a request waits on another's lease call before it fails as a late counter would. */
  timeoutMs: number;
  /** Asks the counter for a lease: at least `cost`, up to `upTo` units. */
  take(cost: number, upTo: number): Promise<RateLease>;
}

/**
 * Pays `cost` for a request of `key` from the isolate's allowance, taking a new lease when it
 * cannot: one call to the counter for up to `size` requests. Concurrent requests of a key share
 * the call in flight (a refusal of as many units answers them all). Each unit is spent once, so
 * no isolate passes more than the counter granted; the decision's `remaining` is the counter's as
 * of the lease (units other isolates hold are in neither), so it is low by at most `size`. A
 * counter that fails or is late throws for every request waiting on it, as a consume would.
 * @example await spendLeased(isolate.leases, key, 1, { size: 32, clock, timeoutMs, take: (cost, upTo) => counters.lease(key, policy, cost, upTo) })
 */
export async function spendLeased(entries: Map<string, LeaseEntry>, key: string, cost: number, options: SpendOptions): Promise<RateDecision> {
  const entry = entries.get(key);
  const allowance = entry?.allowance;
  if (allowance && allowance.units >= cost && options.clock() < allowance.expiresAt) {
    allowance.units -= cost;
    return allowance.decision;
  }
  if (entry?.waiting) {
    const { lease, cost: asked } = await waitFor(entry.waiting, options.timeoutMs).catch((error: unknown) => {
      // A call that never answers must not hold the key: the next request asks again.
      if (entries.get(key) === entry) entries.delete(key);
      throw error;
    });
    if (!lease.allowed && cost >= asked) return decisionOf(lease);
    return spendLeased(entries, key, cost, options);
  }
  // What is left of an allowance that cannot pay is dropped with it: under-admission, by less than `size`.
  const fresh: LeaseEntry = { waiting: [] };
  entries.set(key, fresh);
  const takenAt = options.clock();
  let lease: RateLease;
  try {
    lease = await options.take(cost, Math.max(options.size, cost));
  } catch (error) {
    for (const waiter of settle(fresh)) waiter.reject(error);
    throw error;
  }
  if (lease.allowed) fresh.allowance = { units: lease.granted - cost, expiresAt: expiryOf(lease, takenAt), decision: decisionOf(lease) };
  for (const waiter of settle(fresh)) waiter.resolve({ lease, cost });
  return decisionOf(lease);
}

/** Waits on the lease call in flight, at most `timeoutMs`: should the request making it end first, the call's answer never comes. */
async function waitFor(waiting: Waiter[], timeoutMs: number): Promise<Outcome> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await new Promise<Outcome>((resolve, reject) => {
      waiting.push({ resolve, reject });
      timer = setTimeout(() => reject(new DependencyUnavailableError("rate-counter", "timeout")), timeoutMs);
    });
  } finally {
    clearTimeout(timer);
  }
}

/** The requests waiting on `entry`'s lease call, which is over: later ones spend or call again. */
function settle(entry: LeaseEntry): Waiter[] {
  const waiting = entry.waiting ?? [];
  entry.waiting = undefined;
  return waiting;
}

/** A lease's units are spent within LEASE_LIFE_MS of asking, and never after the window they were counted in. */
function expiryOf(lease: RateLease, takenAt: number): number {
  const end = takenAt + LEASE_LIFE_MS;
  return lease.spendBy === null ? end : Math.min(end, lease.spendBy);
}

function decisionOf({ allowed, limit, remaining, resetAt, retryAfterMs }: RateLease): RateDecision {
  return { allowed, limit, remaining, resetAt, retryAfterMs };
}
