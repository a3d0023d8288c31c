import { z } from "@hono/zod-openapi";
import { limitParam } from "../../../lib/cursor";
import { jsonBody, problemResponse } from "../../../lib/openapi";
import { SignedCursorParam } from "../../../lib/signed-cursor";
import { WorkspaceParams, workspaceRoute } from "../../../lib/workspace-route";
import { PROJECT_SORTS } from "../../../services/domain/project-lists";
import { MAX_PROJECTS } from "../../../services/domain/projects";
import { IfMatchHeaders, inWorkspace, pageSchema, preconditionFailed, ProjectParams, ProjectSchema, versioned } from "./domain.schemas";

const name = z.string().trim().min(1).max(100).openapi({ example: "Website" });
const description = z.string().trim().max(10_000).nullable();

const CreateProjectSchema = z
  .object({
    key: z
      .string()
      .regex(/^[A-Z][A-Z0-9]{1,9}$/, "must be 2-10 capital letters and digits, a letter first")
      .openapi({ example: "WEB", description: "Unique in the workspace, deleted projects included; never changes." }),
    name,
    description: description.optional(),
  })
  .strict()
  .openapi("CreateProject");

const UpdateProjectSchema = z
  .object({ name: name.optional(), description: description.optional().openapi({ description: "`null` removes it." }) })
  .strict()
  .refine((changes) => changes.name !== undefined || changes.description !== undefined, "name or description is required")
  .openapi("UpdateProject");

const ProjectListQuery = z
  .object({
    cursor: SignedCursorParam,
    limit: limitParam(50, 100),
    sort: z.enum(PROJECT_SORTS).optional().openapi({ param: { name: "sort", in: "query" }, description: "`created` (default) or `name`; `id` breaks ties." }),
    order: z.enum(["asc", "desc"]).optional().openapi({ param: { name: "order", in: "query" }, description: "`asc` (default) or `desc`." }),
    archived: z
      .enum(["true", "false"])
      .transform((value) => value === "true")
      .optional()
      .openapi({ param: { name: "archived", in: "query" }, description: "Only archived projects, or only the others; both when absent." }),
  })
  .strict();

const DeletedQuery = z.object({ cursor: SignedCursorParam, limit: limitParam(50, 100) }).strict();

const tags = ["Projects"];
const project = versioned("The project.", ProjectSchema);
const write = { ...inWorkspace("project:write", "live project"), ...preconditionFailed };

export const listProjects = workspaceRoute("project:read", {
  method: "get",
  path: "/{workspaceId}/projects",
  tags,
  summary: "The workspace's projects, a page at a time.",
  request: { params: WorkspaceParams, query: ProjectListQuery },
  responses: {
    200: { description: "A page.", content: { "application/json": { schema: pageSchema("ProjectPage", ProjectSchema) } } },
    400: problemResponse("A filter, the order, the cursor or the limit is invalid."),
    ...inWorkspace("project:read", "project"),
  },
});

export const createProject = workspaceRoute("project:write", {
  method: "post",
  path: "/{workspaceId}/projects",
  tags,
  summary: "Add a project.",
  request: { params: WorkspaceParams, body: jsonBody(CreateProjectSchema) },
  responses: {
    201: versioned("Added.", ProjectSchema),
    400: problemResponse("The body is invalid."),
    ...inWorkspace("project:write", "project"),
    409: problemResponse(`The key is taken (deleted projects keep theirs), or the workspace has ${MAX_PROJECTS} projects.`),
  },
});

export const listDeletedProjects = workspaceRoute("trash:read", {
  method: "get",
  path: "/{workspaceId}/projects/deleted",
  tags,
  summary: "Deleted projects, most recently deleted first (owners and admins).",
  request: { params: WorkspaceParams, query: DeletedQuery },
  responses: {
    200: { description: "A page.", content: { "application/json": { schema: pageSchema("DeletedProjectPage", ProjectSchema) } } },
    400: problemResponse("The cursor or the limit is invalid."),
    ...inWorkspace("trash:read", "project"),
  },
});

export const getProject = workspaceRoute("project:read", {
  method: "get",
  path: "/{workspaceId}/projects/{projectId}",
  tags,
  summary: "A live project, with its ETag.",
  request: { params: ProjectParams },
  responses: { 200: project, ...inWorkspace("project:read", "live project") },
});

export const updateProject = workspaceRoute("project:write", {
  method: "patch",
  path: "/{workspaceId}/projects/{projectId}",
  tags,
  summary: "Rename a project or change its description.",
  request: { params: ProjectParams, headers: IfMatchHeaders, body: jsonBody(UpdateProjectSchema) },
  responses: { 200: project, 400: problemResponse("The body is invalid."), ...write },
});

const transition = (action: "archive" | "unarchive" | "restore", summary: string) =>
  workspaceRoute("project:write", {
    method: "post",
    path: `/{workspaceId}/projects/{projectId}/${action}`,
    tags,
    summary,
    request: { params: ProjectParams, headers: IfMatchHeaders },
    responses: {
      200: project,
      ...write,
      ...(action === "restore" ? { 409: problemResponse(`The workspace has ${MAX_PROJECTS} live projects.`) } : {}),
    },
  });

export const archiveProject = transition("archive", "Archive a project: it stays readable, and takes no new tasks.");
export const unarchiveProject = transition("unarchive", "Bring an archived project back.");
export const restoreProject = transition("restore", "Restore a deleted project, with the tasks, comments and attachments deleted with it.");

export const deleteProject = workspaceRoute("project:write", {
  method: "delete",
  path: "/{workspaceId}/projects/{projectId}",
  tags,
  summary: "Delete a project softly, with its tasks and their comments and attachments; it can be restored.",
  request: { params: ProjectParams, headers: IfMatchHeaders },
  responses: { 204: { description: "Deleted." }, ...write },
});

export type ListProjectsRoute = typeof listProjects;
export type CreateProjectRoute = typeof createProject;
export type ListDeletedProjectsRoute = typeof listDeletedProjects;
export type GetProjectRoute = typeof getProject;
export type UpdateProjectRoute = typeof updateProject;
export type ProjectTransitionRoute = typeof archiveProject;
export type DeleteProjectRoute = typeof deleteProject;
