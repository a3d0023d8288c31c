import { sql } from "drizzle-orm";
import { newId } from "../../lib/ids";
import { hashPassword } from "../../lib/passwords";
import type { RequestMeta } from "../../lib/request-meta";
import type { Locale, MailMessage } from "../mail/message";
import type { AccountDeps } from "./account-deps";
import { auditFrom } from "./audit-from";
import { normalizeEmail } from "./emails";
import { newOneTimeToken } from "./one-time-tokens";

export interface Registration {
  email: string;
  /** Validated and normalised by `PasswordSchema`. */
  password: string;
  name?: string;
  /** The new account's language, from the request's Accept-Language. */
  locale: Locale;
}

/**
 * Registers an account; for an address that already has one, changes nothing. Either way the password
 * is hashed and one statement runs (one database round trip), so both cost the same, and the caller
 * answers both alike. Returns the mail to send: a verification link to a new account, a notice to an
 * existing one (in that account's language).
 */
export async function register(deps: AccountDeps, input: Registration, meta: RequestMeta): Promise<MailMessage> {
  const email = normalizeEmail(input.email);
  const now = new Date(deps.clock());
  const at = now.toISOString();
  const [passwordHash, verification] = await Promise.all([hashPassword(input.password), newOneTimeToken("email_verification", now.getTime())]);
  // The final select reads the statement's snapshot, which the `created` clause's row is not part of:
  // `existing_locale` is set only for an account that was there before.
  const result = await deps.db.http.execute(sql`
    with created as (
      insert into users (id, email, password_hash, name, locale, created_at, updated_at)
      values (${newId("user")}, ${email}, ${passwordHash}, ${input.name ?? null}, ${input.locale}, ${at}::timestamptz, ${at}::timestamptz)
      on conflict (email) where deleted_at is null do nothing
      returning id, email
    ),
    verification as (
      insert into one_time_tokens (token_hash, user_id, purpose, email, created_at, expires_at)
      select ${verification.tokenHash}, id, 'email_verification', email, ${at}::timestamptz, ${verification.expiresAt.toISOString()}::timestamptz
      from created
    ),
    audited as (${auditFrom("created", "user.registered", "user", meta, now)})
    select exists (select 1 from created) as created,
           (select locale from users where email = ${email} and deleted_at is null) as existing_locale`);
  const row = result.rows[0] as { created: boolean; existing_locale: Locale | null };
  if (row.created) return { template: "verify-email", to: email, locale: input.locale, token: verification.token };
  // A registration of the same address that committed during this statement leaves it unseen here.
  return { template: "account-exists", to: email, locale: row.existing_locale ?? input.locale };
}
