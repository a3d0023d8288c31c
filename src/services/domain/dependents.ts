import { sql, type SQL } from "drizzle-orm";
import { at } from "../workspaces/sql";

// What goes and comes back with a task: its comments and attachments, in the statement that deletes
// or restores the task (or its project), so a task is never gone while its comments show.

/**
 * `with` clauses that soft-delete the live comments and attachments of the tasks clause `tasks`
 * returned (an `id` column), at `now`. Attachments' `updated_at` moves too: the purge job counts
 * from it.
 */
export function dependentsDeleted(workspaceId: string, tasks: string, now: Date): SQL {
  const ids = sql`(select id from ${sql.identifier(tasks)})`;
  return sql`comments_gone as (
      update comments set deleted_at = ${at(now)}, updated_at = ${at(now)} where workspace_id = ${workspaceId} and task_id in ${ids} and deleted_at is null
    ), attachments_gone as (
      update attachments set deleted_at = ${at(now)}, updated_at = ${at(now)} where workspace_id = ${workspaceId} and task_id in ${ids} and deleted_at is null
    )`;
}

/**
 * `with` clauses that restore the comments and attachments of the tasks clause `tasks` returned
 * that were deleted with them (the workspace named, so the indexes on deleted rows serve), at `deletedAt` exactly: those deleted before, on their own, stay
 * deleted, and attachments already purged from storage stay gone.
 */
export function dependentsRestored(workspaceId: string, tasks: string, deletedAt: SQL, now: Date): SQL {
  const ids = sql`(select id from ${sql.identifier(tasks)})`;
  return sql`comments_back as (
      update comments set deleted_at = null, updated_at = ${at(now)} where workspace_id = ${workspaceId} and task_id in ${ids} and deleted_at = ${deletedAt}
    ), attachments_back as (
      update attachments set deleted_at = null, updated_at = ${at(now)} where workspace_id = ${workspaceId} and task_id in ${ids} and deleted_at = ${deletedAt} and purged_at is null
    )`;
}
