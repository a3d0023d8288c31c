import { and, eq, isNull } from "drizzle-orm";
import { users } from "../../db/schema";
import { ApiError } from "../../lib/errors";
import { hashPassword, verifyDummy, verifyPassword } from "../../lib/passwords";
import type { RequestMeta } from "../../lib/request-meta";
import type { MailMessage } from "../mail/message";
import type { AccountDeps } from "./account-deps";
import { auditInsert } from "./audit";
import { forgetUser } from "./profile-cache";
import { endSessionsQuery } from "./sessions";

export interface PasswordChange {
  currentPassword: string;
  /** Validated and normalised by `PasswordSchema`. */
  newPassword: string;
}

/**
 * Changes the password of the signed-in account after checking the current one: two round trips (the
 * stored hash, then one batch that sets the new hash, ends every other session with reason
 * `password_changed` and writes the audit row). The session that asked stays signed in. Throws
 * INVALID_CURRENT_PASSWORD; an account without a password (provider sign-in only) has no current
 * password to give, and sets one through a reset instead.
 */
export async function changePassword(
  deps: AccountDeps,
  auth: { userId: string; sessionId: string },
  input: PasswordChange,
  meta: RequestMeta,
): Promise<{ endedSessionIds: string[]; mail: MailMessage }> {
  const [account] = await deps.db.http
    .select({ email: users.email, locale: users.locale, passwordHash: users.passwordHash })
    .from(users)
    .where(and(eq(users.id, auth.userId), isNull(users.deletedAt)));
  if (!account) throw new ApiError("UNAUTHORIZED");
  const valid = account.passwordHash ? await verifyPassword(input.currentPassword, account.passwordHash) : await verifyDummy(input.currentPassword);
  if (!valid) throw new ApiError("INVALID_CURRENT_PASSWORD");

  const passwordHash = await hashPassword(input.newPassword);
  const at = new Date(deps.clock());
  const [, ended] = await deps.db.http.batch([
    deps.db.http.update(users).set({ passwordHash, updatedAt: at }).where(eq(users.id, auth.userId)),
    endSessionsQuery(deps.db, { userId: auth.userId, exceptSessionId: auth.sessionId }, "password_changed", at),
    auditInsert(deps.db, { action: "password.changed", actorId: auth.userId, target: { type: "user", id: auth.userId } }, meta, at),
  ]);
  // The profile shows updatedAt, which the new password moved.
  await forgetUser(deps.cache, auth.userId);
  return { endedSessionIds: ended.map((row) => row.id), mail: { template: "password-changed", to: account.email, locale: account.locale } };
}
