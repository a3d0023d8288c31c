import { sql } from "drizzle-orm";
import { check, date, doublePrecision, index, integer, pgTable, smallint, text, uniqueIndex } from "drizzle-orm/pg-core";
import { authorship, tsvector, workspaceColumn } from "./domain-columns";
import { softDelete, timestamps } from "./columns";
import { projects } from "./projects";
import { users } from "./users";

export const TASK_STATUSES = ["todo", "in_progress", "in_review", "done", "canceled"] as const;
/** Stored as their index (0 = none … 4 = urgent), so sorting by priority is sorting a number. */
export const TASK_PRIORITIES = ["none", "low", "medium", "high", "urgent"] as const;

/**
 * A task in a project, named `<project key>-<number>`. `search_vector` is generated from the title
 * (weight A) and description (weight B) for `websearch_to_tsquery` searches; comments carry their own.
 */
export const tasks = pgTable(
  "tasks",
  {
    id: text().primaryKey(),
    workspaceId: workspaceColumn(),
    projectId: text()
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    number: integer().notNull(),
    title: text().notNull(),
    description: text(),
    status: text({ enum: TASK_STATUSES }).notNull().default("todo"),
    priority: smallint().notNull().default(0),
    assigneeId: text().references(() => users.id, { onDelete: "set null" }),
    labels: text().array().notNull().default(sql`'{}'::text[]`),
    dueDate: date({ mode: "string" }),
    /** Order on a board; a new task goes last, a move takes the midpoint of its new neighbours. */
    position: doublePrecision().notNull(),
    searchVector: tsvector()
      .notNull()
      .generatedAlwaysAs(
        sql`setweight(to_tsvector('english'::regconfig, title), 'A') || setweight(to_tsvector('english'::regconfig, coalesce(description, '')), 'B')`,
      ),
    ...authorship,
    ...timestamps,
    ...softDelete,
  },
  (table) => [
    uniqueIndex("tasks_project_number_key").on(table.projectId, table.number),
    // One index per sort order of a workspace's list, each with `id` as the tiebreaker.
    index("tasks_workspace_created_idx").on(table.workspaceId, table.createdAt, table.id).where(sql`${table.deletedAt} is null`),
    index("tasks_workspace_updated_idx").on(table.workspaceId, table.updatedAt, table.id).where(sql`${table.deletedAt} is null`),
    index("tasks_workspace_due_idx").on(table.workspaceId, table.dueDate, table.id).where(sql`${table.deletedAt} is null`),
    index("tasks_workspace_priority_idx").on(table.workspaceId, table.priority, table.id).where(sql`${table.deletedAt} is null`),
    index("tasks_project_position_idx").on(table.projectId, table.position, table.id).where(sql`${table.deletedAt} is null`),
    index("tasks_assignee_idx").on(table.assigneeId, table.updatedAt, table.id).where(sql`${table.deletedAt} is null`),
    index("tasks_labels_idx").using("gin", table.labels),
    index("tasks_search_idx").using("gin", table.searchVector),
    index("tasks_workspace_deleted_idx").on(table.workspaceId, table.deletedAt, table.id).where(sql`${table.deletedAt} is not null`),
    check("tasks_number", sql`${table.number} >= 1`),
    check("tasks_title_length", sql`char_length(${table.title}) between 1 and 200`),
    check("tasks_description_length", sql`${table.description} is null or char_length(${table.description}) <= 20000`),
    check("tasks_status", sql`${table.status} in ('todo', 'in_progress', 'in_review', 'done', 'canceled')`),
    check("tasks_priority", sql`${table.priority} between 0 and 4`),
    check("tasks_labels_count", sql`cardinality(${table.labels}) <= 20`),
  ],
);
