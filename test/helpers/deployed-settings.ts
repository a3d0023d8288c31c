/**
 * The suite points the sign-in providers at its mock servers over plain http, which only development
 * and test accept: a test of a staging or production configuration spreads this to use the providers'
 * own endpoints (the defaults) instead.
 */
export const PRODUCTION_PROVIDER_ENDPOINTS: Record<string, undefined> = Object.fromEntries(
  ["GOOGLE_AUTHORIZATION_URL", "GOOGLE_TOKEN_URL", "GOOGLE_JWKS_URL", "GITHUB_AUTHORIZATION_URL", "GITHUB_TOKEN_URL", "GITHUB_API_URL"].map((setting) => [setting, undefined]),
);

/** The mail provider's settings, which staging and production require (its API is never called with them). */
export const DEPLOYED_MAIL_PROVIDER = { MAIL_API_URL: "https://mail.example.test/emails", MAIL_API_KEY: "re_test", MAIL_FROM: "Example <no-reply@example.test>" };

/** The bearer token of GET /metrics, which staging and production require, long enough for its rule. */
export const DEPLOYED_METRICS = { METRICS_TOKEN: "a-metrics-token-of-32-characters" };
