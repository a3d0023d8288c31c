import type { MiddlewareHandler } from "hono";
import type { AppEnv, AuthContext } from "../lib/app-env";
import { ApiError } from "../lib/errors";

/**
 * Lets only users of platform role `role` through, after `authenticate()`; anyone else gets 403
 * FORBIDDEN (a route without `authenticate()` in front lets nobody through). The role is the one the
 * session check saw, so a demotion takes effect within SESSION_CHECK_TTL_SECONDS.
 * @example router.use("*", authenticate(), requireRole("admin"))
 */
export function requireRole(role: AuthContext["role"]): MiddlewareHandler<AppEnv> {
  return async function requireRole(c, next) {
    if (c.var.auth?.role !== role) throw new ApiError("FORBIDDEN");
    await next();
  };
}
