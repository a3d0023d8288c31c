import { createRoute, z } from "@hono/zod-openapi";
import { CursorParam, limitParam } from "../../../lib/cursor";
import { isId } from "../../../lib/ids";
import { BEARER_AUTH, jsonBody, problemResponse } from "../../../lib/openapi";
import { BUILT_IN_ROLES } from "../../../lib/permissions";
import { WorkspaceParams, workspaceRoute } from "../../../lib/workspace-route";
import { requireUser } from "../../../middleware/require-user";
import { workspaceAccess } from "../../../middleware/workspace-access";
import { MemberRoleFields } from "./workspaces.routes";

const MemberSchema = z
  .object({
    userId: z.string(),
    email: z.string(),
    name: z.string().nullable(),
    ...MemberRoleFields,
    joinedAt: z.iso.datetime(),
  })
  .openapi("Member");

const MemberListSchema = z
  .object({
    members: z.array(MemberSchema).openapi({ description: "In the order they joined." }),
    nextCursor: z.string().nullable().openapi({ description: "Pass it as `cursor` for the next page; null on the last one." }),
  })
  .openapi("MemberList");

const ChangeRoleSchema = z
  .object({
    role: z.enum(BUILT_IN_ROLES).optional().openapi({ description: "A built-in role. Only owners grant `owner`." }),
    customRoleId: z
      .string()
      .max(64)
      .refine((id) => isId("role", id), "must be a role id")
      .optional()
      .openapi({ description: "One of this workspace's custom roles." }),
  })
  .strict()
  .refine((change) => (change.role === undefined) !== (change.customRoleId === undefined), "exactly one of role and customRoleId is required")
  .openapi("ChangeMemberRole");

const MemberParams = WorkspaceParams.extend({ userId: z.string().max(64).openapi({ param: { name: "userId", in: "path" } }) });

const tags = ["Members"];
const inWorkspace = {
  401: problemResponse("No valid access token or API key."),
  403: problemResponse("The caller lacks the permission, or the change breaks a rule: only owners touch the owner role, nobody changes their own role, nobody grants what they lack."),
  404: problemResponse("No such workspace among the caller's, or no such member of it."),
};

export const listMembers = workspaceRoute("member:read", {
  method: "get",
  path: "/{workspaceId}/members",
  tags,
  summary: "The workspace's members, with their roles.",
  request: { params: WorkspaceParams, query: z.object({ cursor: CursorParam, limit: limitParam(50, 100) }).strict() },
  responses: {
    200: { description: "A page of them.", content: { "application/json": { schema: MemberListSchema } } },
    400: problemResponse("The cursor or limit is invalid."),
    ...inWorkspace,
  },
});

export const changeMemberRole = workspaceRoute("member:manage", {
  method: "patch",
  path: "/{workspaceId}/members/{userId}",
  tags,
  summary: "Give a member another role: a built-in one or a custom role of this workspace.",
  request: { params: MemberParams, body: jsonBody(ChangeRoleSchema) },
  responses: {
    200: { description: "The member, with the new role.", content: { "application/json": { schema: MemberSchema } } },
    400: problemResponse("The body is invalid."),
    ...inWorkspace,
    409: problemResponse("The member is the workspace's last owner."),
  },
});

export const removeMember = workspaceRoute("member:manage", {
  method: "delete",
  path: "/{workspaceId}/members/{userId}",
  tags,
  summary: "Remove a member: their next request to the workspace is refused. To remove yourself, leave.",
  request: { params: MemberParams },
  responses: { 204: { description: "Removed." }, ...inWorkspace, 409: problemResponse("The member is the workspace's last owner.") },
});

export const leaveWorkspace = createRoute({
  method: "post",
  path: "/{workspaceId}/leave",
  tags,
  security: BEARER_AUTH,
  // Any member, whatever their role: no permission to require. An API key is no member.
  middleware: [requireUser(), workspaceAccess()],
  summary: "Leave the workspace. Its last owner cannot: they make another member an owner first, or delete it.",
  request: { params: WorkspaceParams },
  responses: {
    204: { description: "Left." },
    401: problemResponse("No valid access token (an API key cannot call this)."),
    404: problemResponse("No such workspace among the caller's."),
    409: problemResponse("The caller is the workspace's last owner."),
  },
});

export type ListMembersRoute = typeof listMembers;
export type ChangeMemberRoleRoute = typeof changeMemberRole;
export type RemoveMemberRoute = typeof removeMember;
export type LeaveWorkspaceRoute = typeof leaveWorkspace;
