import { z } from "@hono/zod-openapi";
import { CUSTOM_ROLE_MAX_PERMISSIONS } from "../../../db/schema";
import { jsonBody, problemResponse } from "../../../lib/openapi";
import { PERMISSIONS } from "../../../lib/permissions";
import { WorkspaceParams, workspaceRoute } from "../../../lib/workspace-route";
import { MAX_CUSTOM_ROLES, OWNER_ONLY_PERMISSIONS } from "../../../services/workspaces/roles";

const CustomRoleSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    permissions: z.array(z.enum(PERMISSIONS)),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi("CustomRole");

const CustomRoleListSchema = z.object({ roles: z.array(CustomRoleSchema).openapi({ description: `By name; at most ${MAX_CUSTOM_ROLES}.` }) }).openapi("CustomRoleList");

const name = z.string().trim().min(1).max(50).openapi({ description: "Unique in the workspace, whatever the case.", example: "Support" });
const description = z.string().trim().min(1).max(200);
const permissions = z
  .array(z.enum(PERMISSIONS))
  .min(1)
  .max(CUSTOM_ROLE_MAX_PERMISSIONS)
  .refine((list) => new Set(list).size === list.length, "must not repeat a permission")
  .refine((list) => !list.some((permission) => OWNER_ONLY_PERMISSIONS.has(permission)), `must not include ${[...OWNER_ONLY_PERMISSIONS].join(", ")}: only owners hold it`)
  .openapi({ description: "Each one held by the caller: nobody grants what they lack." });

const CreateRoleSchema = z.object({ name, description: description.optional(), permissions }).strict().openapi("CreateCustomRole");

const UpdateRoleSchema = z
  .object({ name: name.optional(), description: description.nullable().optional().openapi({ description: "`null` removes it." }), permissions: permissions.optional() })
  .strict()
  .refine((changes) => Object.values(changes).some((value) => value !== undefined), "name, description or permissions is required")
  .openapi("UpdateCustomRole");

const RoleParams = WorkspaceParams.extend({ roleId: z.string().max(64).openapi({ param: { name: "roleId", in: "path" } }) });

const tags = ["Roles"];
const role = { description: "The role.", content: { "application/json": { schema: CustomRoleSchema } } };
const inWorkspace = {
  401: problemResponse("No valid access token or API key."),
  403: problemResponse("The caller lacks role:manage, or a permission the role has or would have."),
  404: problemResponse("No such workspace among the caller's, or no such role in it."),
};

export const listRoles = workspaceRoute("role:manage", {
  method: "get",
  path: "/{workspaceId}/roles",
  tags,
  summary: "The workspace's custom roles.",
  request: { params: WorkspaceParams },
  responses: { 200: { description: "The roles.", content: { "application/json": { schema: CustomRoleListSchema } } }, ...inWorkspace },
});

export const createRole = workspaceRoute("role:manage", {
  method: "post",
  path: "/{workspaceId}/roles",
  tags,
  summary: "Add a custom role: a name and a set of permissions.",
  request: { params: WorkspaceParams, body: jsonBody(CreateRoleSchema) },
  responses: {
    201: { description: "Added.", content: { "application/json": { schema: CustomRoleSchema } } },
    400: problemResponse("The body is invalid."),
    ...inWorkspace,
    409: problemResponse(`The workspace has a role of that name, or ${MAX_CUSTOM_ROLES} roles already.`),
  },
});

export const updateRole = workspaceRoute("role:manage", {
  method: "patch",
  path: "/{workspaceId}/roles/{roleId}",
  tags,
  summary: "Change a custom role; its members hold the new permissions from their next request.",
  request: { params: RoleParams, body: jsonBody(UpdateRoleSchema) },
  responses: { 200: role, 400: problemResponse("The body is invalid."), ...inWorkspace, 409: problemResponse("The workspace has another role of that name.") },
});

export const deleteRole = workspaceRoute("role:manage", {
  method: "delete",
  path: "/{workspaceId}/roles/{roleId}",
  tags,
  summary: "Delete a custom role that no member or pending invitation holds.",
  request: { params: RoleParams },
  responses: { 204: { description: "Deleted." }, ...inWorkspace, 409: problemResponse("A member or a pending invitation holds the role.") },
});

export type ListRolesRoute = typeof listRoles;
export type CreateRoleRoute = typeof createRole;
export type UpdateRoleRoute = typeof updateRole;
export type DeleteRoleRoute = typeof deleteRole;
