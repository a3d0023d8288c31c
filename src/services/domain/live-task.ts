import { sql, type SQL } from "drizzle-orm";
import { ApiError } from "../../lib/errors";
import { isId } from "../../lib/ids";
import type { WorkspaceAccess } from "../workspaces/access";

/**
 * `task (id) as (…)`: task `taskId` when it is live and in the caller's workspace, no row otherwise,
 * for the `with` clause of a statement about its comments or attachments, which then changes nothing
 * and answers 404 for another workspace's task, a deleted one, or none.
 */
export function liveTask(access: WorkspaceAccess, taskId: string): SQL {
  return sql`task as (select id from tasks where id = ${taskId} and workspace_id = ${access.workspaceId} and deleted_at is null)`;
}

/** Refuses (404) a task id that cannot name a task, before any round trip. */
export function requireTaskId(taskId: string): void {
  if (!isId("task", taskId)) throw new ApiError("NOT_FOUND");
}
