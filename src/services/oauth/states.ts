import { and, eq, gt, inArray, isNull, lt } from "drizzle-orm";
import type { Database } from "../../db/client";
import { oauthStates } from "../../db/schema";
import type { Clock } from "../../lib/clock";
import { hashOpaqueToken } from "../../lib/tokens";
import type { AuthorizationRequest, OAuthProviderName } from "./types";

/** How long a sign-in may take between `/start` and the callback. */
export const STATE_TTL_MS = 10 * 60_000;
/** Expired attempts each new one deletes: the table stays small without a job of its own. */
const PURGED_PER_START = 20;

export interface StateDeps {
  db: Database;
  clock: Clock;
}

/** An attempt the callback redeemed: what `/start` kept for it. */
export interface RedeemedState {
  provider: OAuthProviderName;
  codeVerifier: string;
  nonce: string | null;
  returnTo: string;
  linkUserId: string | null;
}

/**
 * Keeps a new attempt (its state by hash, the verifier and nonce, where to return, whom to link to)
 * and deletes a few expired ones, in one batch: one round trip.
 */
export async function saveState(deps: StateDeps, provider: OAuthProviderName, request: AuthorizationRequest, target: { returnTo: string; linkUserId: string | null }): Promise<void> {
  const now = deps.clock();
  const expired = deps.db.http.select({ stateHash: oauthStates.stateHash }).from(oauthStates).where(lt(oauthStates.expiresAt, new Date(now))).limit(PURGED_PER_START);
  await deps.db.http.batch([
    deps.db.http.delete(oauthStates).where(inArray(oauthStates.stateHash, expired)),
    deps.db.http.insert(oauthStates).values({
      stateHash: await hashOpaqueToken(request.state),
      provider,
      codeVerifier: request.codeVerifier,
      nonce: request.nonce,
      returnTo: target.returnTo,
      linkUserId: target.linkUserId,
      createdAt: new Date(now),
      expiresAt: new Date(now + STATE_TTL_MS),
    }),
  ]);
}

/**
 * Spends the attempt of `state` for `provider`, once: one conditional update (one round trip), so of
 * two callbacks with the same state exactly one gets it. Unknown, used, expired or of another
 * provider: undefined.
 */
export async function redeemState(deps: StateDeps, provider: OAuthProviderName, state: string): Promise<RedeemedState | undefined> {
  const now = new Date(deps.clock());
  const [row] = await deps.db.http
    .update(oauthStates)
    .set({ usedAt: now })
    .where(and(eq(oauthStates.stateHash, await hashOpaqueToken(state)), eq(oauthStates.provider, provider), isNull(oauthStates.usedAt), gt(oauthStates.expiresAt, now)))
    .returning({
      provider: oauthStates.provider,
      codeVerifier: oauthStates.codeVerifier,
      nonce: oauthStates.nonce,
      returnTo: oauthStates.returnTo,
      linkUserId: oauthStates.linkUserId,
    });
  return row;
}
