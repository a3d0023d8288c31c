import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "../../../lib/app-env";
import { ApiError, invalidField } from "../../../lib/errors";
import { requestLog } from "../../../middleware/logger";
import type { OAuthAccountDeps } from "../../../services/oauth/accounts";
import { oauthProvider } from "../../../services/oauth/providers";
import { resolveReturnTo } from "../../../services/oauth/return-to";
import { STATE_TTL_MS } from "../../../services/oauth/states";
import type { OAuthProvider, OAuthProviderName } from "../../../services/oauth/types";

/** The cookie binding an attempt to the browser that started it: it holds the state. */
const STATE_COOKIE = "oauth_state";

const callbackPath = (provider: OAuthProviderName) => `/v1/auth/oauth/${provider}/callback`;

/** The provider `name`; 404 when it is not configured here. */
export function providerFor(c: Context<AppEnv>, name: OAuthProviderName): OAuthProvider {
  const provider = oauthProvider(c.var.config, name, { clock: c.var.services.clock, log: requestLog(c) });
  if (!provider) throw new ApiError("NOT_FOUND", { detail: "oauthProviderOff", params: { provider: name } });
  return provider;
}

export function oauthDeps(c: Context<AppEnv>): OAuthAccountDeps {
  return { db: c.var.services.db, clock: c.var.services.clock };
}

/** `returnTo` as an absolute URL on the web app or an allowed origin (APP_URL's root by default); 400 otherwise. */
export function returnTo(c: Context<AppEnv>, value: string | undefined): string {
  const { APP_URL, OAUTH_RETURN_ORIGINS } = c.var.config;
  const resolved = resolveReturnTo(value ?? "/", { appUrl: APP_URL, origins: OAUTH_RETURN_ORIGINS });
  if (!resolved) throw invalidField("returnTo", "must be a path on the web app or a URL on an allowed origin");
  return resolved;
}

/** Sets the state cookie: HttpOnly, Secure, SameSite=Lax (sent on the provider's top-level redirect back), only to the callback, 10 minutes. */
export function setStateCookie(c: Context<AppEnv>, provider: OAuthProviderName, state: string): void {
  setCookie(c, STATE_COOKIE, state, { path: callbackPath(provider), httpOnly: true, secure: true, sameSite: "Lax", maxAge: STATE_TTL_MS / 1000 });
}

/** The state cookie the browser sent, cleared in the answer: an attempt is finished once. */
export function takeStateCookie(c: Context<AppEnv>, provider: OAuthProviderName): string | undefined {
  const state = getCookie(c, STATE_COOKIE);
  if (state !== undefined) deleteCookie(c, STATE_COOKIE, { path: callbackPath(provider), httpOnly: true, secure: true, sameSite: "Lax" });
  return state;
}
