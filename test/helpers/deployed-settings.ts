/**
 * The suite points the sign-in providers at its mock servers over plain http, which only development
 * and test accept: a test of a staging or production configuration spreads this to use the providers'
 * own endpoints (the defaults) instead.
 */
export const PRODUCTION_PROVIDER_ENDPOINTS: Record<string, undefined> = Object.fromEntries(
  ["GOOGLE_AUTHORIZATION_URL", "GOOGLE_TOKEN_URL", "GOOGLE_JWKS_URL", "GITHUB_AUTHORIZATION_URL", "GITHUB_TOKEN_URL", "GITHUB_API_URL"].map((setting) => [setting, undefined]),
);
