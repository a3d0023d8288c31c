import { sql } from "drizzle-orm";
import type { RequestMeta } from "../../lib/request-meta";
import type { Locale, MailMessage } from "../mail/message";
import type { AccountDeps } from "./account-deps";
import { auditFrom } from "./audit-from";
import { forgetUser } from "./profile-cache";
import { invalidToken, newOneTimeToken, presentedTokenHash, redeemToken } from "./one-time-tokens";

/**
 * A new verification link for the account, when its address is not verified yet: one statement that
 * stores the token only for such an account (one round trip). Returns the mail to send, or nothing for
 * a verified (or deleted) account.
 */
export async function resendVerification(deps: AccountDeps, userId: string): Promise<MailMessage | undefined> {
  const now = deps.clock();
  const verification = await newOneTimeToken("email_verification", now);
  const result = await deps.db.http.execute(sql`
    with account as (
      select id, email, locale from users where id = ${userId} and deleted_at is null and email_verified_at is null
    ),
    verification as (
      insert into one_time_tokens (token_hash, user_id, purpose, email, created_at, expires_at)
      select ${verification.tokenHash}, id, 'email_verification', email, ${new Date(now).toISOString()}::timestamptz, ${verification.expiresAt.toISOString()}::timestamptz
      from account
    )
    select email, locale from account`);
  const row = result.rows[0] as { email: string; locale: Locale } | undefined;
  return row && { template: "verify-email", to: row.email, locale: row.locale, token: verification.token };
}

/**
 * Redeems a verification token and marks the address it was sent to verified, with the audit row, in
 * one statement (one round trip). The token must still name the account's address: a token for an
 * address the account no longer has verifies nothing; the cached profile is dropped. Throws
 * INVALID_TOKEN otherwise.
 */
export async function verifyEmail(deps: AccountDeps, presented: unknown, meta: RequestMeta): Promise<{ userId: string }> {
  const tokenHash = await presentedTokenHash("email_verification", presented);
  const now = new Date(deps.clock());
  const result = await deps.db.http.execute(sql`
    with redeemed as (${redeemToken(tokenHash, "email_verification", now)}),
    verified as (
      update users set email_verified_at = coalesce(users.email_verified_at, ${now.toISOString()}::timestamptz), updated_at = ${now.toISOString()}::timestamptz
      from redeemed
      where users.id = redeemed.user_id and users.email = redeemed.email and users.deleted_at is null
      returning users.id
    ),
    audited as (${auditFrom("verified", "user.email_verified", "user", meta, now)})
    select id from verified`);
  const row = result.rows[0] as { id: string } | undefined;
  if (!row) throw invalidToken();
  await forgetUser(deps.cache, row.id);
  return { userId: row.id };
}
