import type { Context } from "hono";
import type { AppEnv } from "../../../lib/app-env";
import type { AppRouteHandler } from "../../../lib/create-router";
import { requestMeta } from "../../../lib/request-meta";
import type { InvitationDeps } from "../../../services/workspaces/invitations-common";
import { acceptInvitation as accept, declineInvitation as decline } from "../../../services/workspaces/invitations-redeem";
import { currentAuth } from "../auth/context";
import type { AcceptInvitationRoute, DeclineInvitationRoute } from "./invitations.routes";

export const acceptInvitation: AppRouteHandler<AcceptInvitationRoute> = async (c) => {
  const membership = await accept(invitationDeps(c), currentAuth(c).userId, c.req.valid("json").token, requestMeta(c));
  return c.json(membership, 200);
};

export const declineInvitation: AppRouteHandler<DeclineInvitationRoute> = async (c) => {
  // Public; a valid access token sent along (the app's optional authentication read it) names the actor.
  await decline(invitationDeps(c), c.var.auth?.userId ?? null, c.req.valid("json").token, requestMeta(c));
  return c.body(null, 204);
};

function invitationDeps(c: Context<AppEnv>): InvitationDeps {
  return { db: c.var.services.db, clock: c.var.services.clock };
}
