import { z } from "@hono/zod-openapi";
import { jsonBody, problemResponse } from "../../../lib/openapi";
import { WorkspaceParams, workspaceRoute } from "../../../lib/workspace-route";
import { MAX_BULK_ITEMS } from "../../../services/domain/task-bulk";
import { inWorkspace, TaskSchema } from "./domain.schemas";
import { taskFields } from "./task-fields";

const id = z.string().max(64).openapi({ description: "The task's id (`tsk_…`)." });
const ifMatch = z.string().max(200).optional().openapi({ description: "The task's ETag as read: the whole request is refused (412) when it changed since." });

const fields = {
  description: taskFields.description.optional(),
  status: taskFields.status.optional(),
  priority: taskFields.priority.optional(),
  assigneeId: taskFields.assigneeId.optional(),
  labels: taskFields.labels.optional(),
  dueDate: taskFields.dueDate.optional(),
  position: taskFields.position.optional(),
};

const BulkItemSchema = z.discriminatedUnion("op", [
  z.object({ op: z.literal("create"), projectId: z.string().max(64), title: taskFields.title, ...fields }).strict().openapi("BulkCreate"),
  z
    .object({ op: z.literal("update"), id, ifMatch, title: taskFields.title.optional(), ...fields })
    .strict()
    .refine((item) => Object.entries(item).some(([key, value]) => !["op", "id", "ifMatch"].includes(key) && value !== undefined), "at least one field to change is required")
    .openapi("BulkUpdate"),
  z.object({ op: z.literal("delete"), id, ifMatch }).strict().openapi("BulkDelete"),
]);

const BulkSchema = z
  .object({
    items: z
      .array(BulkItemSchema)
      .min(1)
      .max(MAX_BULK_ITEMS)
      .refine((items) => {
        const ids = items.flatMap((item) => (item.op === "create" ? [] : [item.id]));
        return new Set(ids).size === ids.length;
      }, "must name each task at most once"),
  })
  .strict()
  .openapi("TaskBulk");

const BulkResultSchema = z
  .object({
    items: z.array(
      z.object({
        op: z.enum(["create", "update", "delete"]),
        task: TaskSchema.openapi({ description: "The task as it is now; for a deletion, as it was." }),
        etag: z.string().openapi({ description: "The task's ETag now (of the deleted task, for a deletion)." }),
      }),
    ),
  })
  .openapi("TaskBulkResult");

export const bulkTasks = workspaceRoute("task:write", {
  method: "post",
  path: "/{workspaceId}/tasks/bulk",
  tags: ["Tasks"],
  summary: `Create, update and delete up to ${MAX_BULK_ITEMS} tasks, in order, all or none, in one database round trip.`,
  request: { params: WorkspaceParams, body: jsonBody(BulkSchema) },
  responses: {
    200: { description: "Every item applied; their results in the items' order.", content: { "application/json": { schema: BulkResultSchema } } },
    400: problemResponse("An item is invalid, names a task or project the workspace does not have live, an archived or full project, or an assignee who is not a member: nothing was written, and `errors` names each item by index (`items.3.title`)."),
    ...inWorkspace("task:write", "workspace"),
    409: problemResponse("Something an item named changed while the request was applied; nothing was written. Retry."),
    412: problemResponse("Every refused item's `ifMatch` names another version; nothing was written."),
  },
});

export type BulkTasksRoute = typeof bulkTasks;
