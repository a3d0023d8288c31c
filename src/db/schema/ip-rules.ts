import { sql } from "drizzle-orm";
import { check, cidr, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { users } from "./users";

export const IP_RULE_ACTIONS = ["allow", "deny"] as const;
/** The longest note an admin may keep with a rule. */
export const IP_RULE_NOTE_MAX = 200;

/**
 * Allow and deny rules for client addresses, managed by platform admins at run time; each isolate
 * reads the active ones at most once per IP_RULES_TTL_SECONDS. Deleted for good when removed: the
 * audit log keeps who added and removed what.
 */
export const ipRules = pgTable(
  "ip_rules",
  {
    id: text().primaryKey(),
    /** Normalised by the API (network address, IPv4-mapped IPv6 as IPv4); the type refuses anything else. */
    cidr: cidr().notNull(),
    action: text({ enum: IP_RULE_ACTIONS }).notNull(),
    note: text(),
    /** When the rule stops applying; null for never. */
    expiresAt: timestamp({ withTimezone: true, mode: "date" }),
    createdAt: timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow(),
    createdBy: text()
      .notNull()
      .references(() => users.id),
  },
  (table) => [
    check("ip_rules_action", sql`${table.action} in ('allow', 'deny')`),
    check("ip_rules_note_length", sql`${table.note} is null or char_length(${table.note}) between 1 and 200`),
  ],
);
