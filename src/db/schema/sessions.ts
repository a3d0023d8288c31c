import { sql } from "drizzle-orm";
import { check, index, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { users } from "./users";

export const SESSION_END_REASONS = ["logout", "revoked", "password_changed", "password_reset", "account_deleted", "reuse_detected"] as const;

/**
 * A signed-in device: one refresh-token family. Access tokens name it (`sid`), so ending it ends
 * them within the revocation bound.
 */
export const sessions = pgTable(
  "sessions",
  {
    id: text().primaryKey(),
    userId: text()
      .notNull()
      .references(() => users.id),
    /** The client's User-Agent, cut to 256 characters: shown in the session list. */
    userAgent: text(),
    /** The client IP at sign-in. */
    ip: text(),
    createdAt: timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow(),
    lastUsedAt: timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow(),
    /** The absolute end: no refresh extends it. */
    expiresAt: timestamp({ withTimezone: true, mode: "date" }).notNull(),
    revokedAt: timestamp({ withTimezone: true, mode: "date" }),
    revokedReason: text({ enum: SESSION_END_REASONS }),
  },
  (table) => [
    index("sessions_user_id_idx").on(table.userId),
    // The hourly purge of long-expired sessions (src/services/maintenance/expired-rows.ts).
    index("sessions_expires_at_idx").on(table.expiresAt),
    check("sessions_user_agent_length", sql`${table.userAgent} is null or char_length(${table.userAgent}) <= 256`),
    check("sessions_revoked", sql`(${table.revokedAt} is null) = (${table.revokedReason} is null)`),
  ],
);
