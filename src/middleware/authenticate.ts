import type { Context, MiddlewareHandler, Next } from "hono";
import type { AppEnv } from "../lib/app-env";
import { ApiError } from "../lib/errors";
import { API_KEY_ENVIRONMENTS, InvalidTokenError, isApiKeyShaped, verifyAccessToken } from "../lib/tokens";
import { checkSession } from "../services/identity/session-check";
import { noteApiKeyUse, verifyApiKey } from "../services/workspaces/api-key-auth";
import { clientAddress } from "./ip-rules";
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
 * round trip), otherwise in the database (one, which also loads the user for the handler). With
 * `apiKeys`, a bearer value shaped like an API key is verified as one instead (see verifyApiKey) and
 * sets `apiKey`; without, it is refused unread. Every refusal is the same 401; the reason is logged,
 * never sent. A request an optional authentication already established passes with no more work.
 */
export function authenticate({ optional = false, apiKeys = false }: AuthenticateOptions = {}): MiddlewareHandler<AppEnv> {
  return async function authenticate(c, next) {
    if (c.get("auth") || (apiKeys && c.get("apiKey"))) return next();
    const match = BEARER.exec(c.req.header("Authorization") ?? "");
    if (!match) {
      if (optional) return next();
      throw new ApiError("UNAUTHORIZED", { headers: { "WWW-Authenticate": CHALLENGE } });
    }
    if (isApiKeyShaped(match[1]!)) return apiKey(c, next, match[1]!, { optional, apiKeys });
    const config = c.get("config");
    const services = c.get("services");
    let claims;
    try {
      claims = await verifyAccessToken(match[1]!, await services.signingKeys(), { issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE }, services.clock);
    } catch (error) {
      if (!(error instanceof InvalidTokenError)) throw error;
      // An expired token sent along to a public route (a client refreshing) is no reason to refuse it.
      if (optional) return next();
      throw refused(c, "access_token", error.reason);
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
      throw refused(c, "access_token", "session-ended");
    }
    c.set("auth", { userId: claims.sub, sessionId: claims.sid, role: check.role, ...(user ? { user } : {}) });
    c.set("userId", claims.sub);
    c.get("meter")?.authentication("access_token", true);
    await next();
  };
}

/**
 * The API-key half. Optional (the global pass before the rate limit): a key the isolate holds and
 * admits sets `apiKey`, so the limit counts it per key; anything else leaves the request anonymous,
 * with no database read, so a made-up key (the checksum is no secret) buys no round trip before the
 * limit. With `apiKeys` (the workspace routes, after the limit): the database is read when the
 * isolate does not know the key. Elsewhere a key is refused without being read.
 */
async function apiKey(c: Context<AppEnv>, next: Next, token: string, { optional, apiKeys }: Required<AuthenticateOptions>) {
  if (!optional && !apiKeys) throw refused(c, "api_key", "not-accepted");
  const { config, services } = c.var;
  const deps = { db: services.db, cache: services.apiKeys, clock: services.clock, environment: API_KEY_ENVIRONMENTS[config.APP_ENV] };
  const verdict = await verifyApiKey(deps, { token, address: clientAddress(c), lookup: !optional });
  if (!verdict.ok) {
    if (optional) return next();
    throw refused(c, "api_key", verdict.reason, verdict.keyId ? { keyId: verdict.keyId } : {});
  }
  c.set("apiKey", verdict.key);
  c.get("meter")?.authentication("api_key", true);
  noteApiKeyUse({ ...deps, keepAlive: (work) => services.keepAlive(work), log: () => requestLog(c) }, verdict.key.keyId);
  await next();
}

/** A refused credential: logged with its reason (never sent), counted, and answered with the one 401. */
function refused(c: Context<AppEnv>, method: "access_token" | "api_key", reason: string, fields: Record<string, string> = {}): ApiError {
  requestLog(c).info(method === "api_key" ? "api key refused" : "access token refused", { reason, ...fields });
  c.get("meter")?.authentication(method, false, reason);
  return invalidToken();
}

function invalidToken(): ApiError {
  return new ApiError("UNAUTHORIZED", { headers: { "WWW-Authenticate": `${CHALLENGE}, error="invalid_token"` } });
}
