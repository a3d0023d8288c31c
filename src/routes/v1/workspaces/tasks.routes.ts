import { z } from "@hono/zod-openapi";
import { TASK_STATUSES } from "../../../db/schema";
import { limitParam } from "../../../lib/cursor";
import { jsonBody, problemResponse } from "../../../lib/openapi";
import { SignedCursorParam } from "../../../lib/signed-cursor";
import { WorkspaceParams, workspaceRoute } from "../../../lib/workspace-route";
import { TASK_SORTS } from "../../../services/domain/task-lists";
import { MAX_TASKS_PER_PROJECT } from "../../../services/domain/tasks";
import { IfMatchHeaders, inWorkspace, pageSchema, preconditionFailed, ProjectParams, TaskParams, TaskSchema, versioned } from "./domain.schemas";
import { labelQuery, taskFields } from "./task-fields";

const CreateTaskSchema = z
  .object({
    title: taskFields.title,
    description: taskFields.description.optional(),
    status: taskFields.status.optional().openapi({ description: "`todo` when absent." }),
    priority: taskFields.priority.optional().openapi({ description: "`none` when absent." }),
    assigneeId: taskFields.assigneeId.optional(),
    labels: taskFields.labels.optional(),
    dueDate: taskFields.dueDate.optional(),
    position: taskFields.position.optional().openapi({ description: "After the project's last task when absent." }),
  })
  .strict()
  .openapi("CreateTask");

const UpdateTaskSchema = z
  .object({
    title: taskFields.title.optional(),
    description: taskFields.description.optional(),
    status: taskFields.status.optional(),
    priority: taskFields.priority.optional(),
    assigneeId: taskFields.assigneeId.optional(),
    labels: taskFields.labels.optional(),
    dueDate: taskFields.dueDate.optional(),
    position: taskFields.position.optional(),
  })
  .strict()
  .refine((changes) => Object.values(changes).some((value) => value !== undefined), "at least one field is required")
  .openapi("UpdateTask");

const query = (name: string, description: string) => ({ param: { name, in: "query" as const }, description });

const TaskListQuery = z
  .object({
    cursor: SignedCursorParam,
    limit: limitParam(50, 100),
    sort: z.enum(TASK_SORTS).optional().openapi(query("sort", "`created` (default), `updated`, `due`, `priority`, `position` (with `project`) or `relevance` (with `q`, the default then); `id` breaks ties.")),
    order: z.enum(["asc", "desc"]).optional().openapi(query("order", "`asc` (default) or `desc`; relevance is always best first. Tasks without a due date come last in `asc`, first in `desc`.")),
    status: z
      .string()
      .max(100)
      .transform((value) => value.split(","))
      .pipe(z.array(z.enum(TASK_STATUSES)).min(1).max(TASK_STATUSES.length))
      .optional()
      .openapi(query("status", "Any of these statuses, comma-separated: `todo,in_progress`.")),
    assignee: z.string().max(64).optional().openapi(query("assignee", "Only tasks assigned to this user id.")),
    label: labelQuery.optional().openapi(query("label", "Only tasks with this label.")),
    project: z.string().max(64).optional().openapi(query("project", "Only this project's tasks (`prj_…`).")),
    dueBefore: z.iso.date().optional().openapi(query("dueBefore", "Due strictly before this date.")),
    dueAfter: z.iso.date().optional().openapi(query("dueAfter", "Due strictly after this date.")),
    updatedSince: z.iso.datetime({ offset: true }).optional().openapi(query("updatedSince", "Changed at or after this time.")),
    q: z.string().trim().min(1).max(200).optional().openapi(query("q", "Words to find in titles, descriptions and comments, web-search style: `\"exact phrase\"`, `-without`, `or`.")),
  })
  .strict();

const DeletedQuery = z.object({ cursor: SignedCursorParam, limit: limitParam(50, 100) }).strict();

const tags = ["Tasks"];
const task = versioned("The task.", TaskSchema);
const write = { ...inWorkspace("task:write", "live task"), ...preconditionFailed };

export const listTasks = workspaceRoute("task:read", {
  method: "get",
  path: "/{workspaceId}/tasks",
  tags,
  summary: "The workspace's tasks, filtered, sorted or searched, a page at a time.",
  request: { params: WorkspaceParams, query: TaskListQuery },
  responses: {
    200: { description: "A page.", content: { "application/json": { schema: pageSchema("TaskPage", TaskSchema) } } },
    400: problemResponse("A filter, the order, the cursor or the limit is invalid."),
    ...inWorkspace("task:read", "task"),
  },
});

export const createTask = workspaceRoute("task:write", {
  method: "post",
  path: "/{workspaceId}/projects/{projectId}/tasks",
  tags,
  summary: "Add a task to a project; it is numbered in the project (`WEB-42`).",
  request: { params: ProjectParams, body: jsonBody(CreateTaskSchema) },
  responses: {
    201: versioned("Added.", TaskSchema),
    400: problemResponse("The body is invalid, or the assignee is not a member of the workspace."),
    ...inWorkspace("task:write", "live project"),
    409: problemResponse(`The project is archived, or has had ${MAX_TASKS_PER_PROJECT} tasks.`),
  },
});

export const listDeletedTasks = workspaceRoute("trash:read", {
  method: "get",
  path: "/{workspaceId}/tasks/deleted",
  tags,
  summary: "Deleted tasks, most recently deleted first (owners and admins).",
  request: { params: WorkspaceParams, query: DeletedQuery },
  responses: {
    200: { description: "A page.", content: { "application/json": { schema: pageSchema("DeletedTaskPage", TaskSchema) } } },
    400: problemResponse("The cursor or the limit is invalid."),
    ...inWorkspace("trash:read", "task"),
  },
});

export const getTask = workspaceRoute("task:read", {
  method: "get",
  path: "/{workspaceId}/tasks/{taskId}",
  tags,
  summary: "A live task by id or key (`WEB-42`), with its ETag.",
  request: { params: TaskParams },
  responses: { 200: task, ...inWorkspace("task:read", "live task") },
});

export const updateTask = workspaceRoute("task:write", {
  method: "patch",
  path: "/{workspaceId}/tasks/{taskId}",
  tags,
  summary: "Change a task: title, description, status, priority, assignee, labels, due date, position.",
  request: { params: TaskParams, headers: IfMatchHeaders, body: jsonBody(UpdateTaskSchema) },
  responses: { 200: task, 400: problemResponse("The body is invalid, or the assignee is not a member of the workspace."), ...write },
});

export const deleteTask = workspaceRoute("task:write", {
  method: "delete",
  path: "/{workspaceId}/tasks/{taskId}",
  tags,
  summary: "Delete a task softly, with its comments and attachments; it can be restored.",
  request: { params: TaskParams, headers: IfMatchHeaders },
  responses: { 204: { description: "Deleted." }, ...write },
});

export const restoreTask = workspaceRoute("task:write", {
  method: "post",
  path: "/{workspaceId}/tasks/{taskId}/restore",
  tags,
  summary: "Restore a deleted task, with the comments and attachments deleted with it.",
  request: { params: TaskParams, headers: IfMatchHeaders },
  responses: { 200: task, ...write, 409: problemResponse("The task's project is deleted: restore the project.") },
});

export type ListTasksRoute = typeof listTasks;
export type CreateTaskRoute = typeof createTask;
export type ListDeletedTasksRoute = typeof listDeletedTasks;
export type GetTaskRoute = typeof getTask;
export type UpdateTaskRoute = typeof updateTask;
export type DeleteTaskRoute = typeof deleteTask;
export type RestoreTaskRoute = typeof restoreTask;
