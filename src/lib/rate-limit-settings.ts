import { z } from "zod";
import { maxCost, RatePolicySchema, type RatePolicy } from "./rate-policy";

/** The route groups a request is limited by; each has its own policy in RATE_LIMITS. */
export const RATE_LIMIT_GROUPS = ["auth", "api", "workspace"] as const;
export type RateLimitGroup = (typeof RATE_LIMIT_GROUPS)[number];

/** One group's limit: the policy, what a request costs under it, and how long its backend may take. */
export interface GroupLimits {
  policy: RatePolicy;
  /** Units a request takes: `read` for GET, HEAD and OPTIONS, `write` for every other method. */
  cost: { read: number; write: number };
  /** Bound on each call to the backend; past it the group fails open (`api`) or closed (`auth`). */
  timeoutMs: number;
}

/**
 * The defaults. `auth` (sign-in, registration, password reset, verification mails: each hashes a
 * password or sends mail) is a token bucket per client address: a burst of 30, then one every two
 * seconds. `api` allows 600 units a minute per user or client; a write costs 5 (a database batch
 * and the cache invalidations it brings), a read 1, so 600 reads or 120 writes. `workspace` allows
 * 3000 units a minute to everyone acting in one workspace together (its members and its API keys),
 * at the same costs. Their timeouts are short because they fail open: waiting longer only holds the
 * request.
 */
export const DEFAULT_RATE_LIMITS = {
  keyPrefix: "ratelimit",
  auth: { policy: { algorithm: "token-bucket", capacity: 30, refillPerSecond: 0.5 }, cost: { read: 1, write: 1 }, timeoutMs: 1000 },
  api: { policy: { algorithm: "sliding-window", limit: 600, windowMs: 60_000 }, cost: { read: 1, write: 5 }, timeoutMs: 200 },
  workspace: { policy: { algorithm: "sliding-window", limit: 3000, windowMs: 60_000 }, cost: { read: 1, write: 5 }, timeoutMs: 200 },
} as const satisfies { keyPrefix: string } & Record<RateLimitGroup, GroupLimits>;

const cost = z.number().int().min(1);

function groupLimits(defaults: GroupLimits) {
  return z
    .object({
      policy: RatePolicySchema.default(defaults.policy),
      cost: z.object({ read: cost, write: cost }).strict().default(defaults.cost),
      timeoutMs: z.number().int().min(10).max(5000).default(defaults.timeoutMs),
    })
    .strict()
    .refine((limits) => Math.max(limits.cost.read, limits.cost.write) <= maxCost(limits.policy), {
      message: "a cost above the policy's limit could never be allowed",
      path: ["cost"],
    });
}

/**
 * Every group's limit; a group left out keeps its default. `api` and `workspace` may be `"off"` where
 * something else limits the general API (a Cloudflare rate limiting rule); `auth` is always on.
 */
export const RateLimitsSchema = z
  .object({
    /** Every counter's key starts with it: the Upstash keys, and the Durable Objects' names. */
    keyPrefix: z.string().regex(/^[\w:.-]{1,128}$/).default(DEFAULT_RATE_LIMITS.keyPrefix),
    auth: groupLimits(DEFAULT_RATE_LIMITS.auth).default(DEFAULT_RATE_LIMITS.auth),
    api: z.union([z.literal("off"), groupLimits(DEFAULT_RATE_LIMITS.api)]).default(DEFAULT_RATE_LIMITS.api),
    workspace: z.union([z.literal("off"), groupLimits(DEFAULT_RATE_LIMITS.workspace)]).default(DEFAULT_RATE_LIMITS.workspace),
  })
  .strict();

export type RateLimits = z.infer<typeof RateLimitsSchema>;

/**
 * RATE_LIMITS as the Worker gets it: a JSON string (or a table in wrangler.toml, which arrives as
 * an object); unset or empty means the defaults.
 * @example RATE_LIMITS='{"api":{"policy":{"algorithm":"sliding-window","limit":1200,"windowMs":60000}}}'
 */
export const RateLimitsSettingSchema = z.preprocess((value, context) => {
  if (value === undefined || value === "") return {};
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    context.addIssue({ code: "custom", message: "not valid JSON" });
    return z.NEVER;
  }
}, RateLimitsSchema);
