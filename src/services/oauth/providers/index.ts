import type { Config } from "../../../env";
import type { Clock } from "../../../lib/clock";
import type { Logger } from "../../../lib/logger";
import type { OAuthProvider, OAuthProviderName } from "../types";
import { GitHubProvider } from "./github";
import { GoogleProvider } from "./google";

/** Where the provider sends the browser back: this API's callback for it. */
export function callbackUrl(config: Config, provider: OAuthProviderName): string {
  return new URL(`/v1/auth/oauth/${provider}/callback`, config.AUTH_ISSUER).toString();
}

/** The provider `name`, or undefined when its client id and secret are not configured (it is off). */
export function oauthProvider(config: Config, name: OAuthProviderName, deps: { clock: Clock; log: Logger }): OAuthProvider | undefined {
  const calls = { provider: name, timeoutMs: config.OAUTH_TIMEOUT_MS, log: deps.log };
  const redirectUri = callbackUrl(config, name);
  if (name === "google") {
    if (!config.GOOGLE_CLIENT_ID || !config.GOOGLE_CLIENT_SECRET) return undefined;
    return new GoogleProvider(
      {
        clientId: config.GOOGLE_CLIENT_ID,
        clientSecret: config.GOOGLE_CLIENT_SECRET,
        redirectUri,
        authorizationUrl: config.GOOGLE_AUTHORIZATION_URL,
        tokenUrl: config.GOOGLE_TOKEN_URL,
        jwksUrl: config.GOOGLE_JWKS_URL,
        issuer: config.GOOGLE_ISSUER,
      },
      calls,
      deps.clock,
    );
  }
  if (!config.GITHUB_CLIENT_ID || !config.GITHUB_CLIENT_SECRET) return undefined;
  return new GitHubProvider(
    {
      clientId: config.GITHUB_CLIENT_ID,
      clientSecret: config.GITHUB_CLIENT_SECRET,
      redirectUri,
      authorizationUrl: config.GITHUB_AUTHORIZATION_URL,
      tokenUrl: config.GITHUB_TOKEN_URL,
      apiUrl: config.GITHUB_API_URL,
    },
    calls,
  );
}
