import { sql } from "drizzle-orm";
import { index, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Who did what to what, written in the same batch as the change it records. Append-only; ids are
 * kept as text without foreign keys so the trail outlives what it names.
 */
export const auditLog = pgTable(
  "audit_log",
  {
    id: text().primaryKey(),
    /** The user who acted; null for an anonymous actor (a failed login of an unknown address). */
    actorId: text(),
    /** e.g. `user.registered`, `session.refreshed`, `login.failed`. */
    action: text().notNull(),
    targetType: text(),
    targetId: text(),
    /** The workspace the event belongs to; its owners and admins read it there. */
    workspaceId: text(),
    /** What changed, where the action alone does not say (a role from and to); never a secret. */
    details: jsonb().$type<Record<string, unknown>>(),
    ip: text(),
    userAgent: text(),
    requestId: text(),
    createdAt: timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (table) => [
    index("audit_log_actor_id_idx").on(table.actorId, table.createdAt),
    index("audit_log_target_idx").on(table.targetType, table.targetId),
    // A workspace's log, newest first, paged by (created_at, id).
    index("audit_log_workspace_idx").on(table.workspaceId, table.createdAt, table.id).where(sql`${table.workspaceId} is not null`),
  ],
);
