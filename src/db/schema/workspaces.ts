import { sql } from "drizzle-orm";
import { check, index, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { softDelete, timestamps } from "./columns";
import { users } from "./users";

/**
 * The tenant: every domain row belongs to exactly one workspace. Deleting one is soft: its owners may
 * restore it for 30 days, then a scheduled job purges it with everything in it.
 */
export const workspaces = pgTable(
  "workspaces",
  {
    id: text().primaryKey(),
    name: text().notNull(),
    slug: text().notNull(),
    /** Who made it, for the record; null only where that account is gone. Its owners are in workspace_members. */
    createdBy: text().references(() => users.id, { onDelete: "set null" }),
    ...timestamps,
    ...softDelete,
  },
  (table) => [
    uniqueIndex("workspaces_slug_key").on(table.slug).where(sql`${table.deletedAt} is null`),
    // The purge job's scan: deleted workspaces, oldest first.
    index("workspaces_deleted_at_idx").on(table.deletedAt).where(sql`${table.deletedAt} is not null`),
    check("workspaces_name_length", sql`char_length(${table.name}) between 1 and 100`),
    check("workspaces_slug_format", sql`${table.slug} ~ '^[a-z0-9]([a-z0-9-]{0,46}[a-z0-9])?$'`),
  ],
);
