import { sql } from "drizzle-orm";
import { check, index, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { softDelete, timestamps } from "./columns";
import { authorship } from "./domain-columns";
import { workspaces } from "./workspaces";

/**
 * Where a workspace wants its events delivered (outbound webhooks, signed per Standard Webhooks).
 * Secrets are stored sealed (src/lib/secret-box.ts), never in the clear.
 */
export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: text().primaryKey(),
    workspaceId: text()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    url: text().notNull(),
    description: text().notNull().default(""),
    /** Event types delivered (`task.created`, …); empty: every type. */
    eventTypes: text().array().notNull().default(sql`'{}'::text[]`),
    /** The sealed `whsec_…` secret deliveries are signed with. */
    secretSealed: text().notNull(),
    /** After a rotation, the previous secret: deliveries carry a signature with each until it expires. */
    previousSecretSealed: text(),
    previousSecretExpiresAt: timestamp({ withTimezone: true, mode: "date" }),
    /** Set by an admin or by the delivery window running out; a disabled endpoint gets nothing. */
    disabledAt: timestamp({ withTimezone: true, mode: "date" }),
    disabledReason: text(),
    /** The first failed delivery since the last success; null while deliveries succeed. */
    failingSince: timestamp({ withTimezone: true, mode: "date" }),
    ...authorship,
    ...timestamps,
    ...softDelete,
  },
  (table) => [
    index("webhook_endpoints_workspace_idx").on(table.workspaceId, table.createdAt, table.id).where(sql`${table.deletedAt} is null`),
    check("webhook_endpoints_url_length", sql`char_length(${table.url}) between 1 and 2048`),
    check("webhook_endpoints_description_length", sql`char_length(${table.description}) <= 500`),
  ],
);
