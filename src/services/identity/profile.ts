import { and, eq, isNull } from "drizzle-orm";
import { userIdentities, users } from "../../db/schema";
import { ApiError } from "../../lib/errors";
import type { RequestMeta } from "../../lib/request-meta";
import type { Locale } from "../mail/message";
import type { AccountDeps } from "./account-deps";
import { auditInsert } from "./audit";
import { forgetUser, PROFILE_CACHING, userFamily } from "./profile-cache";
import { endSessionsQuery } from "./sessions";
import { profileColumns, type UserProfile } from "./users";

/** The account's profile: one round trip. Throws UNAUTHORIZED when the account is gone. */
export async function getProfile(deps: Pick<AccountDeps, "db">, userId: string): Promise<UserProfile> {
  const [profile] = await deps.db.http.select(profileColumns).from(users).where(and(eq(users.id, userId), isNull(users.deletedAt)));
  if (!profile) throw new ApiError("UNAUTHORIZED");
  return profile;
}

/** The account's profile, from the cache when it holds it (no round trip), else one round trip. Throws UNAUTHORIZED when the account is gone. */
export function readProfile(deps: Pick<AccountDeps, "db" | "cache">, userId: string): Promise<UserProfile> {
  return deps.cache.read(userFamily(userId), "profile", () => getProfile(deps, userId), PROFILE_CACHING);
}

/** What a user may change of their own profile; nothing else is ever read from the request. */
export interface ProfileChanges {
  name?: string | null;
  locale?: Locale;
}

/** Updates the profile with its audit row in one batch (one round trip), drops the cached one; returns the new profile. */
export async function updateProfile(deps: AccountDeps, userId: string, changes: ProfileChanges, meta: RequestMeta): Promise<UserProfile> {
  const at = new Date(deps.clock());
  const [[profile]] = await deps.db.http.batch([
    deps.db.http
      .update(users)
      .set({ ...pick(changes), updatedAt: at })
      .where(and(eq(users.id, userId), isNull(users.deletedAt)))
      .returning(profileColumns),
    auditInsert(deps.db, { action: "user.updated", actorId: userId, target: { type: "user", id: userId } }, meta, at),
  ]);
  if (!profile) throw new ApiError("UNAUTHORIZED");
  await forgetUser(deps.cache, userId);
  return profile;
}

// Only the two columns by name: what the schema let through is still never spread into an update.
function pick({ name, locale }: ProfileChanges): ProfileChanges {
  return { ...(name === undefined ? {} : { name }), ...(locale === undefined ? {} : { locale }) };
}

/**
 * Deletes the account softly (the row stays, hidden, and its address is free again), ends every
 * session with reason `account_deleted`, unlinks its provider accounts and writes the audit row, in one batch (one round trip).
 * Drops the cached profile. Returns the ended sessions, for the isolate's cache.
 */
export async function deleteAccount(deps: AccountDeps, userId: string, meta: RequestMeta): Promise<{ endedSessionIds: string[] }> {
  const at = new Date(deps.clock());
  const [, ended] = await deps.db.http.batch([
    deps.db.http.update(users).set({ deletedAt: at, updatedAt: at }).where(and(eq(users.id, userId), isNull(users.deletedAt))),
    endSessionsQuery(deps.db, { userId }, "account_deleted", at),
    // Its provider accounts are let go: they may sign up again, like its address.
    deps.db.http.delete(userIdentities).where(eq(userIdentities.userId, userId)),
    auditInsert(deps.db, { action: "user.deleted", actorId: userId, target: { type: "user", id: userId } }, meta, at),
  ]);
  await forgetUser(deps.cache, userId);
  return { endedSessionIds: ended.map((row) => row.id) };
}
