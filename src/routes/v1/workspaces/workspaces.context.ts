import type { Context } from "hono";
import type { AppEnv } from "../../../lib/app-env";
import type { WorkspaceAccess } from "../../../services/workspaces/access";
import type { WorkspaceDeps } from "../../../services/workspaces/workspaces";

/** The caller's access to the workspace in the path; only on routes behind `workspaceAccess()`. */
export function currentWorkspace(c: Context<AppEnv>): WorkspaceAccess {
  const workspace = c.var.workspace;
  if (!workspace) throw new Error("currentWorkspace() on a route without workspaceAccess()");
  return workspace;
}

/** The workspace services' dependencies, from the request's services. */
export function workspaceDeps(c: Context<AppEnv>): WorkspaceDeps {
  return { db: c.var.services.db, clock: c.var.services.clock };
}
