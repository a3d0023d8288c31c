import { createRoute, z } from "@hono/zod-openapi";
import { CursorParam, limitParam } from "../../../lib/cursor";
import { withIdempotencyKey } from "../../../lib/idempotency/openapi";
import { BEARER_AUTH, jsonBody, problemResponse } from "../../../lib/openapi";
import { BUILT_IN_ROLES, PERMISSIONS } from "../../../lib/permissions";
import { WorkspaceParams, workspaceRoute } from "../../../lib/workspace-route";
import { idempotency } from "../../../middleware/idempotency";
import { requireUser } from "../../../middleware/require-user";
import { MAX_OWNED_WORKSPACES } from "../../../services/workspaces/workspaces";
import { SLUG_MAX_LENGTH, SLUG_PATTERN } from "../../../services/workspaces/slugs";

export const WorkspaceSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    slug: z.string().openapi({ description: "Unique among live workspaces.", example: "acme" }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi("Workspace");

/** A member's role: exactly one of the two is set. */
export const MemberRoleFields = {
  role: z.enum(BUILT_IN_ROLES).nullable().openapi({ description: "The built-in role; null when the member holds a custom role." }),
  customRole: z.object({ id: z.string(), name: z.string() }).nullable().openapi({ description: "The workspace's custom role the member holds; null for a built-in role." }),
};

const MyWorkspaceSchema = WorkspaceSchema.extend({ ...MemberRoleFields, joinedAt: z.iso.datetime() }).openapi("MyWorkspace");

const MyWorkspaceListSchema = z
  .object({
    workspaces: z.array(MyWorkspaceSchema).openapi({ description: "In the order the caller joined them." }),
    nextCursor: z.string().nullable().openapi({ description: "Pass it as `cursor` for the next page; null on the last one." }),
  })
  .openapi("MyWorkspaceList");

const WorkspaceDetailSchema = WorkspaceSchema.extend({
  permissions: z.array(z.enum(PERMISSIONS)).openapi({ description: "What the caller may do in it: its role's permissions, or an API key's scopes." }),
}).openapi("WorkspaceDetail");

const name = z.string().trim().min(1).max(100);
const slug = z
  .string()
  .trim()
  .toLowerCase()
  .max(SLUG_MAX_LENGTH)
  .regex(SLUG_PATTERN, "must be lowercase letters, digits and inner hyphens")
  .openapi({ example: "acme" });

const CreateWorkspaceSchema = z
  .object({
    name,
    slug: slug.optional().openapi({ description: "Derived from the name when absent (with a random suffix if that is taken); a taken one is refused." }),
  })
  .strict()
  .openapi("CreateWorkspace");

const UpdateWorkspaceSchema = z
  .object({ name: name.optional(), slug: slug.optional() })
  .strict()
  .refine((changes) => changes.name !== undefined || changes.slug !== undefined, "name or slug is required")
  .openapi("UpdateWorkspace");

const ListQuery = z.object({ cursor: CursorParam, limit: limitParam(50, 100) }).strict();

const tags = ["Workspaces"];
const unauthorized = problemResponse("No valid access token (an API key cannot call this).");
const workspace = { description: "The workspace.", content: { "application/json": { schema: WorkspaceSchema } } };
const inWorkspace = {
  401: problemResponse("No valid access token or API key."),
  403: problemResponse("The caller lacks the permission this needs."),
  404: problemResponse("No such workspace among the caller's: unknown, deleted, another tenant's or a malformed id."),
};

// A user's own retries are safe: Idempotency-Key is honoured (see idempotency()).
export const createWorkspace = createRoute(
  withIdempotencyKey({
    method: "post",
    path: "/",
    tags,
    security: BEARER_AUTH,
    middleware: [requireUser(), idempotency()],
    summary: "Create a workspace; the caller becomes its owner.",
    request: { body: jsonBody(CreateWorkspaceSchema) },
    responses: {
      201: { description: "Created.", content: { "application/json": { schema: MyWorkspaceSchema } } },
      400: problemResponse("The body is invalid."),
      401: unauthorized,
      409: problemResponse(`The slug is taken, or the caller already owns ${MAX_OWNED_WORKSPACES} workspaces.`),
    },
  }),
);

export const listWorkspaces = createRoute({
  method: "get",
  path: "/",
  tags,
  security: BEARER_AUTH,
  middleware: [requireUser()],
  summary: "The caller's workspaces, with their role in each.",
  request: { query: ListQuery },
  responses: {
    200: { description: "A page of them.", content: { "application/json": { schema: MyWorkspaceListSchema } } },
    400: problemResponse("The cursor or limit is invalid."),
    401: unauthorized,
  },
});

export const getWorkspace = workspaceRoute("workspace:read", {
  method: "get",
  path: "/{workspaceId}",
  tags,
  summary: "A workspace, with what the caller may do in it.",
  request: { params: WorkspaceParams },
  responses: { 200: { description: "The workspace.", content: { "application/json": { schema: WorkspaceDetailSchema } } }, ...inWorkspace },
});

export const updateWorkspace = workspaceRoute("workspace:update", {
  method: "patch",
  path: "/{workspaceId}",
  tags,
  summary: "Rename a workspace or change its slug.",
  request: { params: WorkspaceParams, body: jsonBody(UpdateWorkspaceSchema) },
  responses: { 200: workspace, 400: problemResponse("The body is invalid."), ...inWorkspace, 409: problemResponse("The slug is taken.") },
});

export const deleteWorkspace = workspaceRoute("workspace:delete", {
  method: "delete",
  path: "/{workspaceId}",
  tags,
  summary: "Delete a workspace: hidden at once, restorable by its owners for 30 days, then purged with everything in it.",
  request: { params: WorkspaceParams },
  responses: { 204: { description: "Deleted." }, ...inWorkspace },
});

export const restoreWorkspace = createRoute({
  method: "post",
  path: "/{workspaceId}/restore",
  tags,
  security: BEARER_AUTH,
  middleware: [requireUser()],
  summary: "Restore a workspace deleted less than 30 days ago; for its owners only.",
  request: { params: WorkspaceParams },
  responses: {
    200: workspace,
    401: unauthorized,
    404: problemResponse("No deleted workspace of which the caller is an owner, or deleted more than 30 days ago."),
    409: problemResponse(`Another workspace took its slug meanwhile, or the caller already owns ${MAX_OWNED_WORKSPACES} workspaces.`),
  },
});

export type CreateWorkspaceRoute = typeof createWorkspace;
export type ListWorkspacesRoute = typeof listWorkspaces;
export type GetWorkspaceRoute = typeof getWorkspace;
export type UpdateWorkspaceRoute = typeof updateWorkspace;
export type DeleteWorkspaceRoute = typeof deleteWorkspace;
export type RestoreWorkspaceRoute = typeof restoreWorkspace;
