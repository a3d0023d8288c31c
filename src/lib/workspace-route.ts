import { createRoute, z, type RouteConfig } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { idempotency } from "../middleware/idempotency";
import { rateLimit } from "../middleware/rate-limit";
import { requirePermission, workspaceAccess } from "../middleware/workspace-access";
import type { AppEnv } from "./app-env";
import { withIdempotencyKey } from "./idempotency/openapi";
import type { Permission } from "./permissions";

/** The path parameter every route under `/v1/workspaces/{workspaceId}` has; extend it with the route's own. */
export const WorkspaceParams = z.object({
  workspaceId: z.string().max(64).openapi({ param: { name: "workspaceId", in: "path" }, example: "ws_0g5k2m7x9q3w8e4r6t1y5u2i7o" }),
});

/** Either credential: a user's access token or one of the workspace's API keys (both sent as `Authorization: Bearer`). */
export const WORKSPACE_SECURITY: Array<Record<string, string[]>> = [{ bearerAuth: [] }, { apiKey: [] }];

export interface WorkspaceRouteOptions {
  /**
   * For a POST, whether it honours `Idempotency-Key` (by default it does). `false` for an answer that
   * shows a secret once (a new API key, an invitation): a secret is never stored for a replay.
   */
  idempotency?: boolean;
}

/**
 * A route inside a workspace that requires `permission`: the caller's access is resolved
 * (`workspaceAccess`, 404 for a workspace that is not theirs), counted against the workspace's rate
 * limit (the `workspace` group, only once access is known: nobody spends another tenant's budget)
 * and checked (`requirePermission`, 403) before the handler runs, and the OpenAPI operation names the
 * permission in `x-permission`. Routes made this way cannot forget any of it, and the route table
 * test reads the permission from the document. A POST honours `Idempotency-Key` (see
 * `idempotency()`) once the permission is checked, unless `options` says it may not.
 * @example export const listMembers = workspaceRoute("member:read", { method: "get", path: "/{workspaceId}/members", … })
 */
export function workspaceRoute<const R extends Omit<RouteConfig, "middleware" | "security">>(permission: Permission, route: R, options: WorkspaceRouteOptions = {}) {
  const honoursKey = route.method === "post" && options.idempotency !== false;
  const middleware: MiddlewareHandler<AppEnv>[] = [workspaceAccess(), rateLimit({ group: "workspace" }), requirePermission(permission)];
  if (honoursKey) middleware.push(idempotency());
  return createRoute({
    ...(honoursKey ? withIdempotencyKey(route) : route),
    security: WORKSPACE_SECURITY,
    middleware,
    "x-permission": permission,
    description: [route.description, `Requires the \`${permission}\` permission in the workspace.`].filter(Boolean).join("\n\n"),
  });
}
