import { sql } from "drizzle-orm";
import { check, index, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { BUILT_IN_ROLES } from "../../lib/permissions";
import { timestamps } from "./columns";
import { users } from "./users";
import { workspaceRoles } from "./workspace-roles";
import { workspaces } from "./workspaces";

/**
 * Who belongs to a workspace, with exactly one role: a built-in one (`role`) or one of the
 * workspace's custom roles (`custom_role_id`). Removing a member deletes the row (the audit log keeps
 * the record), so access ends with the next request.
 */
export const workspaceMembers = pgTable(
  "workspace_members",
  {
    workspaceId: text()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text({ enum: BUILT_IN_ROLES }),
    customRoleId: text().references(() => workspaceRoles.id),
    ...timestamps,
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.userId] }),
    // "My workspaces".
    index("workspace_members_user_id_idx").on(table.userId),
    index("workspace_members_custom_role_id_idx").on(table.customRoleId).where(sql`${table.customRoleId} is not null`),
    check("workspace_members_one_role", sql`(${table.role} is null) <> (${table.customRoleId} is null)`),
    check("workspace_members_role", sql`${table.role} is null or ${table.role} in ('owner', 'admin', 'member', 'viewer')`),
  ],
);
