import { sql } from "drizzle-orm";
import { check, index, integer, jsonb, pgTable, text, timestamp, unique } from "drizzle-orm/pg-core";
import { softDelete, timestamps } from "./columns";
import { authorship } from "./domain-columns";
import { workspaces } from "./workspaces";

/**
 * A sender a workspace accepts webhooks from, at `POST /v1/hooks/{source id}`: its scheme (github,
 * stripe, standard) and its sealed signing secret (src/lib/secret-box.ts).
 */
export const webhookSources = pgTable(
  "webhook_sources",
  {
    id: text().primaryKey(),
    workspaceId: text()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    kind: text().notNull(),
    name: text().notNull(),
    secretSealed: text().notNull(),
    ...authorship,
    ...timestamps,
    ...softDelete,
  },
  (table) => [
    index("webhook_sources_workspace_idx").on(table.workspaceId, table.createdAt, table.id).where(sql`${table.deletedAt} is null`),
    check("webhook_sources_kind", sql`${table.kind} in ('github', 'stripe', 'standard')`),
    check("webhook_sources_name_length", sql`char_length(${table.name}) between 1 and 100`),
  ],
);

/**
 * One delivery received from a source, stored before it is acknowledged and processed from the
 * queue. (source, delivery id) is unique: a repeated delivery is acknowledged without a second effect.
 */
export const inboundDeliveries = pgTable(
  "inbound_deliveries",
  {
    id: text().primaryKey(),
    workspaceId: text()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    sourceId: text()
      .notNull()
      .references(() => webhookSources.id, { onDelete: "cascade" }),
    /** The sender's id of the delivery: X-GitHub-Delivery, the Stripe event's id, webhook-id. */
    deliveryId: text().notNull(),
    eventType: text().notNull(),
    payload: jsonb().$type<unknown>().notNull(),
    /** received (queued), processed, failed (retries exhausted: in the dead-letter queue). */
    status: text().notNull().default("received"),
    attempts: integer().notNull().default(0),
    lastError: text(),
    receivedAt: timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow(),
    processedAt: timestamp({ withTimezone: true, mode: "date" }),
  },
  (table) => [
    unique("inbound_deliveries_source_delivery_key").on(table.sourceId, table.deliveryId),
    index("inbound_deliveries_source_received_idx").on(table.sourceId, table.receivedAt, table.id),
    check("inbound_deliveries_status", sql`${table.status} in ('received', 'processed', 'failed')`),
    check("inbound_deliveries_delivery_id_length", sql`char_length(${table.deliveryId}) between 1 and 200`),
    check("inbound_deliveries_last_error_length", sql`char_length(${table.lastError}) <= 1000`),
  ],
);
