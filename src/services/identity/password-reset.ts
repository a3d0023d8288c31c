import { sql } from "drizzle-orm";
import { hashPassword } from "../../lib/passwords";
import type { RequestMeta } from "../../lib/request-meta";
import type { Locale, MailMessage } from "../mail/message";
import type { AccountDeps } from "./account-deps";
import { auditFrom } from "./audit-from";
import { normalizeEmail } from "./emails";
import { forgetUser } from "./profile-cache";
import { invalidToken, newOneTimeToken, presentedTokenHash, redeemableToken, redeemToken } from "./one-time-tokens";

/**
 * Starts a password reset: one statement stores a reset token and the audit row when the address has
 * an account, and does nothing else otherwise (one round trip either way). Returns the mail to send,
 * or nothing for an unknown address; the caller answers both alike and sends after answering.
 */
export async function requestPasswordReset(deps: AccountDeps, input: { email: string }, meta: RequestMeta): Promise<MailMessage | undefined> {
  const email = normalizeEmail(input.email);
  const now = new Date(deps.clock());
  const reset = await newOneTimeToken("password_reset", now.getTime());
  const result = await deps.db.http.execute(sql`
    with account as (select id, email, locale from users where email = ${email} and deleted_at is null),
    reset as (
      insert into one_time_tokens (token_hash, user_id, purpose, email, created_at, expires_at)
      select ${reset.tokenHash}, id, 'password_reset', email, ${now.toISOString()}::timestamptz, ${reset.expiresAt.toISOString()}::timestamptz
      from account
    ),
    audited as (${auditFrom("account", "password.reset_requested", null, meta, now)})
    select email, locale from account`);
  const row = result.rows[0] as { email: string; locale: Locale } | undefined;
  return row && { template: "reset-password", to: row.email, locale: row.locale, token: reset.token };
}

/** What a reset changed: the sessions it ended, for the isolate's cache, and the notice to send. */
export interface ResetOutcome {
  userId: string;
  endedSessionIds: string[];
  mail: MailMessage;
}

/**
 * Sets a new password with a reset token. A token that cannot be redeemed is refused before the
 * password is hashed (a first round trip that only reads). Then one statement redeems the token, sets
 * the password, ends every session of the account (reason `password_reset`) and writes the audit row:
 * all or nothing, and of two concurrent resets with one token only one does any of it. Throws
 * INVALID_TOKEN.
 */
export async function resetPassword(deps: AccountDeps, input: { token: unknown; password: string }, meta: RequestMeta): Promise<ResetOutcome> {
  const tokenHash = await presentedTokenHash("password_reset", input.token);
  const now = new Date(deps.clock());
  const found = await deps.db.http.execute(redeemableToken(tokenHash, "password_reset", now));
  if (found.rows.length === 0) throw invalidToken();

  const passwordHash = await hashPassword(input.password);
  const at = now.toISOString();
  // The sessions clause is endSessionsQuery's update, for the user the redemption names: a separate
  // statement could not depend on this one's redemption without a second round trip.
  const result = await deps.db.http.execute(sql`
    with redeemed as (${redeemToken(tokenHash, "password_reset", now)}),
    changed as (
      update users set password_hash = ${passwordHash}, updated_at = ${at}::timestamptz
      from redeemed
      where users.id = redeemed.user_id and users.email = redeemed.email and users.deleted_at is null
      returning users.id, users.email, users.locale
    ),
    ended as (
      update sessions set revoked_at = ${at}::timestamptz, revoked_reason = 'password_reset'
      where user_id in (select id from changed) and revoked_at is null
      returning id
    ),
    audited as (${auditFrom("changed", "password.reset", "user", meta, now)})
    select id, email, locale, array(select id from ended) as ended_session_ids from changed`);
  const row = result.rows[0] as { id: string; email: string; locale: Locale; ended_session_ids: string[] } | undefined;
  if (!row) throw invalidToken();
  // The profile shows updatedAt, which the new password moved.
  await forgetUser(deps.cache, row.id);
  return { userId: row.id, endedSessionIds: row.ended_session_ids, mail: { template: "password-changed", to: row.email, locale: row.locale } };
}
