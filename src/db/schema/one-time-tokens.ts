import { sql } from "drizzle-orm";
import { check, index, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { users } from "./users";

export const ONE_TIME_TOKEN_PURPOSES = ["email_verification", "password_reset"] as const;

/** Verification and reset tokens, by hash; redeemed once by a conditional update. */
export const oneTimeTokens = pgTable(
  "one_time_tokens",
  {
    /** SHA-256 of the token, hex. */
    tokenHash: text().primaryKey(),
    userId: text()
      .notNull()
      .references(() => users.id),
    purpose: text({ enum: ONE_TIME_TOKEN_PURPOSES }).notNull(),
    /** The address a verification token verifies: a later change of address voids it. */
    email: text().notNull(),
    createdAt: timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true, mode: "date" }).notNull(),
    usedAt: timestamp({ withTimezone: true, mode: "date" }),
  },
  (table) => [
    index("one_time_tokens_user_id_idx").on(table.userId),
    index("one_time_tokens_expires_at_idx").on(table.expiresAt),
    check("one_time_tokens_purpose", sql`${table.purpose} in ('email_verification', 'password_reset')`),
  ],
);
