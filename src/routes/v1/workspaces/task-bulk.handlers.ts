import type { AppRouteHandler } from "../../../lib/create-router";
import { ifMatchVersions, versionTag } from "../../../lib/http/version-tags";
import { requestMeta } from "../../../lib/request-meta";
import { bulkTasks as bulk, type BulkItem } from "../../../services/domain/task-bulk";
import { domainDeps } from "./domain.context";
import type { BulkTasksRoute } from "./task-bulk.routes";
import { currentWorkspace } from "./workspaces.context";

export const bulkTasks: AppRouteHandler<BulkTasksRoute> = async (c) => {
  const items = c.req.valid("json").items.map((item): BulkItem => {
    if (item.op === "delete") return { op: "delete", id: item.id, expected: ifMatchVersions(item.ifMatch, item.id) };
    const { description, status, priority, assigneeId, labels, dueDate, position } = item;
    const fields = { description, status, priority, assigneeId, labels, dueDate, position };
    if (item.op === "create") return { op: "create", projectId: item.projectId, task: { title: item.title, ...fields } };
    return { op: "update", id: item.id, expected: ifMatchVersions(item.ifMatch, item.id), changes: { title: item.title, ...fields } };
  });
  const results = await bulk(domainDeps(c), currentWorkspace(c), items, requestMeta(c));
  return c.json({ items: results.map(({ op, task, version }) => ({ op, task, etag: versionTag(task.id, version) })) }, 200);
};
