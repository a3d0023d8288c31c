import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../lib/app-env";
import { ApiError } from "../lib/errors";

/**
 * After `authenticate({ apiKeys: true })`: lets through a signed-in user only, for what a key may
 * never do (create a workspace, list one's own, accept an invitation). A key gets the 401 an invalid
 * access token gets.
 */
export function requireUser(): MiddlewareHandler<AppEnv> {
  return async function requireUser(c, next) {
    if (!c.var.auth) throw new ApiError("UNAUTHORIZED", { headers: { "WWW-Authenticate": 'Bearer realm="api", error="invalid_token"' } });
    await next();
  };
}
