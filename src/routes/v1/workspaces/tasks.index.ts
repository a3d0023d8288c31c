import { createRouter } from "../../../lib/create-router";
import * as bulkHandlers from "./task-bulk.handlers";
import * as bulkRoutes from "./task-bulk.routes";
import * as handlers from "./tasks.handlers";
import * as routes from "./tasks.routes";

/**
 * Routes under `/v1/workspaces`; mounted by ./index.ts. A workspace's tasks. The list of deleted ones
 * comes before `{taskId}`, which would otherwise take `deleted` for an id.
 */
export const tasksRoutes = createRouter()
  .openapi(routes.listTasks, handlers.listTasks)
  .openapi(routes.createTask, handlers.createTask)
  .openapi(routes.listDeletedTasks, handlers.listDeletedTasks)
  .openapi(bulkRoutes.bulkTasks, bulkHandlers.bulkTasks)
  .openapi(routes.getTask, handlers.getTask)
  .openapi(routes.updateTask, handlers.updateTask)
  .openapi(routes.deleteTask, handlers.deleteTask)
  .openapi(routes.restoreTask, handlers.restoreTask);
