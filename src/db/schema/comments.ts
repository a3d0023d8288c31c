import { sql } from "drizzle-orm";
import { check, index, pgTable, text } from "drizzle-orm/pg-core";
import { authorship, tsvector, workspaceColumn } from "./domain-columns";
import { softDelete, timestamps } from "./columns";
import { tasks } from "./tasks";

/** A comment on a task; its body is searched with the task's title and description. */
export const comments = pgTable(
  "comments",
  {
    id: text().primaryKey(),
    workspaceId: workspaceColumn(),
    taskId: text()
      .notNull()
      .references(() => tasks.id, { onDelete: "cascade" }),
    body: text().notNull(),
    searchVector: tsvector()
      .notNull()
      .generatedAlwaysAs(sql`to_tsvector('english'::regconfig, body)`),
    ...authorship,
    ...timestamps,
    ...softDelete,
  },
  (table) => [
    index("comments_task_created_idx").on(table.taskId, table.createdAt, table.id).where(sql`${table.deletedAt} is null`),
    index("comments_search_idx").using("gin", table.searchVector),
    index("comments_workspace_deleted_idx").on(table.workspaceId, table.deletedAt, table.id).where(sql`${table.deletedAt} is not null`),
    check("comments_body_length", sql`char_length(${table.body}) between 1 and 10000`),
  ],
);
