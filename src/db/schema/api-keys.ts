import { sql } from "drizzle-orm";
import { check, index, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { timestamps } from "./columns";
import { users } from "./users";
import { workspaces } from "./workspaces";

/** Most CIDRs one key may be limited to. */
export const API_KEY_MAX_CIDRS = 20;

/**
 * A workspace's key for machines: `<env>_<prefix>_<secret>`, shown once. Stored as the SHA-256 of the
 * whole key with its visible prefix (unique, the lookup); acts as its workspace with its scopes (a
 * subset of the permissions). While rotating, the previous secret's hash stays valid until
 * `previous_secret_expires_at`.
 */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: text().primaryKey(),
    workspaceId: text()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    name: text().notNull(),
    prefix: text().notNull(),
    secretHash: text().notNull(),
    previousSecretHash: text(),
    previousSecretExpiresAt: timestamp({ withTimezone: true, mode: "date" }),
    scopes: text().array().notNull(),
    /** The networks it may be used from; null for anywhere. */
    allowedCidrs: text().array(),
    expiresAt: timestamp({ withTimezone: true, mode: "date" }),
    /** Recorded at most about once a minute per isolate, never by the request that uses the key. */
    lastUsedAt: timestamp({ withTimezone: true, mode: "date" }),
    createdBy: text().references(() => users.id, { onDelete: "set null" }),
    ...timestamps,
    revokedAt: timestamp({ withTimezone: true, mode: "date" }),
  },
  (table) => [
    uniqueIndex("api_keys_prefix_key").on(table.prefix),
    index("api_keys_workspace_id_idx").on(table.workspaceId, table.createdAt),
    check("api_keys_name_length", sql`char_length(${table.name}) between 1 and 100`),
    check("api_keys_scope_count", sql`cardinality(${table.scopes}) between 1 and 64`),
    check("api_keys_cidr_count", sql`${table.allowedCidrs} is null or cardinality(${table.allowedCidrs}) between 1 and ${sql.raw(String(API_KEY_MAX_CIDRS))}`),
  ],
);
