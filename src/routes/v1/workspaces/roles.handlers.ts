import type { AppRouteHandler } from "../../../lib/create-router";
import { requestMeta } from "../../../lib/request-meta";
import * as service from "../../../services/workspaces/roles";
import type { CustomRole } from "../../../services/workspaces/roles";
import { currentWorkspace, workspaceDeps } from "./workspaces.context";
import type { CreateRoleRoute, DeleteRoleRoute, ListRolesRoute, UpdateRoleRoute } from "./roles.routes";

export const listRoles: AppRouteHandler<ListRolesRoute> = async (c) => {
  const roles = await service.listRoles(c.var.services.db, currentWorkspace(c));
  return c.json({ roles: roles.map(toResponse) }, 200);
};

export const createRole: AppRouteHandler<CreateRoleRoute> = async (c) => {
  const { name, description, permissions } = c.req.valid("json");
  const role = await service.createRole(workspaceDeps(c), currentWorkspace(c), { name, description, permissions }, requestMeta(c));
  return c.json(toResponse(role), 201);
};

export const updateRole: AppRouteHandler<UpdateRoleRoute> = async (c) => {
  const { name, description, permissions } = c.req.valid("json");
  const role = await service.updateRole(workspaceDeps(c), currentWorkspace(c), c.req.valid("param").roleId, { name, description, permissions }, requestMeta(c));
  return c.json(toResponse(role), 200);
};

export const deleteRole: AppRouteHandler<DeleteRoleRoute> = async (c) => {
  await service.deleteRole(workspaceDeps(c), currentWorkspace(c), c.req.valid("param").roleId, requestMeta(c));
  return c.body(null, 204);
};

function toResponse(role: CustomRole) {
  return {
    id: role.id,
    name: role.name,
    description: role.description,
    permissions: role.permissions,
    createdAt: role.createdAt.toISOString(),
    updatedAt: role.updatedAt.toISOString(),
  };
}
