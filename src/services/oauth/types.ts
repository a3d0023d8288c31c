import type { OAUTH_PROVIDERS } from "../../db/schema";

export type OAuthProviderName = (typeof OAUTH_PROVIDERS)[number];

/** Who the provider says signed in: its stable subject, and the address it vouches for, if any. */
export interface ProviderIdentity {
  provider: OAuthProviderName;
  /** Google's `sub`, GitHub's numeric user id as text. */
  subject: string;
  /** Lowercase; null when the provider gave none. */
  email: string | null;
  /** Whether the provider asserts that the address is the user's. */
  emailVerified: boolean;
  name: string | null;
}

/** What `/start` keeps for the callback and sends the browser to. */
export interface AuthorizationRequest {
  state: string;
  codeVerifier: string;
  /** OpenID providers only. */
  nonce: string | null;
  url: URL;
}

/**
 * Why a sign-in or link ended without one, as the callback tells the client in `?error=` (the values
 * are part of the contract):
 * - `access_denied`: the user cancelled at the provider;
 * - `provider_refused`: the provider refused the code, or its ID token failed verification;
 * - `email_not_verified`: the provider vouches for no address, so no account is made or matched;
 * - `account_exists`: an account has this address but its own is not verified: sign in with the
 *   password and link the provider from there;
 * - `identity_in_use`: this provider account is linked to another user;
 * - `provider_already_linked`: the user has another account of this provider linked;
 * - `account_unavailable`: the account to link to is gone.
 */
export const OAUTH_FAILURES = [
  "access_denied",
  "provider_refused",
  "email_not_verified",
  "account_exists",
  "identity_in_use",
  "provider_already_linked",
  "account_unavailable",
] as const;
export type OAuthFailure = (typeof OAUTH_FAILURES)[number];

/** A sign-in that ends with `?error=` at the client rather than a problem: the state was good. */
export class OAuthFlowError extends Error {
  override readonly name = "OAuthFlowError";
  constructor(readonly reason: OAuthFailure) {
    super(reason);
  }
}

/** One sign-in provider, behind which its endpoints, scopes and answers stay. */
export interface OAuthProvider {
  readonly name: OAuthProviderName;
  /** A fresh state, PKCE verifier (and nonce) and the URL that sends the browser to the provider with them. */
  authorizationRequest(): AuthorizationRequest;
  /** Trades the code for who signed in; OAuthFlowError when the provider refuses, a 502 ApiError when it fails. */
  identify(code: string, attempt: { codeVerifier: string; nonce: string | null }): Promise<ProviderIdentity>;
}
