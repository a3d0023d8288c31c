import { sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { MAX_DELETE_KEYS, type AttachmentStore } from "../../lib/attachment-store";
import { at, textArray } from "../workspaces/sql";
import { RESTORE_WINDOW_MS } from "../workspaces/workspaces";

/** How long a deleted attachment's file is kept before it is purged: time to notice a mistake. */
export const DELETED_GRACE_MS = 24 * 60 * 60 * 1000;
/** A `pending` row this old is an upload that failed or was abandoned: no upload takes an hour. */
export const ABANDONED_AFTER_MS = 60 * 60 * 1000;
/** Files one run purges at most: one R2 delete call takes this many keys. */
export const ATTACHMENT_PURGE_BATCH_SIZE = MAX_DELETE_KEYS;

/**
 * Removes from R2 the files of attachments deleted more than DELETED_GRACE_MS ago, of uploads
 * pending for more than ABANDONED_AFTER_MS and of every attachment of a workspace past its restore
 * window (whose purge waits for them: its rows would go, its files would stay), at most `limit`,
 * oldest first, and marks their rows
 * `purged_at` (so the quota no longer counts them). The rows are claimed first, in one statement
 * (`for update skip locked`: two runs never take the same), so an upload that finishes after the
 * claim finds its row purged and removes its own file; when R2 fails, the claim is taken back and
 * the next run tries again. One database round trip and one R2 call (two round trips when R2 fails).
 * Returns the ids purged.
 */
export async function purgeAttachments(db: Database, store: AttachmentStore, now: number, limit = ATTACHMENT_PURGE_BATCH_SIZE): Promise<string[]> {
  const abandoned = at(new Date(now - ABANDONED_AFTER_MS));
  const deleted = at(new Date(now - DELETED_GRACE_MS));
  const gone = at(new Date(now - RESTORE_WINDOW_MS));
  const batch = Math.min(limit, MAX_DELETE_KEYS);
  // Checked again on each row as locked (the candidates are read from the statement's snapshot): an
  // attachment restored, or its task restored, since then keeps its file.
  const stillDoomed = sql`(a.deleted_at is not null or a.status = 'pending' or a.workspace_id in (select id from workspaces where deleted_at < ${gone}))`;
  const result = await db.http.execute(sql`
    with candidates as (
      (select id, updated_at from attachments
       where purged_at is null and (deleted_at is not null or status = 'pending') and updated_at < ${abandoned}
         and (deleted_at < ${deleted} or (deleted_at is null and status = 'pending'))
       order by updated_at limit ${batch})
      union all
      (select a.id, a.updated_at from workspaces w join attachments a on a.workspace_id = w.id and a.purged_at is null
       where w.deleted_at < ${gone} limit ${batch})
    ),
    doomed as (
      select a.id from attachments a join (select distinct id, updated_at from candidates order by updated_at limit ${batch}) c on c.id = a.id
      where a.purged_at is null and ${stillDoomed}
      for update of a skip locked
    )
    update attachments a set purged_at = ${at(new Date(now))} from doomed where a.id = doomed.id
    returning a.id, a.object_key`);
  const rows = result.rows as Array<{ id: string; object_key: string }>;
  if (rows.length === 0) return [];
  try {
    await store.delete(rows.map((row) => row.object_key));
  } catch (error) {
    await db.http.execute(sql`update attachments set purged_at = null where id = any(${textArray(rows.map((row) => row.id))})`);
    throw error;
  }
  return rows.map((row) => row.id);
}
