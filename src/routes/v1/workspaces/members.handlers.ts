import type { AppRouteHandler } from "../../../lib/create-router";
import { requestMeta } from "../../../lib/request-meta";
import * as service from "../../../services/workspaces/members";
import type { Member } from "../../../services/workspaces/members";
import { revokeNotifications } from "../notifications/notifications.context";
import { currentWorkspace, workspaceDeps } from "./workspaces.context";
import type { ChangeMemberRoleRoute, LeaveWorkspaceRoute, ListMembersRoute, RemoveMemberRoute } from "./members.routes";

export const listMembers: AppRouteHandler<ListMembersRoute> = async (c) => {
  const { cursor, limit } = c.req.valid("query");
  const page = await service.listMembers(c.var.services.db, currentWorkspace(c), { cursor, limit });
  return c.json({ members: page.items.map(toResponse), nextCursor: page.nextCursor }, 200);
};

export const changeMemberRole: AppRouteHandler<ChangeMemberRoleRoute> = async (c) => {
  const { userId } = c.req.valid("param");
  const { role, customRoleId } = c.req.valid("json");
  // The schema lets exactly one through.
  const grant = role ? { role } : { customRoleId: customRoleId! };
  const member = await service.changeMemberRole(workspaceDeps(c), currentWorkspace(c), userId, grant, requestMeta(c));
  return c.json(toResponse(member), 200);
};

export const removeMember: AppRouteHandler<RemoveMemberRoute> = async (c) => {
  const { userId } = c.req.valid("param");
  const access = currentWorkspace(c);
  await service.removeMember(workspaceDeps(c), access, userId, requestMeta(c));
  // After the removal committed: the fan-out reads the membership, so nothing new reaches them after this.
  await revokeNotifications(c, userId, access.workspaceId);
  return c.body(null, 204);
};

export const leaveWorkspace: AppRouteHandler<LeaveWorkspaceRoute> = async (c) => {
  const access = currentWorkspace(c);
  await service.leaveWorkspace(workspaceDeps(c), access, requestMeta(c));
  await revokeNotifications(c, access.actor.id, access.workspaceId);
  return c.body(null, 204);
};

function toResponse(member: Member) {
  return { userId: member.userId, email: member.email, name: member.name, role: member.role, customRole: member.customRole, joinedAt: member.joinedAt.toISOString() };
}
