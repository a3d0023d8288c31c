import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../lib/app-env";
import { ApiError } from "../lib/errors";
import { isId } from "../lib/ids";
import type { Permission } from "../lib/permissions";
import { apiKeyAccess, memberAccess } from "../services/workspaces/access";

/**
 * Resolves the `workspaceId` path parameter against who is asking, after `authenticate()`: a member
 * gets their role's permissions (one round trip, every request, so a removal counts at once), an API
 * key its scopes in its own workspace. A workspace the caller does not belong to, a deleted one and a
 * malformed id are all 404: nobody learns that another tenant's workspace exists. Platform admins are
 * no exception.
 */
export function workspaceAccess(): MiddlewareHandler<AppEnv> {
  return async function workspaceAccess(c, next) {
    const workspaceId = c.req.param("workspaceId");
    if (!workspaceId || !isId("workspace", workspaceId)) throw new ApiError("NOT_FOUND");
    const { apiKey, auth } = c.var;
    const access = apiKey ? (apiKey.workspaceId === workspaceId ? apiKeyAccess(apiKey) : undefined) : auth ? await memberAccess(c.var.services.db, workspaceId, auth.userId) : undefined;
    if (!access) throw new ApiError("NOT_FOUND");
    c.set("workspace", access);
    await next();
  };
}

/** Lets through a caller whose access to the workspace includes `permission`; anyone else gets 403. */
export function requirePermission(permission: Permission): MiddlewareHandler<AppEnv> {
  return async function requirePermission(c, next) {
    if (!c.var.workspace?.permissions.has(permission)) throw new ApiError("FORBIDDEN", { detail: "missingPermission", params: { permission } });
    await next();
  };
}
