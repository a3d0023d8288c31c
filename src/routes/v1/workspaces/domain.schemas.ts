import { z } from "@hono/zod-openapi";
import { problemResponse } from "../../../lib/openapi";
import { WorkspaceParams } from "../../../lib/workspace-route";
import { ProjectData, TaskData } from "../../../services/domain/resource-types";

// What the project and task routes share: the resources as they are answered, the If-Match header,
// and the problems every route inside a workspace may answer.

// Fields are documented with zod's own `.meta`: the service's schemas may be built before
// @hono/zod-openapi gives zod's schemas `.openapi` (a test importing a service first), which the
// document generator reads alike.

/** A project as answered: the service's ProjectData, documented. */
export const ProjectSchema = z
  .object({
    ...ProjectData.shape,
    key: ProjectData.shape.key.meta({ example: "WEB", description: "Prefixes its tasks' keys (`WEB-42`); never changes." }),
    createdBy: ProjectData.shape.createdBy.meta({ description: "A user or API key id." }),
    deletedAt: ProjectData.shape.deletedAt.meta({ description: "Set only in the list of deleted projects." }),
  })
  .openapi("Project");

/** A task as answered: the service's TaskData, documented. */
export const TaskSchema = z
  .object({
    ...TaskData.shape,
    key: TaskData.shape.key.meta({ example: "WEB-42", description: "The project's key and the task's number in it; `GET …/tasks/WEB-42` finds it." }),
    position: TaskData.shape.position.meta({ description: "Order on the project's board, ascending." }),
    deletedAt: TaskData.shape.deletedAt.meta({ description: "Set only in the list of deleted tasks." }),
  })
  .openapi("Task");

export function pageSchema<T extends z.ZodType>(name: string, items: T) {
  return z
    .object({
      items: z.array(items),
      nextCursor: z.string().nullable().openapi({ description: "Pass it as `cursor`, with the same filters and order, for the next page; null on the last one." }),
    })
    .openapi(name);
}

/** `If-Match` on a write: the resource's ETag as last read. Optional: without it, the write applies to whatever version is current. */
export const IfMatchHeaders = z.object({
  "if-match": z
    .string()
    .max(1024)
    .optional()
    .openapi({
      param: { name: "if-match", in: "header" },
      description: "The ETag the resource was read with: the write is refused with 412 when the resource changed since. Without it, the write applies to the current version.",
    }),
});

export const ProjectParams = WorkspaceParams.extend({ projectId: z.string().max(64).openapi({ param: { name: "projectId", in: "path" } }) });
export const TaskParams = WorkspaceParams.extend({
  taskId: z.string().max(64).openapi({ param: { name: "taskId", in: "path" }, description: "The task's id (`tsk_…`); reading also takes its key (`WEB-42`)." }),
});

/** The answer with a versioned resource: its body and `ETag`. */
export function versioned<T extends z.ZodType>(description: string, schema: T) {
  return {
    description,
    headers: z.object({ ETag: z.string().openapi({ description: "Send it back as `If-Match` to change or delete the resource only as read." }) }),
    content: { "application/json": { schema } },
  };
}

export const inWorkspace = (permission: string, object: string) => ({
  401: problemResponse("No valid access token or API key."),
  403: problemResponse(`The caller lacks ${permission}.`),
  404: problemResponse(`No such workspace among the caller's, or no such ${object} in it.`),
});

export const preconditionFailed = { 412: problemResponse("`If-Match` names another version: the resource changed since it was read.") };
