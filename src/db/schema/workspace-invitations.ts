import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { BUILT_IN_ROLES } from "../../lib/permissions";
import { users } from "./users";
import { workspaceRoles } from "./workspace-roles";
import { workspaces } from "./workspaces";

/**
 * An invitation to join a workspace, mailed with a single-use token (stored as its SHA-256, like
 * identity's one-time tokens). Pending while none of accepted, declined or revoked is set and it has
 * not expired; it grants its role (built-in or custom, exactly one) to the account that accepts it.
 */
export const workspaceInvitations = pgTable(
  "workspace_invitations",
  {
    id: text().primaryKey(),
    workspaceId: text()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    /** Lowercase, trimmed: accepting needs a verified account of this address. */
    email: text().notNull(),
    role: text({ enum: BUILT_IN_ROLES }),
    customRoleId: text().references(() => workspaceRoles.id),
    tokenHash: text().notNull(),
    invitedBy: text().references(() => users.id, { onDelete: "set null" }),
    /** Mails sent for it, the first included; resending is limited. */
    sendCount: integer().notNull().default(1),
    lastSentAt: timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow(),
    createdAt: timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true, mode: "date" }).notNull(),
    acceptedAt: timestamp({ withTimezone: true, mode: "date" }),
    acceptedBy: text().references(() => users.id, { onDelete: "set null" }),
    declinedAt: timestamp({ withTimezone: true, mode: "date" }),
    revokedAt: timestamp({ withTimezone: true, mode: "date" }),
  },
  (table) => [
    uniqueIndex("workspace_invitations_token_hash_key").on(table.tokenHash),
    index("workspace_invitations_workspace_id_idx").on(table.workspaceId, table.createdAt),
    // Deleting a custom role checks that no invitation holds it.
    // The purge of invitations that ran out unaccepted long ago.
    index("workspace_invitations_unaccepted_expires_at_idx").on(table.expiresAt).where(sql`${table.acceptedAt} is null`),
    index("workspace_invitations_custom_role_id_idx").on(table.customRoleId).where(sql`${table.customRoleId} is not null`),
    check("workspace_invitations_one_role", sql`(${table.role} is null) <> (${table.customRoleId} is null)`),
    check("workspace_invitations_role", sql`${table.role} is null or ${table.role} in ('owner', 'admin', 'member', 'viewer')`),
    check("workspace_invitations_email_format", sql`char_length(${table.email}) between 3 and 254 and ${table.email} = lower(${table.email})`),
  ],
);
