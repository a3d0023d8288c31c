import type { AppRouteHandler } from "../../../lib/create-router";
import { requestMeta } from "../../../lib/request-meta";
import * as service from "../../../services/workspaces/members";
import type { Member } from "../../../services/workspaces/members";
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
  await service.removeMember(workspaceDeps(c), currentWorkspace(c), c.req.valid("param").userId, requestMeta(c));
  return c.body(null, 204);
};

export const leaveWorkspace: AppRouteHandler<LeaveWorkspaceRoute> = async (c) => {
  await service.leaveWorkspace(workspaceDeps(c), currentWorkspace(c), requestMeta(c));
  return c.body(null, 204);
};

function toResponse(member: Member) {
  return { userId: member.userId, email: member.email, name: member.name, role: member.role, customRole: member.customRole, joinedAt: member.joinedAt.toISOString() };
}
