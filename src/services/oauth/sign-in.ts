import { ApiError } from "../../lib/errors";
import type { RequestMeta } from "../../lib/request-meta";
import { constantTimeEqual } from "../../lib/tokens";
import type { Locale } from "../mail/message";
import { completeCallback, type CallbackOutcome, type OAuthAccountDeps } from "./accounts";
import { redeemState, saveState } from "./states";
import { OAuthFlowError, type OAuthFailure, type OAuthProvider } from "./types";

/**
 * Starts a sign-in (or, with `linkUserId`, a link): a fresh state, PKCE verifier and nonce kept for
 * the callback (one round trip). Returns the provider's URL and the state for the browser's cookie.
 */
export async function startSignIn(deps: OAuthAccountDeps, provider: OAuthProvider, target: { returnTo: string; linkUserId: string | null }): Promise<{ url: string; state: string }> {
  const request = provider.authorizationRequest();
  await saveState(deps, provider.name, request, target);
  return { url: request.url.toString(), state: request.state };
}

/** What the provider sent back to the callback, and the state cookie the browser sent with it. */
export interface CallbackInput {
  state?: string;
  code?: string;
  /** The provider's `error`, e.g. `access_denied` when the user cancelled. */
  error?: string;
  cookieState?: string;
}

export type CallbackResult = { returnTo: string } & ({ outcome: CallbackOutcome } | { failure: OAuthFailure });

/**
 * Finishes a sign-in at the callback. The state must be the cookie's (bound to this browser) and an
 * attempt's that is unused and unexpired; it is spent before anything else, so a callback URL works
 * once. Otherwise 400 `oauthStateInvalid`, with nothing written. Then the provider is asked who
 * signed in (a 502 when it fails) and the account decided (see completeCallback). Failures the user
 * should see come back with the attempt's `returnTo`, for a redirect.
 */
export async function finishSignIn(deps: OAuthAccountDeps, provider: OAuthProvider, input: CallbackInput, context: { locale: Locale; meta: RequestMeta }): Promise<CallbackResult> {
  if (!input.state || !input.cookieState || !constantTimeEqual(input.state, input.cookieState)) throw invalidState();
  const attempt = await redeemState(deps, provider.name, input.state);
  if (!attempt) throw invalidState();
  const { returnTo } = attempt;
  if (input.error !== undefined) return { returnTo, failure: input.error === "access_denied" ? "access_denied" : "provider_refused" };
  if (!input.code) return { returnTo, failure: "provider_refused" };
  try {
    const identity = await provider.identify(input.code, attempt);
    return { returnTo, outcome: await completeCallback(deps, attempt, identity, context) };
  } catch (error) {
    if (error instanceof OAuthFlowError) return { returnTo, failure: error.reason };
    throw error;
  }
}

function invalidState(): ApiError {
  return new ApiError("BAD_REQUEST", { detail: "oauthStateInvalid" });
}
