import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../lib/app-env";
import { ApiError } from "../lib/errors";
import { InvalidTokenError, verifyAccessToken } from "../lib/tokens";
import { checkSession } from "../services/identity/session-check";
import { requestLog } from "./logger";

const CHALLENGE = 'Bearer realm="api"';
const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/;

export interface AuthenticateOptions {
  /**
   * Establish who is asking when a valid access token says so, and let every other request through
   * anonymous; the routes that need a user still require one. For what runs before the handler and
   * depends on who is asking (the general rate limit, per user).
   */
  optional?: boolean;
  /**
   * Accept an API key as well as an access token: only on workspace routes, where a key acts as its
   * workspace. Everywhere else a key is refused like any other invalid token.
   */
  apiKeys?: boolean;
}

/**
 * Requires a valid access token: verified in the isolate against our own keys, then its session
 * checked, from the isolate's cache when it was checked less than SESSION_CHECK_TTL_SECONDS ago (no
 * round trip), otherwise in the database (one, which also loads the user for the handler). Every
 * refusal is the same 401; the reason is logged, never sent. A request an optional authentication
 * already established passes with no more work.
 */
export function authenticate({ optional = false, apiKeys = false }: AuthenticateOptions = {}): MiddlewareHandler<AppEnv> {
  return async function authenticate(c, next) {
    if (c.get("auth") || (apiKeys && c.get("apiKey"))) return next();
    const match = BEARER.exec(c.req.header("Authorization") ?? "");
    if (!match) {
      if (optional) return next();
      throw new ApiError("UNAUTHORIZED", { headers: { "WWW-Authenticate": CHALLENGE } });
    }
    const config = c.get("config");
    const services = c.get("services");
    let claims;
    try {
      claims = await verifyAccessToken(match[1]!, await services.signingKeys(), { issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE }, services.clock);
    } catch (error) {
      if (!(error instanceof InvalidTokenError)) throw error;
      // An expired token sent along to a public route (a client refreshing) is no reason to refuse it.
      if (optional) return next();
      requestLog(c).info("access token refused", { reason: error.reason });
      throw invalidToken();
    }
    const cache = services.sessionChecks;
    let check = cache.get(claims.sid);
    let user;
    if (!check || check.userId !== claims.sub) {
      const checked = await checkSession(services.db, claims.sid, claims.sub, { idleMs: config.SESSION_IDLE_TTL_SECONDS * 1000 }, services.clock());
      check = checked.check;
      user = checked.user;
      cache.set(claims.sid, check);
    }
    if (!check.active) {
      if (optional) return next();
      requestLog(c).info("access token refused", { reason: "session-ended" });
      throw invalidToken();
    }
    c.set("auth", { userId: claims.sub, sessionId: claims.sid, role: check.role, ...(user ? { user } : {}) });
    c.set("userId", claims.sub);
    await next();
  };
}

function invalidToken(): ApiError {
  return new ApiError("UNAUTHORIZED", { headers: { "WWW-Authenticate": `${CHALLENGE}, error="invalid_token"` } });
}
