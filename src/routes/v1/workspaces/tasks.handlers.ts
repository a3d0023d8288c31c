import type { AppRouteHandler } from "../../../lib/create-router";
import { ifMatchVersions } from "../../../lib/http/version-tags";
import { requestMeta } from "../../../lib/request-meta";
import { listDeletedTasks as listDeleted, listTasks as list } from "../../../services/domain/task-lists";
import { deleteTask as remove, restoreTask as restore, updateTask as update } from "../../../services/domain/task-writes";
import { createTask as create, readTask } from "../../../services/domain/tasks";
import { domainDeps, listCursors, tagged } from "./domain.context";
import type { CreateTaskRoute, DeleteTaskRoute, GetTaskRoute, ListDeletedTasksRoute, ListTasksRoute, RestoreTaskRoute, UpdateTaskRoute } from "./tasks.routes";
import { currentWorkspace } from "./workspaces.context";

export const listTasks: AppRouteHandler<ListTasksRoute> = async (c) => {
  const { cursor, limit, sort, order, status, assignee, label, project, dueBefore, dueAfter, updatedSince, q } = c.req.valid("query");
  const filters = { status, assigneeId: assignee, label, projectId: project, dueBefore, dueAfter, updatedSince: updatedSince === undefined ? undefined : new Date(updatedSince), q };
  const page = await list(domainDeps(c), currentWorkspace(c), { cursor, limit, sort, order, ...filters }, await listCursors(c));
  return c.json(page, 200);
};

export const createTask: AppRouteHandler<CreateTaskRoute> = async (c) => {
  const { title, description, status, priority, assigneeId, labels, dueDate, position } = c.req.valid("json");
  const input = { title, description, status, priority, assigneeId, labels, dueDate, position };
  const task = await create(domainDeps(c), currentWorkspace(c), c.req.valid("param").projectId, input, requestMeta(c));
  return c.json(tagged(c, task), 201);
};

export const listDeletedTasks: AppRouteHandler<ListDeletedTasksRoute> = async (c) => {
  const { cursor, limit } = c.req.valid("query");
  return c.json(await listDeleted(domainDeps(c), currentWorkspace(c), { cursor, limit }, await listCursors(c)), 200);
};

export const getTask: AppRouteHandler<GetTaskRoute> = async (c) => {
  return c.json(tagged(c, await readTask(domainDeps(c), currentWorkspace(c), c.req.valid("param").taskId)), 200);
};

export const updateTask: AppRouteHandler<UpdateTaskRoute> = async (c) => {
  const { taskId } = c.req.valid("param");
  const { title, description, status, priority, assigneeId, labels, dueDate, position } = c.req.valid("json");
  const changes = { title, description, status, priority, assigneeId, labels, dueDate, position };
  const expected = ifMatchVersions(c.req.valid("header")["if-match"], taskId);
  return c.json(tagged(c, await update(domainDeps(c), currentWorkspace(c), taskId, changes, expected, requestMeta(c))), 200);
};

export const deleteTask: AppRouteHandler<DeleteTaskRoute> = async (c) => {
  const { taskId } = c.req.valid("param");
  await remove(domainDeps(c), currentWorkspace(c), taskId, ifMatchVersions(c.req.valid("header")["if-match"], taskId), requestMeta(c));
  return c.body(null, 204);
};

export const restoreTask: AppRouteHandler<RestoreTaskRoute> = async (c) => {
  const { taskId } = c.req.valid("param");
  const expected = ifMatchVersions(c.req.valid("header")["if-match"], taskId);
  return c.json(tagged(c, await restore(domainDeps(c), currentWorkspace(c), taskId, expected, requestMeta(c))), 200);
};
