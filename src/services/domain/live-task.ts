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

/** A `jsonb` object of the columns of clause `alias`, as `{ apiName: column }`; times in ISO 8601. */
export function jsonOf(alias: string, columns: Record<string, string>, times: Record<string, string> = {}): SQL {
  const from = (column: string) => sql`${sql.identifier(alias)}.${sql.identifier(column)}`;
  const pairs = [
    ...Object.entries(columns).map(([name, column]) => sql`${name}::text, ${from(column)}`),
    ...Object.entries(times).map(([name, column]) => sql`${name}::text, to_char(${from(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`),
  ];
  return sql`jsonb_build_object(${sql.join(pairs, sql`, `)})`;
}
