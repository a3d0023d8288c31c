import { createRouter } from "../../../lib/create-router";
import * as handlers from "./roles.handlers";
import * as routes from "./roles.routes";

/** Routes under `/v1/workspaces`; mounted by ./index.ts. A workspace's custom roles: list, add, change, delete. */
export const rolesRoutes = createRouter()
  .openapi(routes.listRoles, handlers.listRoles)
  .openapi(routes.createRole, handlers.createRole)
  .openapi(routes.updateRole, handlers.updateRole)
  .openapi(routes.deleteRole, handlers.deleteRole);
