import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { authorship, workspaceColumn } from "./domain-columns";
import { softDelete, timestamps } from "./columns";

/** A workspace's project: `key` (e.g. `WEB`) prefixes its tasks' numbers (`WEB-42`). */
export const projects = pgTable(
  "projects",
  {
    id: text().primaryKey(),
    workspaceId: workspaceColumn(),
    /** Unique in the workspace, deleted projects included, so a restored project keeps its tasks' names. */
    key: text().notNull(),
    name: text().notNull(),
    description: text(),
    archivedAt: timestamp({ withTimezone: true, mode: "date" }),
    /** The number the next task gets; taken with `update … returning`, so numbers are never reused. */
    nextTaskNumber: integer().notNull().default(1),
    ...authorship,
    ...timestamps,
    ...softDelete,
  },
  (table) => [
    uniqueIndex("projects_workspace_key_key").on(table.workspaceId, table.key),
    index("projects_workspace_created_idx").on(table.workspaceId, table.createdAt, table.id).where(sql`${table.deletedAt} is null`),
    index("projects_workspace_name_idx").on(table.workspaceId, table.name, table.id).where(sql`${table.deletedAt} is null`),
    index("projects_workspace_deleted_idx").on(table.workspaceId, table.deletedAt, table.id).where(sql`${table.deletedAt} is not null`),
    check("projects_key_format", sql`${table.key} ~ '^[A-Z][A-Z0-9]{1,9}$'`),
    check("projects_name_length", sql`char_length(${table.name}) between 1 and 100`),
    check("projects_description_length", sql`${table.description} is null or char_length(${table.description}) <= 10000`),
    check("projects_next_task_number", sql`${table.nextTaskNumber} >= 1`),
  ],
);
