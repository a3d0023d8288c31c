import type { Clock } from "./clock";
import { DependencyUnavailableError } from "./errors";
import { maxCost, type RateDecision, type RateLease, type RatePolicy } from "./rate-policy";

/** The most units a key's first lease takes, whatever the policy. */
export const MAX_LEASE_UNITS = 32;
/** The most units any lease takes, after growing (see nextLeaseSize). */
export const MAX_GROWN_LEASE_UNITS = 1024;
/** How long an isolate may spend leased units; whatever is left then is lost. */
export const LEASE_LIFE_MS = 1000;
/** A lease spent out within this share of its life was too small for the key's traffic. */
const QUICK_SHARE = 4;

/**
 * Units an isolate takes from a counter in one call under `policy` at first: a tenth of its limit (a
 * token bucket's capacity), at most 32. 1 means no lease: a limit under 20 is counted request by request.
 */
export function leaseSize(policy: RatePolicy): number {
  return Math.max(1, Math.min(MAX_LEASE_UNITS, tenth(policy)));
}

/** The most units a lease under `policy` grows to: a tenth of its limit, at most 1,024. */
export function maxLeaseSize(policy: RatePolicy): number {
  return Math.max(1, Math.min(MAX_GROWN_LEASE_UNITS, tenth(policy)));
}

function tenth(policy: RatePolicy): number {
  return Math.floor(maxCost(policy) / 10);
}

/**
 * The size of a key's next lease, from how its last one went: doubled (up to `max`) when the isolate
 * spent it out within a quarter of its life, since the key's traffic here would otherwise call the
 * counter more than four times a lease life; halved (down to `base`) when more than half of it
 * expired unspent, since units held idle are units other isolates are refused. A busy key on one
 * isolate makes a few calls a second rather than one per 32 requests; the object still never grants
 * more than the policy allows.
 */
export function nextLeaseSize(previous: { size: number; units: number; takenAt: number; expiresAt: number } | undefined, now: number, base: number, max: number): number {
  if (!previous) return base;
  const expired = now >= previous.expiresAt;
  if (!expired && now - previous.takenAt < LEASE_LIFE_MS / QUICK_SHARE) return Math.min(max, previous.size * 2);
  if (expired && previous.units * 2 > previous.size) return Math.max(base, Math.floor(previous.size / 2));
  return Math.min(max, Math.max(base, previous.size));
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
  /** Units the lease was asked for, which the next lease's size starts from. */
  size: number;
  /** When it was taken, on the isolate's clock. */
  takenAt: number;
  /** Units left to spend. */
  units: number;
  /** When the isolate stops spending them, on its clock. */
  expiresAt: number;
  /** The counter's answer to the lease, which every request paid from it is told. */
  decision: RateDecision;
}

export interface SpendOptions {
  /** Units to ask for in a key's first lease (see leaseSize). */
  size: number;
  /** Units a lease may grow to (see maxLeaseSize); `size` when absent. */
  maxSize?: number;
  clock: Clock;
  /** How long a request waits on another's lease call before it fails as a late counter would. */
  timeoutMs: number;
  /** Asks the counter for a lease: at least `cost`, up to `upTo` units. */
  take(cost: number, upTo: number): Promise<RateLease>;
}

/**
 * Pays `cost` for a request of `key` from the isolate's allowance, taking a new lease when it
 * cannot: one call to the counter for up to `size` requests, more as the key's traffic grows (see
 * nextLeaseSize). Concurrent requests of a key share
 * the call in flight (a refusal of as many units answers them all). Each unit is spent once, so
 * no isolate passes more than the counter granted; the decision's `remaining` is the counter's as
 * of the lease (units other isolates hold are in neither), so it is low by at most `size`. A
 * counter that fails or is late throws for every request waiting on it, as a consume would.
 * @example await spendLeased(isolate.leases, key, 1, { size: 32, clock, timeoutMs, take: (cost, upTo) => counters.lease(key, policy, cost, upTo) })
 */
export async function spendLeased(entries: Map<string, LeaseEntry>, key: string, cost: number, options: SpendOptions): Promise<RateDecision> {
  const paid = spendAllowance(entries, key, cost, options.clock);
  if (paid) return paid;
  const entry = entries.get(key);
  const allowance = entry?.allowance;
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
  const size = nextLeaseSize(allowance, takenAt, options.size, options.maxSize ?? options.size);
  let lease: RateLease;
  try {
    lease = await options.take(cost, Math.max(size, cost));
  } catch (error) {
    for (const waiter of settle(fresh)) waiter.reject(error);
    throw error;
  }
  if (lease.allowed) fresh.allowance = { size, takenAt, units: lease.granted - cost, expiresAt: expiryOf(lease, takenAt), decision: decisionOf(lease) };
  for (const waiter of settle(fresh)) waiter.resolve({ lease, cost });
  return decisionOf(lease);
}

/**
 * Pays `cost` from what the isolate holds for `key`, at once, when that can: what nearly every
 * request of a busy key does, without the promises of a call that might be needed. Undefined when
 * only `spendLeased` can decide (no allowance, too few units, expired, a call in flight).
 */
export function spendAllowance(entries: Map<string, LeaseEntry>, key: string, cost: number, clock: Clock): RateDecision | undefined {
  const allowance = entries.get(key)?.allowance;
  if (!allowance || allowance.units < cost || clock() >= allowance.expiresAt) return undefined;
  allowance.units -= cost;
  return allowance.decision;
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
