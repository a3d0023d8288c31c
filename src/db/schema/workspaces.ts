import { sql } from "drizzle-orm";
import { check, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { softDelete, timestamps } from "./columns";

/** The tenant: every domain row belongs to exactly one workspace. */
export const workspaces = pgTable(
  "workspaces",
  {
    id: text().primaryKey(),
    name: text().notNull(),
    slug: text().notNull(),
    ...timestamps,
    ...softDelete,
  },
  (table) => [
    uniqueIndex("workspaces_slug_key").on(table.slug).where(sql`${table.deletedAt} is null`),
    check("workspaces_name_length", sql`char_length(${table.name}) between 1 and 100`),
    check("workspaces_slug_format", sql`${table.slug} ~ '^[a-z0-9]([a-z0-9-]{0,46}[a-z0-9])?$'`),
  ],
);
