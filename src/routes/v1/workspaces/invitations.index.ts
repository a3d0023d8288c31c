import { createRouter } from "../../../lib/create-router";
import * as handlers from "./invitations.handlers";
import * as routes from "./invitations.routes";

/** Routes under `/v1/workspaces`; mounted by ./index.ts. A workspace's invitations, for those who may invite. */
export const invitationsRoutes = createRouter()
  .openapi(routes.createInvitation, handlers.createInvitation)
  .openapi(routes.listInvitations, handlers.listInvitations)
  .openapi(routes.revokeInvitation, handlers.revokeInvitation)
  .openapi(routes.resendInvitation, handlers.resendInvitation);
