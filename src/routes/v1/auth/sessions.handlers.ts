import type { Context } from "hono";
import type { AppEnv } from "../../../lib/app-env";
import type { AppRouteHandler } from "../../../lib/create-router";
import { ApiError } from "../../../lib/errors";
import { requestMeta } from "../../../lib/request-meta";
import { InvalidTokenError } from "../../../lib/tokens";
import { requestLog } from "../../../middleware/logger";
import { countedAuthentication } from "../../../middleware/metrics";
import { describeDevice } from "../../../services/identity/device";
import { login as loginService } from "../../../services/identity/login";
import { endSessions, listSessions as listSessionsService, refreshSession } from "../../../services/identity/sessions";
import { currentAuth, loginThrottle, sessionDeps } from "./context";
import type { ListSessionsRoute, LoginRoute, LogoutRoute, RefreshRoute, RevokeOtherSessionsRoute, RevokeSessionRoute } from "./sessions.routes";

/** Token responses must never be stored by a cache (RFC 6749 §5.1). */
const NO_STORE = { "Cache-Control": "no-store" };

export const login: AppRouteHandler<LoginRoute> = async (c) => {
  const deps = { ...sessionDeps(c), throttle: loginThrottle(c), cache: c.var.services.cache };
  const tokens = await countedAuthentication(c, "password", loginService(deps, c.req.valid("json"), requestMeta(c)));
  return c.json(tokens, 200, NO_STORE);
};

export const refresh: AppRouteHandler<RefreshRoute> = async (c) => {
  try {
    const tokens = await countedAuthentication(c, "refresh_token", refreshSession(sessionDeps(c), c.req.valid("json").refreshToken, requestMeta(c)));
    return c.json(tokens, 200, NO_STORE);
  } catch (error) {
    throw asUnauthorized(c, error);
  }
};

export const logout: AppRouteHandler<LogoutRoute> = async (c) => {
  const { userId, sessionId } = currentAuth(c);
  await endSessions(sessionDeps(c), { userId, sessionId }, "logout", "session.logged_out", requestMeta(c));
  c.var.services.sessionChecks.delete(sessionId);
  return c.body(null, 204);
};

export const listSessions: AppRouteHandler<ListSessionsRoute> = async (c) => {
  const { userId, sessionId } = currentAuth(c);
  const found = await listSessionsService(sessionDeps(c), userId);
  return c.json(
    {
      sessions: found.map((session) => ({
        id: session.id,
        device: describeDevice(session.userAgent),
        createdAt: session.createdAt.toISOString(),
        lastUsedAt: session.lastUsedAt.toISOString(),
        expiresAt: session.expiresAt.toISOString(),
        current: session.id === sessionId,
      })),
    },
    200,
    NO_STORE,
  );
};

export const revokeSession: AppRouteHandler<RevokeSessionRoute> = async (c) => {
  const { userId } = currentAuth(c);
  const { id } = c.req.valid("param");
  // Another user's session, or one that has already ended, is not found: nothing tells them apart.
  const ended = await endSessions(sessionDeps(c), { userId, sessionId: id }, "revoked", "session.revoked", requestMeta(c));
  if (ended.length === 0) throw new ApiError("NOT_FOUND");
  c.var.services.sessionChecks.delete(id);
  return c.body(null, 204);
};

export const revokeOtherSessions: AppRouteHandler<RevokeOtherSessionsRoute> = async (c) => {
  const { userId, sessionId } = currentAuth(c);
  const ended = await endSessions(sessionDeps(c), { userId, exceptSessionId: sessionId }, "revoked", "session.revoked", requestMeta(c));
  for (const id of ended) c.var.services.sessionChecks.delete(id);
  return c.json({ revoked: ended.length }, 200);
};

/** Every refused refresh token is the same 401; why is logged. */
function asUnauthorized(c: Context<AppEnv>, error: unknown): unknown {
  if (!(error instanceof InvalidTokenError)) return error;
  requestLog(c).info("refresh token refused", { reason: error.reason });
  return new ApiError("UNAUTHORIZED", { headers: { "WWW-Authenticate": 'Bearer realm="api", error="invalid_token"' } });
}
