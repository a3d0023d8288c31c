import { sql } from "drizzle-orm";
import { check, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { softDelete, timestamps } from "./columns";

export const USER_ROLES = ["user", "admin"] as const;
export const LOCALES = ["en", "de", "es"] as const;

/** A person who signs in. Platform-wide: workspaces reference users, not the other way round. */
export const users = pgTable(
  "users",
  {
    id: text().primaryKey(),
    /** Lowercase, trimmed; unique among accounts that are not deleted. */
    email: text().notNull(),
    emailVerifiedAt: timestamp({ withTimezone: true, mode: "date" }),
    /** Argon2id PHC string; null for accounts that only sign in through a provider. */
    passwordHash: text(),
    name: text(),
    locale: text({ enum: LOCALES }).notNull().default("en"),
    /** Platform role: `admin` may use the operator endpoints. */
    role: text({ enum: USER_ROLES }).notNull().default("user"),
    ...timestamps,
    ...softDelete,
  },
  (table) => [
    uniqueIndex("users_email_key").on(table.email).where(sql`${table.deletedAt} is null`),
    check("users_email_format", sql`char_length(${table.email}) between 3 and 254 and ${table.email} = lower(${table.email})`),
    check("users_name_length", sql`${table.name} is null or char_length(${table.name}) between 1 and 100`),
    check("users_locale", sql`${table.locale} in ('en', 'de', 'es')`),
    check("users_role", sql`${table.role} in ('user', 'admin')`),
  ],
);
