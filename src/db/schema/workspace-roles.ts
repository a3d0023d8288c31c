import { sql } from "drizzle-orm";
import { check, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { timestamps } from "./columns";
import { users } from "./users";
import { workspaces } from "./workspaces";

/** Most permissions a custom role can list: the whole list of permissions, with room to grow. */
export const CUSTOM_ROLE_MAX_PERMISSIONS = 64;

/**
 * A workspace's own role: a name and a set of permissions from src/lib/permissions.ts. Deleted for
 * good, and only while no member or invitation holds it (the foreign keys refuse otherwise).
 */
export const workspaceRoles = pgTable(
  "workspace_roles",
  {
    id: text().primaryKey(),
    workspaceId: text()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    name: text().notNull(),
    description: text(),
    permissions: text().array().notNull(),
    createdBy: text().references(() => users.id, { onDelete: "set null" }),
    ...timestamps,
  },
  (table) => [
    // Also serves the list of a workspace's roles.
    uniqueIndex("workspace_roles_name_key").on(table.workspaceId, sql`lower(${table.name})`),
    check("workspace_roles_name_length", sql`char_length(${table.name}) between 1 and 50`),
    check("workspace_roles_description_length", sql`${table.description} is null or char_length(${table.description}) <= 200`),
    check("workspace_roles_permission_count", sql`cardinality(${table.permissions}) between 1 and ${sql.raw(String(CUSTOM_ROLE_MAX_PERMISSIONS))}`),
  ],
);
