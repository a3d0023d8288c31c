import { sql, type SQL } from "drizzle-orm";
import { ONE_TIME_TOKEN_PURPOSES } from "../../db/schema";
import { ApiError } from "../../lib/errors";
import { createOpaqueToken, hashOpaqueToken, InvalidTokenError, parseOpaqueToken, type OpaqueTokenKind } from "../../lib/tokens";

export type OneTimeTokenPurpose = (typeof ONE_TIME_TOKEN_PURPOSES)[number];

/** How long a link in a mail works: a day to confirm an address, half an hour to reset a password. */
export const ONE_TIME_TOKEN_LIFETIME_MS: Record<OneTimeTokenPurpose, number> = {
  email_verification: 24 * 60 * 60 * 1000,
  password_reset: 30 * 60 * 1000,
};

const KIND: Record<OneTimeTokenPurpose, OpaqueTokenKind> = { email_verification: "verification", password_reset: "reset" };

/** A new token for `purpose`: the token goes into the mail, only its hash into the database. */
export async function newOneTimeToken(purpose: OneTimeTokenPurpose, now: number) {
  const token = createOpaqueToken(KIND[purpose]);
  return { token, tokenHash: await hashOpaqueToken(token), expiresAt: new Date(now + ONE_TIME_TOKEN_LIFETIME_MS[purpose]) };
}

/**
 * The hash of a presented token of `purpose`. Malformed, or of another kind: the same INVALID_TOKEN as
 * an unknown, used or expired one.
 */
export async function presentedTokenHash(purpose: OneTimeTokenPurpose, presented: unknown): Promise<string> {
  try {
    return await hashOpaqueToken(parseOpaqueToken(KIND[purpose], presented));
  } catch (error) {
    if (error instanceof InvalidTokenError) throw invalidToken(error);
    throw error;
  }
}

/** Every refusal of a one-time token; why goes to the cause, never to the client. */
export function invalidToken(cause: InvalidTokenError = new InvalidTokenError("unknown")): ApiError {
  return new ApiError("INVALID_TOKEN", { cause });
}

/**
 * The statement that redeems a token, for a `with redeemed as (…)` clause: it marks the token used
 * only if it has this purpose, is unused and unexpired, and returns its `user_id` and `email`. One
 * conditional update, never a read then a write: of two concurrent redemptions, the second waits for
 * the first's row lock, sees `used_at` set and returns nothing.
 */
export function redeemToken(tokenHash: string, purpose: OneTimeTokenPurpose, now: Date): SQL {
  const at = now.toISOString();
  return sql`update one_time_tokens set used_at = ${at}::timestamptz
    where token_hash = ${tokenHash} and purpose = ${purpose} and used_at is null and expires_at > ${at}::timestamptz
    returning user_id, email`;
}

/** Reads whether a token of `purpose` could be redeemed at `now`, without redeeming it. */
export function redeemableToken(tokenHash: string, purpose: OneTimeTokenPurpose, now: Date): SQL {
  const at = now.toISOString();
  return sql`select user_id from one_time_tokens
    where token_hash = ${tokenHash} and purpose = ${purpose} and used_at is null and expires_at > ${at}::timestamptz`;
}
