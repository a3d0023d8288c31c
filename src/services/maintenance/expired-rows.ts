import { sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { at } from "../workspaces/sql";

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

/**
 * How long past its expiry each kind of row is kept before the purge removes it: long enough to
 * answer "what happened" about a recent sign-in or mail, short enough that dead rows do not pile up.
 * OAuth attempts and exchange codes live minutes and prove nothing afterwards.
 */
export const EXPIRED_ROW_GRACE_MS = {
  sessions: 7 * DAY,
  oneTimeTokens: 7 * DAY,
  oauthStates: HOUR,
  oauthExchangeCodes: HOUR,
  invitations: 30 * DAY,
  ipRules: 7 * DAY,
} as const;

export type ExpiredRowKind = keyof typeof EXPIRED_ROW_GRACE_MS;

/** Rows of each kind one run deletes at most; a backlog drains over the next hourly runs. */
export const EXPIRED_ROW_BATCH_SIZE = 1000;

/**
 * Deletes rows whose expiry passed more than their grace (EXPIRED_ROW_GRACE_MS): sessions (their
 * refresh tokens cascade), one-time tokens, OAuth attempts and exchange codes, invitations that ran
 * out unaccepted (accepted ones are history) and timed IP rules. At most `limit` of each, each found
 * through its expiry index; one statement, one round trip. Returns how many of each went.
 */
export async function purgeExpiredRows(db: Database, now: number, limit = EXPIRED_ROW_BATCH_SIZE): Promise<Record<ExpiredRowKind, number>> {
  const before = (kind: ExpiredRowKind) => at(new Date(now - EXPIRED_ROW_GRACE_MS[kind]));
  const result = await db.http.execute(sql`
    with
      sessions_gone as (
        delete from sessions where id in (select id from sessions where expires_at < ${before("sessions")} limit ${limit}) returning 1),
      tokens_gone as (
        delete from one_time_tokens where token_hash in (select token_hash from one_time_tokens where expires_at < ${before("oneTimeTokens")} limit ${limit}) returning 1),
      states_gone as (
        delete from oauth_states where state_hash in (select state_hash from oauth_states where expires_at < ${before("oauthStates")} limit ${limit}) returning 1),
      codes_gone as (
        delete from oauth_exchange_codes where code_hash in (select code_hash from oauth_exchange_codes where expires_at < ${before("oauthExchangeCodes")} limit ${limit}) returning 1),
      invitations_gone as (
        delete from workspace_invitations where id in (
          select id from workspace_invitations where accepted_at is null and expires_at < ${before("invitations")} limit ${limit}) returning 1),
      rules_gone as (
        delete from ip_rules where id in (select id from ip_rules where expires_at < ${before("ipRules")} limit ${limit}) returning 1)
    select
      (select count(*) from sessions_gone)::int as sessions,
      (select count(*) from tokens_gone)::int as one_time_tokens,
      (select count(*) from states_gone)::int as oauth_states,
      (select count(*) from codes_gone)::int as oauth_exchange_codes,
      (select count(*) from invitations_gone)::int as invitations,
      (select count(*) from rules_gone)::int as ip_rules`);
  const row = result.rows[0] as Record<string, number>;
  return {
    sessions: row.sessions!,
    oneTimeTokens: row.one_time_tokens!,
    oauthStates: row.oauth_states!,
    oauthExchangeCodes: row.oauth_exchange_codes!,
    invitations: row.invitations!,
    ipRules: row.ip_rules!,
  };
}
