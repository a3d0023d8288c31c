import { sql } from "drizzle-orm";
import { bigint, check, index, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { workspaceColumn } from "./domain-columns";

/**
 * What happened in a workspace (`task.created`, `comment.added`, …), written in the same batch as the
 * change: the outbox that notifications and webhooks read, in `seq` order.
 */
export const events = pgTable(
  "events",
  {
    id: text().primaryKey(),
    /** Commit-ordered enough for a consumer's cursor; gaps are normal. */
    seq: bigint({ mode: "number" }).generatedAlwaysAsIdentity().notNull().unique("events_seq_key"),
    workspaceId: workspaceColumn(),
    type: text().notNull(),
    subjectType: text().notNull(),
    subjectId: text().notNull(),
    /** A user or API key id. */
    actorId: text(),
    /** The resource after the change (before it, for a deletion), as the API shows it. */
    payload: jsonb().$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow(),
    /**
     * The relay (src/jobs/event-relay.ts) claims unrelayed events until this time; a claim that runs
     * out before `relayedAt` is set (a consumer that died) is taken again.
     */
    relayClaimedUntil: timestamp({ withTimezone: true, mode: "date" }),
    /** When every subscriber (notifications, outbound webhooks) had the event; null until then. */
    relayedAt: timestamp({ withTimezone: true, mode: "date" }),
  },
  (table) => [
    index("events_workspace_seq_idx").on(table.workspaceId, table.seq),
    index("events_unrelayed_idx").on(table.seq).where(sql`${table.relayedAt} is null`),
    check("events_type_format", sql`${table.type} ~ '^[a-z_]+\\.[a-z_]+$'`),
  ],
);
