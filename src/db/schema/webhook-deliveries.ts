import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, text, timestamp, unique } from "drizzle-orm/pg-core";
import { events } from "./events";
import { webhookEndpoints } from "./webhook-endpoints";
import { workspaces } from "./workspaces";

/**
 * One event owed to one endpoint. Its id is the `webhook-id` header of every attempt, so a receiver
 * can drop duplicates; (endpoint, event) is unique, so a relay that runs twice owes it once.
 */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: text().primaryKey(),
    workspaceId: text()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    endpointId: text()
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    eventId: text()
      .notNull()
      .references(() => events.id, { onDelete: "cascade" }),
    eventType: text().notNull(),
    /** pending (attempts left), succeeded, failed (schedule exhausted or endpoint disabled). */
    status: text().notNull().default("pending"),
    attempts: integer().notNull().default(0),
    nextAttemptAt: timestamp({ withTimezone: true, mode: "date" }),
    lastAttemptAt: timestamp({ withTimezone: true, mode: "date" }),
    lastStatusCode: integer(),
    createdAt: timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (table) => [
    unique("webhook_deliveries_endpoint_event_key").on(table.endpointId, table.eventId),
    index("webhook_deliveries_endpoint_created_idx").on(table.endpointId, table.createdAt, table.id),
    index("webhook_deliveries_due_idx").on(table.nextAttemptAt).where(sql`${table.status} = 'pending'`),
    check("webhook_deliveries_status", sql`${table.status} in ('pending', 'succeeded', 'failed')`),
  ],
);

/** Every attempt of a delivery, with what the endpoint answered: the delivery log. */
export const webhookAttempts = pgTable(
  "webhook_attempts",
  {
    id: text().primaryKey(),
    deliveryId: text()
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: "cascade" }),
    attempt: integer().notNull(),
    /** The HTTP status, or null when there was no answer (timeout, refused address, network error). */
    statusCode: integer(),
    durationMs: integer().notNull(),
    /** Why it failed without an answer, or the start of the answer's body; bounded. */
    error: text(),
    attemptedAt: timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (table) => [
    unique("webhook_attempts_delivery_attempt_key").on(table.deliveryId, table.attempt),
    check("webhook_attempts_error_length", sql`char_length(${table.error}) <= 1000`),
  ],
);
