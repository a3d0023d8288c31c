import { sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { newId } from "../../lib/ids";
import { at, textArray } from "./sql";
import { RESTORE_WINDOW_MS } from "./workspaces";

/**
 * Workspaces one run purges at most, oldest deletion first: each takes everything in it along (the
 * foreign keys cascade), and the statement must end within DATABASE_TIMEOUT_MS. The rest wait for the
 * next run.
 */
export const PURGE_BATCH_SIZE = 100;

/**
 * Deletes for good the workspaces deleted more than RESTORE_WINDOW_MS before `now`, at most `limit`,
 * with their members, roles, invitations and keys, and one `workspace.purged` audit row each (the
 * audit log keeps the workspace's history): one statement, one round trip. A workspace restored
 * meanwhile is kept, and so is one with attachments whose files are not yet purged from R2 (the
 * attachments' purge takes them first, in the same hourly run or the next). Returns the ids purged.
 */
export async function purgeDeletedWorkspaces(db: Database, now: number, limit = PURGE_BATCH_SIZE): Promise<string[]> {
  const cutoff = new Date(now - RESTORE_WINDOW_MS);
  // One audit id per workspace the statement may purge, taken by its place in the batch.
  const auditIds = Array.from({ length: limit }, () => newId("audit"));
  const result = await db.http.execute(sql`
    with locked as (
      select id, deleted_at from workspaces w where deleted_at < ${at(cutoff)}
        -- Files in R2 outlive rows: the attachments' purge removes them first (src/services/domain/attachment-purge.ts).
        and not exists (select 1 from attachments a where a.workspace_id = w.id and a.purged_at is null)
      order by deleted_at, id limit ${limit}
      for update skip locked
    ),
    doomed as (select id, row_number() over (order by deleted_at, id) as place from locked),
    purged as (
      delete from workspaces w using doomed where w.id = doomed.id and w.deleted_at < ${at(cutoff)} returning w.id, doomed.place
    ),
    audited as (
      insert into audit_log (id, actor_id, action, target_type, target_id, workspace_id, created_at)
      select (${textArray(auditIds)})[purged.place], null, 'workspace.purged', 'workspace', purged.id, purged.id, ${at(new Date(now))} from purged
    )
    select id from purged`);
  return (result.rows as Array<{ id: string }>).map((row) => row.id);
}
