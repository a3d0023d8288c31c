import type { Context } from "hono";
import type { AppEnv } from "../../../lib/app-env";
import type { AppRouteHandler } from "../../../lib/create-router";
import { negotiateLanguage } from "../../../lib/i18n";
import { requestMeta } from "../../../lib/request-meta";
import type { WorkspaceAccess } from "../../../services/workspaces/access";
import type { Invitation, InvitationDeps } from "../../../services/workspaces/invitations-common";
import * as invitations from "../../../services/workspaces/invitations";
import { queueMail } from "../auth/account-context";
import type { CreateInvitationRoute, ListInvitationsRoute, ResendInvitationRoute, RevokeInvitationRoute } from "./invitations.routes";

export const createInvitation: AppRouteHandler<CreateInvitationRoute> = async (c) => {
  const { email, role, customRoleId } = c.req.valid("json");
  // The schema lets exactly one of the two through.
  const input = role !== undefined ? { email, role } : { email, customRoleId: customRoleId! };
  const { invitation, mail } = await invitations.createInvitation(invitationDeps(c), workspace(c), input, requestLocale(c), requestMeta(c));
  queueMail(c, mail);
  return c.json(toResponse(invitation), 201);
};

export const listInvitations: AppRouteHandler<ListInvitationsRoute> = async (c) => {
  const list = await invitations.listInvitations(invitationDeps(c), workspace(c));
  return c.json({ invitations: list.map(toResponse) }, 200);
};

export const revokeInvitation: AppRouteHandler<RevokeInvitationRoute> = async (c) => {
  await invitations.revokeInvitation(invitationDeps(c), workspace(c), c.req.valid("param").invitationId, requestMeta(c));
  return c.body(null, 204);
};

export const resendInvitation: AppRouteHandler<ResendInvitationRoute> = async (c) => {
  const { invitation, mail } = await invitations.resendInvitation(invitationDeps(c), workspace(c), c.req.valid("param").invitationId, requestLocale(c), requestMeta(c));
  queueMail(c, mail);
  return c.json(toResponse(invitation), 200);
};

function invitationDeps(c: Context<AppEnv>): InvitationDeps {
  return { db: c.var.services.db, clock: c.var.services.clock };
}

/** The caller's access, which `workspaceRoute`'s guard has set. */
function workspace(c: Context<AppEnv>): WorkspaceAccess {
  const access = c.var.workspace;
  if (!access) throw new Error("an invitation route without workspaceAccess()");
  return access;
}

/** The mail's language for an address without an account: the inviter's. */
const requestLocale = (c: Context<AppEnv>) => negotiateLanguage(c.req.header("Accept-Language"));

/** An invitation as the API shows it: times in ISO 8601. */
function toResponse(invitation: Invitation) {
  return {
    ...invitation,
    lastSentAt: invitation.lastSentAt.toISOString(),
    createdAt: invitation.createdAt.toISOString(),
    expiresAt: invitation.expiresAt.toISOString(),
  };
}
