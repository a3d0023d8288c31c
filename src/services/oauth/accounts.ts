import { and, eq, inArray, lt, sql } from "drizzle-orm";
import { base64url } from "jose";
import type { BatchItem } from "drizzle-orm/batch";
import type { Database } from "../../db/client";
import { oauthExchangeCodes, userIdentities, users } from "../../db/schema";
import type { Clock } from "../../lib/clock";
import { newId } from "../../lib/ids";
import type { RequestMeta } from "../../lib/request-meta";
import { hashOpaqueToken } from "../../lib/tokens";
import { auditInsert } from "../identity/audit";
import type { Locale } from "../mail/message";
import { isUniqueViolation } from "../workspaces/sql";
import type { RedeemedState } from "./states";
import { OAuthFlowError, type ProviderIdentity } from "./types";

/** How long the web app has to trade the callback's code for a token pair. */
export const EXCHANGE_CODE_TTL_MS = 2 * 60_000;
/** Expired codes each new one deletes. */
const PURGED_PER_CODE = 20;

export interface OAuthAccountDeps {
  db: Database;
  clock: Clock;
}

/** How a callback ended: signed in (with the code for `/exchange`), or a provider linked to a signed-in user. */
export type CallbackOutcome = { kind: "signed-in"; userId: string; code: string } | { kind: "linked"; userId: string };

/** What the database knows of the identity, the address and the user linking, read in one round trip. */
interface Known {
  identityUserId: string | null;
  emailUserId: string | null;
  emailUserVerified: boolean;
  linkUserLive: boolean;
  linkUserHasProvider: boolean;
}

type Query = BatchItem<"pg">;

/**
 * Decides what the provider's answer means and writes it: two round trips (what is known, then one
 * batch with the change and its audit rows). Identity is (provider, subject), never the address alone:
 * - linking (a signed-in user started it): the identity joins that user, unless it is another's or
 *   the user has another account of the provider;
 * - a known identity signs its user in;
 * - otherwise the provider must vouch for the address: an account with that address joins the
 *   identity only when its own address is verified too, and with no account a new one is made.
 * Every refusal is an OAuthFlowError, with nothing written.
 */
export async function completeCallback(deps: OAuthAccountDeps, attempt: RedeemedState, identity: ProviderIdentity, context: { locale: Locale; meta: RequestMeta }): Promise<CallbackOutcome> {
  const known = await lookUp(deps.db, identity, attempt.linkUserId);
  const at = new Date(deps.clock());
  const { meta } = context;

  if (attempt.linkUserId) {
    const userId = attempt.linkUserId;
    if (!known.linkUserLive) throw new OAuthFlowError("account_unavailable");
    if (known.identityUserId === userId) return { kind: "linked", userId };
    if (known.identityUserId) throw new OAuthFlowError("identity_in_use");
    if (known.linkUserHasProvider) throw new OAuthFlowError("provider_already_linked");
    await write(deps.db, linkQueries(deps.db, userId, identity, at, meta, "link"));
    return { kind: "linked", userId };
  }

  const code = exchangeCode();
  const codeHash = await hashOpaqueToken(code);
  // Not awaited: a drizzle query runs when awaited, and these run in the batch. A few expired codes
  // go with each new one, so the table stays small without a job of its own.
  const expired = deps.db.http.select({ codeHash: oauthExchangeCodes.codeHash }).from(oauthExchangeCodes).where(lt(oauthExchangeCodes.expiresAt, at)).limit(PURGED_PER_CODE);
  const codeFor = (userId: string): [Query, Query] => [
    deps.db.http.delete(oauthExchangeCodes).where(inArray(oauthExchangeCodes.codeHash, expired)),
    deps.db.http.insert(oauthExchangeCodes).values({ codeHash, userId, provider: identity.provider, createdAt: at, expiresAt: new Date(at.getTime() + EXCHANGE_CODE_TTL_MS) }),
  ];

  if (known.identityUserId) {
    const userId = known.identityUserId;
    await write(deps.db, [
      ...codeFor(userId),
      deps.db.http
        .update(userIdentities)
        .set({ email: identity.email, updatedAt: at })
        .where(and(eq(userIdentities.provider, identity.provider), eq(userIdentities.subject, identity.subject))),
    ]);
    return { kind: "signed-in", userId, code };
  }

  if (!identity.email || !identity.emailVerified) throw new OAuthFlowError("email_not_verified");

  if (known.emailUserId) {
    if (!known.emailUserVerified) throw new OAuthFlowError("account_exists");
    const userId = known.emailUserId;
    await write(deps.db, [...linkQueries(deps.db, userId, identity, at, meta, "email"), ...codeFor(userId)]);
    return { kind: "signed-in", userId, code };
  }

  const userId = newId("user");
  await write(deps.db, [
    deps.db.http.insert(users).values({ id: userId, email: identity.email, emailVerifiedAt: at, passwordHash: null, name: identity.name, locale: context.locale, createdAt: at, updatedAt: at }),
    auditInsert(deps.db, { action: "user.registered", actorId: userId, target: { type: "user", id: userId }, details: { provider: identity.provider } }, meta, at),
    ...linkQueries(deps.db, userId, identity, at, meta, "registration"),
    ...codeFor(userId),
  ]);
  return { kind: "signed-in", userId, code };
}

/** The identity row and its `identity.linked` audit row; `via` says how the link was decided. */
function linkQueries(db: Database, userId: string, identity: ProviderIdentity, at: Date, meta: RequestMeta, via: "link" | "email" | "registration"): [Query, Query] {
  const id = newId("identity");
  return [
    db.http.insert(userIdentities).values({ id, userId, provider: identity.provider, subject: identity.subject, email: identity.email, createdAt: at, updatedAt: at }),
    auditInsert(db, { action: "identity.linked", actorId: userId, target: { type: "identity", id }, details: { provider: identity.provider, via } }, meta, at),
  ];
}

/** Runs the callback's batch; a concurrent callback that linked the same identity or address first is a refusal. */
async function write(db: Database, queries: Query[]): Promise<void> {
  try {
    await db.http.batch(queries as [Query, ...Query[]]);
  } catch (error) {
    if (isUniqueViolation(error, "user_identities_provider_subject_key")) throw new OAuthFlowError("identity_in_use");
    if (isUniqueViolation(error, "user_identities_user_provider_key")) throw new OAuthFlowError("provider_already_linked");
    if (isUniqueViolation(error, "users_email_key")) throw new OAuthFlowError("account_exists");
    throw error;
  }
}

async function lookUp(db: Database, identity: ProviderIdentity, linkUserId: string | null): Promise<Known> {
  const result = await db.http.execute(sql`
    select
      (select i.user_id from user_identities i join users u on u.id = i.user_id and u.deleted_at is null
        where i.provider = ${identity.provider} and i.subject = ${identity.subject}) as identity_user_id,
      e.id as email_user_id,
      e.email_verified_at is not null as email_user_verified,
      exists (select 1 from users where id = ${linkUserId} and deleted_at is null) as link_user_live,
      exists (select 1 from user_identities where user_id = ${linkUserId} and provider = ${identity.provider}) as link_user_has_provider
    from (select 1) as one
    left join users e on e.email = ${identity.email} and e.deleted_at is null`);
  const row = result.rows[0] as Record<string, unknown>;
  return {
    identityUserId: (row.identity_user_id as string | null) ?? null,
    emailUserId: (row.email_user_id as string | null) ?? null,
    emailUserVerified: row.email_user_verified === true,
    linkUserLive: row.link_user_live === true,
    linkUserHasProvider: row.link_user_has_provider === true,
  };
}

/** 256 random bits in base64url: what the web app gets in `?code=` and trades once. */
function exchangeCode(): string {
  return base64url.encode(crypto.getRandomValues(new Uint8Array(32)));
}
