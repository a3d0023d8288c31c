import { createRouter } from "../../../lib/create-router";
import * as handlers from "./members.handlers";
import * as routes from "./members.routes";

/** Routes under `/v1/workspaces`; mounted by ./index.ts. A workspace's members: list, change a role, remove, leave. */
export const membersRoutes = createRouter()
  .openapi(routes.listMembers, handlers.listMembers)
  .openapi(routes.changeMemberRole, handlers.changeMemberRole)
  .openapi(routes.removeMember, handlers.removeMember)
  .openapi(routes.leaveWorkspace, handlers.leaveWorkspace);
