import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { oauthExchangeCodes, users } from "../../db/schema";
import { ApiError } from "../../lib/errors";
import type { RequestMeta } from "../../lib/request-meta";
import { hashOpaqueToken } from "../../lib/tokens";
import { auditInsert } from "../identity/audit";
import { openSession, type SessionDeps, type TokenPair } from "../identity/sessions";

/** A code is 256 bits in base64url: 43 characters. */
const EXCHANGE_CODE = /^[A-Za-z0-9_-]{43}$/;

/**
 * Trades the callback's one-time code for a token pair: two round trips (the code spent by one
 * conditional update, so of two trades exactly one succeeds; then the new session, its refresh token
 * and the `login.succeeded` audit row in one batch). Unknown, used or expired codes, and codes of an
 * account deleted since, are one 400 INVALID_TOKEN.
 */
export async function exchangeCode(deps: SessionDeps, code: string, meta: RequestMeta): Promise<TokenPair> {
  if (!EXCHANGE_CODE.test(code)) throw invalidCode();
  const now = new Date(deps.clock());
  const [redeemed] = await deps.db.http
    .update(oauthExchangeCodes)
    .set({ usedAt: now })
    .where(
      and(
        eq(oauthExchangeCodes.codeHash, await hashOpaqueToken(code)),
        isNull(oauthExchangeCodes.usedAt),
        gt(oauthExchangeCodes.expiresAt, now),
        sql`exists (select 1 from ${users} where ${users.id} = ${oauthExchangeCodes.userId} and ${users.deletedAt} is null)`,
      ),
    )
    .returning({ userId: oauthExchangeCodes.userId, provider: oauthExchangeCodes.provider });
  if (!redeemed) throw invalidCode();
  const { sessionId, queries, tokens } = await openSession(deps, redeemed.userId, meta);
  await deps.db.http.batch([
    ...queries,
    auditInsert(deps.db, { action: "login.succeeded", actorId: redeemed.userId, target: { type: "session", id: sessionId }, details: { provider: redeemed.provider } }, meta, now),
  ]);
  return tokens;
}

function invalidCode(): ApiError {
  return new ApiError("INVALID_TOKEN", { detail: "oauthCodeInvalid" });
}
