import { z } from "zod";

/** A limit counts at most this many units: keeps the window arithmetic exact in doubles (limit × window < 2^53). */
export const MAX_RATE_LIMIT = 1_000_000;
/** The longest window, and the longest a bucket may take to fill: no counter outlives it. */
export const MAX_RATE_WINDOW_MS = 30 * 24 * 60 * 60 * 1000;

const limit = z.number().int().min(1).max(MAX_RATE_LIMIT);
const windowMs = z.number().int().min(1).max(MAX_RATE_WINDOW_MS);

/**
 * How a key is limited. Window algorithms allow `limit` units per `windowMs`; the token bucket holds
 * `capacity` tokens and refills `refillPerSecond` of them continuously.
 * @example { algorithm: "fixed-window", limit: 5, windowMs: 15 * 60_000 }
 * @example { algorithm: "token-bucket", capacity: 20, refillPerSecond: 2 }
 */
export const RatePolicySchema = z.discriminatedUnion("algorithm", [
  z.object({ algorithm: z.literal("fixed-window"), limit, windowMs }).strict(),
  z.object({ algorithm: z.literal("sliding-window"), limit, windowMs }).strict(),
  z
    .object({
      algorithm: z.literal("token-bucket"),
      capacity: limit,
      refillPerSecond: z.number().positive().max(MAX_RATE_LIMIT),
    })
    .strict()
    .refine((policy) => (policy.capacity / policy.refillPerSecond) * 1000 <= MAX_RATE_WINDOW_MS, {
      message: "the bucket must fill within 30 days",
      path: ["refillPerSecond"],
    }),
]);

export type RatePolicy = z.infer<typeof RatePolicySchema>;

/** What a counter answers to a consume or a peek. Times are milliseconds since the epoch, on the caller's clock. */
export interface RateDecision {
  allowed: boolean;
  /** The policy's limit (a bucket's capacity). */
  limit: number;
  /** Units a consume could still take now, after this call's own. */
  remaining: number;
  /** When `remaining` is back to `limit` if nothing more is consumed; `now` when it already is. */
  resetAt: number;
  /** 0 when allowed; otherwise how long until the same call would be allowed. */
  retryAfterMs: number;
}

/** What a counter answers to a lease: a decision on `cost`, and the units it granted to spend later. */
export interface RateLease extends RateDecision {
  /** Units taken, the request's own among them: 0 when refused. */
  granted: number;
  /** Spend the units before this time, on the caller's clock (a window's end); null for a token bucket. */
  spendBy: number | null;
}

/** The policy, checked; throws RangeError naming what is wrong, never quoting a key. */
export function parseRatePolicy(policy: unknown): RatePolicy {
  const result = RatePolicySchema.safeParse(policy);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => `${issue.path.join(".") || "policy"}: ${issue.message}`);
    throw new RangeError(`invalid rate policy (${issues.join("; ")})`);
  }
  return result.data;
}

/** The most a single call may cost under `policy`: a larger cost could never be allowed. */
export function maxCost(policy: RatePolicy): number {
  return policy.algorithm === "token-bucket" ? policy.capacity : policy.limit;
}

/** Throws RangeError unless `cost` is a whole number of units from 1 to the policy's limit. */
export function checkCost(policy: RatePolicy, cost: number): void {
  if (!Number.isInteger(cost) || cost < 1 || cost > maxCost(policy)) {
    throw new RangeError(`rate cost must be a whole number from 1 to ${maxCost(policy)}`);
  }
}

/** Throws RangeError unless a lease asks for at least its cost and at most the policy's limit. */
export function checkLeaseSize(policy: RatePolicy, cost: number, upTo: number): void {
  checkCost(policy, cost);
  if (!Number.isInteger(upTo) || upTo < cost || upTo > maxCost(policy)) {
    throw new RangeError(`a lease must ask for a whole number of units from its cost to ${maxCost(policy)}`);
  }
}

/** Throws RangeError unless `now` is a plausible time in milliseconds since the epoch. */
export function checkTime(now: number): void {
  if (!Number.isSafeInteger(now) || now < 0) throw new RangeError("time must be whole milliseconds since the epoch");
}

/** One stored counter per distinct policy: changing a policy starts a fresh count instead of misreading the old one. */
export function policyKey(policy: RatePolicy): string {
  return policy.algorithm === "token-bucket"
    ? `${policy.algorithm}:${policy.capacity}:${policy.refillPerSecond}`
    : `${policy.algorithm}:${policy.limit}:${policy.windowMs}`;
}
