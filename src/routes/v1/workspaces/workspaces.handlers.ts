import type { AppRouteHandler } from "../../../lib/create-router";
import { PERMISSIONS } from "../../../lib/permissions";
import { requestMeta } from "../../../lib/request-meta";
import * as service from "../../../services/workspaces/workspaces";
import type { MyWorkspace, Workspace } from "../../../services/workspaces/workspaces";
import { currentAuth } from "../auth/context";
import { revokeNotifications } from "../notifications/notifications.context";
import { currentWorkspace, workspaceDeps } from "./workspaces.context";
import type { CreateWorkspaceRoute, DeleteWorkspaceRoute, GetWorkspaceRoute, ListWorkspacesRoute, RestoreWorkspaceRoute, UpdateWorkspaceRoute } from "./workspaces.routes";

export const createWorkspace: AppRouteHandler<CreateWorkspaceRoute> = async (c) => {
  const { name, slug } = c.req.valid("json");
  const created = await service.createWorkspace(workspaceDeps(c), currentAuth(c).userId, { name, slug }, requestMeta(c));
  return c.json(toMyWorkspace(created), 201);
};

export const listWorkspaces: AppRouteHandler<ListWorkspacesRoute> = async (c) => {
  const { cursor, limit } = c.req.valid("query");
  const page = await service.listMyWorkspaces(c.var.services.db, currentAuth(c).userId, { cursor, limit });
  return c.json({ workspaces: page.items.map(toMyWorkspace), nextCursor: page.nextCursor }, 200);
};

export const getWorkspace: AppRouteHandler<GetWorkspaceRoute> = async (c) => {
  const access = currentWorkspace(c);
  const workspace = await service.getWorkspace(c.var.services.db, access);
  // In the matrix's order, whatever order the role lists them in.
  return c.json({ ...toWorkspace(workspace), permissions: PERMISSIONS.filter((permission) => access.permissions.has(permission)) }, 200);
};

export const updateWorkspace: AppRouteHandler<UpdateWorkspaceRoute> = async (c) => {
  const { name, slug } = c.req.valid("json");
  const workspace = await service.updateWorkspace(workspaceDeps(c), currentWorkspace(c), { name, slug }, requestMeta(c));
  return c.json(toWorkspace(workspace), 200);
};

export const deleteWorkspace: AppRouteHandler<DeleteWorkspaceRoute> = async (c) => {
  const access = currentWorkspace(c);
  const { memberIds } = await service.deleteWorkspace(workspaceDeps(c), access, requestMeta(c));
  // Its notifications go with it (a restore does not bring them back); one hub call per member, all at once.
  await Promise.all(memberIds.map((userId) => revokeNotifications(c, userId, access.workspaceId)));
  return c.body(null, 204);
};

export const restoreWorkspace: AppRouteHandler<RestoreWorkspaceRoute> = async (c) => {
  const { workspaceId } = c.req.valid("param");
  const workspace = await service.restoreWorkspace(workspaceDeps(c), currentAuth(c).userId, workspaceId, requestMeta(c));
  return c.json(toWorkspace(workspace), 200);
};

/** A workspace as the API shows it: times in ISO 8601. */
function toWorkspace(workspace: Workspace) {
  return { id: workspace.id, name: workspace.name, slug: workspace.slug, createdAt: workspace.createdAt.toISOString(), updatedAt: workspace.updatedAt.toISOString() };
}

function toMyWorkspace(workspace: MyWorkspace) {
  return { ...toWorkspace(workspace), role: workspace.role, customRole: workspace.customRole, joinedAt: workspace.joinedAt.toISOString() };
}
