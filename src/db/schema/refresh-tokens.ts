import { index, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { sessions } from "./sessions";

/**
 * Every refresh token a session was given, by hash. The current one has no `rotatedAt`; a rotated one
 * presented again outside the grace window revokes its session.
 */
export const refreshTokens = pgTable(
  "refresh_tokens",
  {
    /** SHA-256 of the token, hex. */
    tokenHash: text().primaryKey(),
    sessionId: text()
      .notNull()
      .references(() => sessions.id, { onDelete: "cascade" }),
    createdAt: timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow(),
    rotatedAt: timestamp({ withTimezone: true, mode: "date" }),
    /**
     * The successor token, sealed with a key derived from this token (AES-GCM), so a client that sent
     * this token twice at once gets the same successor within the grace window. Unreadable without
     * this token, which only its holder and nobody else (not the database) has.
     */
    successorSealed: text(),
  },
  (table) => [index("refresh_tokens_session_id_idx").on(table.sessionId)],
);
