import { sql } from "drizzle-orm";
import { bigint, check, index, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { authorship, workspaceColumn } from "./domain-columns";
import { softDelete, timestamps } from "./columns";
import { tasks } from "./tasks";

export const ATTACHMENT_STATUSES = ["pending", "ready"] as const;

/**
 * A file on a task, held in R2 under a server-generated key. The row is written `pending` before the
 * upload and made `ready` after it, so a failed upload leaves a row the purge job finds, never an object
 * nobody knows of. Counted against the workspace's quota from the moment it is pending.
 */
export const attachments = pgTable(
  "attachments",
  {
    id: text().primaryKey(),
    workspaceId: workspaceColumn(),
    taskId: text()
      .notNull()
      .references(() => tasks.id, { onDelete: "cascade" }),
    objectKey: text().notNull(),
    /** The client's file name, cleaned; only ever sent back in `Content-Disposition`, encoded. */
    fileName: text().notNull(),
    /** The type the magic bytes proved, not the one the client claimed. */
    contentType: text().notNull(),
    size: bigint({ mode: "number" }).notNull(),
    sha256: text(),
    status: text({ enum: ATTACHMENT_STATUSES }).notNull().default("pending"),
    /** Set by the purge job once the object is gone from R2. */
    purgedAt: timestamp({ withTimezone: true, mode: "date" }),
    ...authorship,
    ...timestamps,
    ...softDelete,
  },
  (table) => [
    uniqueIndex("attachments_object_key_key").on(table.objectKey),
    index("attachments_task_created_idx").on(table.taskId, table.createdAt, table.id).where(sql`${table.deletedAt} is null`),
    // The quota's sum: every attachment not yet purged.
    index("attachments_workspace_size_idx").on(table.workspaceId, table.size).where(sql`${table.purgedAt} is null`),
    // The list of deleted attachments that can still be restored, newest deletion first.
    index("attachments_workspace_deleted_idx").on(table.workspaceId, table.deletedAt, table.id).where(sql`${table.deletedAt} is not null and ${table.purgedAt} is null`),
    // The purge job's scan: deleted or abandoned uploads not yet removed from R2.
    index("attachments_purge_idx").on(table.updatedAt).where(sql`${table.purgedAt} is null and (${table.deletedAt} is not null or ${table.status} = 'pending')`),
    check("attachments_size", sql`${table.size} >= 0`),
    check("attachments_file_name_length", sql`char_length(${table.fileName}) between 1 and 255`),
    check("attachments_status", sql`${table.status} in ('pending', 'ready')`),
  ],
);
