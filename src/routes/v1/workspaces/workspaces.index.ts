import { createRouter } from "../../../lib/create-router";
import * as handlers from "./workspaces.handlers";
import * as routes from "./workspaces.routes";

/** Routes under `/v1/workspaces`; mounted by ./index.ts. The workspaces themselves: create, list mine, read, rename, delete, restore. */
export const workspacesRoutes = createRouter()
  .openapi(routes.createWorkspace, handlers.createWorkspace)
  .openapi(routes.listWorkspaces, handlers.listWorkspaces)
  .openapi(routes.getWorkspace, handlers.getWorkspace)
  .openapi(routes.updateWorkspace, handlers.updateWorkspace)
  .openapi(routes.deleteWorkspace, handlers.deleteWorkspace)
  .openapi(routes.restoreWorkspace, handlers.restoreWorkspace);
