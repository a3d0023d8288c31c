import { z } from "zod";
import { LOCALES, USER_ROLES } from "../../db/schema";
import type { Cache, CacheReadOptions } from "../../lib/cache";
import type { UserProfile } from "./users";

/**
 * How long Redis serves a profile. Every write that changes the profile invalidates it first; this
 * bounds how long a value can outlive a change whose invalidation Redis did not take (Redis failing
 * at that moment but not at the next read).
 */
export const PROFILE_CACHE_TTL_SECONDS = 300;

/** A user's cached values, all under their id, and only theirs: one INCR drops them all. */
export const userFamily = (userId: string) => `user:${userId}`;

/** The profile as Redis gives it back (JSON): times as ISO strings, revived here. */
const CachedProfileSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    emailVerifiedAt: z.coerce.date().nullable(),
    name: z.string().nullable(),
    locale: z.enum(LOCALES),
    role: z.enum(USER_ROLES),
    createdAt: z.coerce.date(),
    updatedAt: z.coerce.date(),
  })
  .strict();

/** How profiles are cached. */
export const PROFILE_CACHING: CacheReadOptions<UserProfile> = {
  ttlSeconds: PROFILE_CACHE_TTL_SECONDS,
  // Not the isolate tier: another isolate could not hear of a change, and GET /v1/me would show an old profile.
  tiers: ["redis"],
  decode: (json) => CachedProfileSchema.parse(json),
};

/** Drops what the cache holds of the user; call it after a write that changes the profile, before answering. */
export function forgetUser(cache: Cache, userId: string): Promise<void> {
  return cache.invalidate(userFamily(userId));
}
