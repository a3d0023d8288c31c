import { sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { at, isoTime, textArray } from "../workspaces/sql";

/** An event as the relay hands it to its subscribers. */
export interface RelayedEvent {
  id: string;
  seq: number;
  workspaceId: string;
  /** `task.created`, `comment.added`, … */
  type: string;
  subjectType: string;
  subjectId: string;
  /** A user or API key id; null for the system. */
  actorId: string | null;
  payload: Record<string, unknown>;
  /** ISO 8601. */
  createdAt: string;
}

/**
 * One consumer of the events outbox: the notification hubs' fan-out, the outbound webhooks. It must
 * be idempotent by event id: an event is handed over again when the relay fails after `handle`
 * (at-least-once), and two relays may run at once.
 */
export interface EventSubscriber {
  /** For the logs and metrics. */
  name: string;
  handle(events: readonly RelayedEvent[]): Promise<void>;
}

/** Events one claim takes at most. */
export const RELAY_BATCH_SIZE = 100;
/** A claim's lease: a relay that dies leaves its events to the next one after this long. */
export const RELAY_CLAIM_MS = 5 * 60 * 1000;

export interface RelayScope {
  /** Events per claim; tests pass a small one. */
  limit?: number;
  /**
   * Only this workspace's events. The suite's test files share one database and run at once, so a
   * test relays its own workspace's events and leaves the others' alone; the Worker relays all.
   */
  workspaceId?: string;
}

/**
 * Claims up to `limit` unrelayed events whose claim is free or ran out, oldest first, for
 * RELAY_CLAIM_MS: one statement (`for update skip locked`), so two relays never take the same event.
 */
export async function claimEvents(db: Database, now: Date, { limit = RELAY_BATCH_SIZE, workspaceId }: RelayScope = {}): Promise<RelayedEvent[]> {
  const result = await db.http.execute(sql`
    update events e set relay_claimed_until = ${at(new Date(now.getTime() + RELAY_CLAIM_MS))}
    from (
      select id from events
      where relayed_at is null and (relay_claimed_until is null or relay_claimed_until < ${at(now)})
        ${workspaceId === undefined ? sql`` : sql`and workspace_id = ${workspaceId}`}
      order by seq limit ${limit}
      for update skip locked
    ) claimed
    where e.id = claimed.id
    returning e.id, e.seq, e.workspace_id, e.type, e.subject_type, e.subject_id, e.actor_id, e.payload, ${isoTime(sql`e.created_at`)} as created_at`);
  const rows = result.rows as Array<{
    id: string;
    seq: string | number;
    workspace_id: string;
    type: string;
    subject_type: string;
    subject_id: string;
    actor_id: string | null;
    payload: Record<string, unknown>;
    created_at: string;
  }>;
  return rows
    .map((row) => ({
      id: row.id,
      seq: Number(row.seq),
      workspaceId: row.workspace_id,
      type: row.type,
      subjectType: row.subject_type,
      subjectId: row.subject_id,
      actorId: row.actor_id,
      payload: row.payload,
      createdAt: row.created_at,
    }))
    .sort((a, b) => a.seq - b.seq);
}

/** Marks `ids` relayed: no relay takes them again. */
export async function markRelayed(db: Database, ids: readonly string[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await db.http.execute(sql`update events set relayed_at = ${at(now)}, relay_claimed_until = null where id = any(${textArray(ids)})`);
}

export interface RelayOutcome {
  /** Events every subscriber took, now marked relayed. */
  relayed: number;
  /** Subscribers that failed; their batch stays claimed until the lease runs out, then is taken again. */
  failed: { subscriber: string; error: unknown }[];
}

/**
 * One round of the relay: claims a batch, hands it to every subscriber at once and marks it relayed
 * when all of them took it. Three database round trips (claim, subscribers' own, mark).
 */
export async function relayOnce(db: Database, subscribers: readonly EventSubscriber[], now: () => Date, scope: RelayScope = {}): Promise<RelayOutcome & { claimed: number }> {
  const claimed = await claimEvents(db, now(), scope);
  if (claimed.length === 0) return { claimed: 0, relayed: 0, failed: [] };
  const outcomes = await Promise.allSettled(subscribers.map((subscriber) => subscriber.handle(claimed)));
  const failed = outcomes.flatMap((outcome, index) => (outcome.status === "rejected" ? [{ subscriber: subscribers[index]!.name, error: outcome.reason }] : []));
  if (failed.length > 0) return { claimed: claimed.length, relayed: 0, failed };
  await markRelayed(
    db,
    claimed.map((event) => event.id),
    now(),
  );
  return { claimed: claimed.length, relayed: claimed.length, failed };
}
