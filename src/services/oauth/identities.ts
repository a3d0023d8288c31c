import { asc, eq, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { userIdentities } from "../../db/schema";
import type { Clock } from "../../lib/clock";
import { ApiError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import type { RequestMeta } from "../../lib/request-meta";
import { at as timestamp } from "../workspaces/sql";
import type { OAuthProviderName } from "./types";

export interface IdentityDeps {
  db: Database;
  clock: Clock;
}

/** A linked provider account as `GET /v1/me/identities` shows it. */
export interface IdentitySummary {
  id: string;
  provider: OAuthProviderName;
  email: string | null;
  createdAt: Date;
}

/** The user's linked provider accounts (one per provider at most): one round trip. */
export function listIdentities(deps: Pick<IdentityDeps, "db">, userId: string): Promise<IdentitySummary[]> {
  return deps.db.http
    .select({ id: userIdentities.id, provider: userIdentities.provider, email: userIdentities.email, createdAt: userIdentities.createdAt })
    .from(userIdentities)
    .where(eq(userIdentities.userId, userId))
    .orderBy(asc(userIdentities.provider));
}

/**
 * Unlinks the user's account of `provider` with its `identity.unlinked` audit row, in one batch (one
 * round trip): the user's row is locked first, so two unlinks at once are decided one after the other
 * and cannot both remove what the other counted on. Refused (409) when the account would be left
 * with no password and no other provider; 404 when nothing of that provider is linked.
 */
export async function unlinkIdentity(deps: IdentityDeps, userId: string, provider: OAuthProviderName, meta: RequestMeta): Promise<void> {
  const now = new Date(deps.clock());
  const [, result] = await deps.db.http.batch([
    deps.db.http.execute(sql`select id from users where id = ${userId} for no key update`),
    deps.db.http.execute(sql`
      with target as (
        select id from user_identities where user_id = ${userId} and provider = ${provider}
      ),
      removed as (
        delete from user_identities
        where id in (select id from target)
          and (exists (select 1 from users where id = ${userId} and password_hash is not null)
               or exists (select 1 from user_identities where user_id = ${userId} and provider <> ${provider}))
        returning id
      ),
      audited as (
        insert into audit_log (id, actor_id, action, target_type, target_id, details, ip, user_agent, request_id, created_at)
        select ${newId("audit")}, ${userId}, 'identity.unlinked', 'identity', removed.id, jsonb_build_object('provider', ${provider}::text),
          ${meta.ip}, ${meta.userAgent}, ${meta.requestId}, ${timestamp(now)}
        from removed
      )
      select exists (select 1 from target) as found, exists (select 1 from removed) as removed`),
  ]);
  const row = result.rows[0] as { found: boolean; removed: boolean };
  if (!row.found) throw new ApiError("NOT_FOUND");
  if (!row.removed) throw new ApiError("CONFLICT", { detail: "identityLastSignIn" });
}
