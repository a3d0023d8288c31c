import { sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import type { Clock } from "../../lib/clock";
import type { EventSubscriber, RelayedEvent } from "../events/relay";
import { at, textArray } from "../workspaces/sql";
import type { DeliveryMessage } from "./delivery-log";

/** A queue's sendBatch takes at most 100 messages. */
const SEND_BATCH_LIMIT = 100;
/** Crockford's base32, as src/lib/ids.ts spells ids. */
const ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
/**
 * Bytes of two random UUIDs (gen_random_uuid: cryptographically random) that carry no fixed bits in
 * their low five: bytes 6 and 22 hold the version. 26 characters of 5 bits, as newId makes them.
 */
const RANDOM_BYTE_INDEXES = [0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 23, 24, 25, 26, 27];

/**
 * A new `msg_…` id per row, made by PostgreSQL: the insert picks its rows itself, so ids cannot be
 * made beforehand. `row` must name a column of the row, so the expression runs once per row.
 */
function deliveryId(row: ReturnType<typeof sql>) {
  const indexes = sql.raw(`array[${RANDOM_BYTE_INDEXES.join(",")}]`);
  return sql`(select 'msg_' || string_agg(substr(${ID_ALPHABET}, (get_byte(r.b, i) & 31) + 1, 1), '' order by o)
              from (select uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()) as b where ${row} is not null) r,
                   unnest(${indexes}) with ordinality as u(i, o))`;
}

/**
 * Creates a delivery per (event, live enabled endpoint of its workspace subscribed to its type) in
 * ONE statement, then queues their first attempts (at most 100 per send). Idempotent by event id:
 * (endpoint, event) is unique, so handing the same events over again creates nothing new; a delivery
 * never attempted is queued again (its first queueing may be what failed), and the consumer drops a
 * message whose delivery is not due.
 */
export async function createDeliveries(db: Database, queue: Queue<DeliveryMessage>, events: readonly RelayedEvent[], now: Date): Promise<string[]> {
  if (events.length === 0) return [];
  const result = await db.http.execute(sql`
    insert into webhook_deliveries (id, workspace_id, endpoint_id, event_id, event_type, status, next_attempt_at, created_at, updated_at)
    select ${deliveryId(sql`ep.id`)}, ev.workspace_id, ep.id, ev.id, ev.type, 'pending', ${at(now)}, ${at(now)}, ${at(now)}
    from unnest(${textArray(events.map((event) => event.id))}, ${textArray(events.map((event) => event.workspaceId))}, ${textArray(events.map((event) => event.type))}) as ev(id, workspace_id, type)
    join webhook_endpoints ep on ep.workspace_id = ev.workspace_id and ep.disabled_at is null and ep.deleted_at is null
      and (cardinality(ep.event_types) = 0 or ev.type = any(ep.event_types))
    on conflict (endpoint_id, event_id) do update set updated_at = excluded.updated_at
      where webhook_deliveries.attempts = 0 and webhook_deliveries.status = 'pending'
    returning id`);
  const ids = (result.rows as Array<{ id: string }>).map((row) => row.id);
  await sendFirstAttempts(queue, ids);
  return ids;
}

/** One message per delivery in `ids`, due now, at most 100 per send. */
async function sendFirstAttempts(queue: Queue<DeliveryMessage>, ids: readonly string[]): Promise<void> {
  const sends: Promise<unknown>[] = [];
  for (let start = 0; start < ids.length; start += SEND_BATCH_LIMIT) {
    const messages = ids.slice(start, start + SEND_BATCH_LIMIT).map((id) => ({ body: { deliveryId: id } satisfies DeliveryMessage, contentType: "json" as const }));
    sends.push(queue.sendBatch(messages));
  }
  await Promise.all(sends);
}

/** The relay's subscriber for outbound webhooks (register in src/jobs/event-subscribers.ts). */
export function outboundWebhooksSubscriber({ db, queue, clock }: { db: Database; queue: Queue<DeliveryMessage>; clock: Clock }): EventSubscriber {
  return {
    name: "outbound-webhooks",
    async handle(events) {
      await createDeliveries(db, queue, events, new Date(clock()));
    },
  };
}

/** A pending delivery this overdue has lost its message (a failed send, a dead consumer): the sweep queues it again. */
export const LOST_AFTER_MS = 5 * 60_000;
/** Deliveries one sweep queues again at most. */
export const SWEEP_LIMIT = 500;

/**
 * Queues again up to `limit` pending deliveries overdue by LOST_AFTER_MS, oldest first; their due
 * time becomes `now`, so the next sweep leaves them alone for as long again. One statement (`skip
 * locked`), then the sends. A message that was only late meets its copy: the consumer makes one attempt.
 */
export async function requeueLostDeliveries(db: Database, queue: Queue<DeliveryMessage>, now: Date, { limit = SWEEP_LIMIT, workspaceId }: { limit?: number; workspaceId?: string } = {}): Promise<number> {
  const result = await db.http.execute(sql`
    update webhook_deliveries d set next_attempt_at = ${at(now)}
    from (
      select id from webhook_deliveries
      where status = 'pending' and next_attempt_at < ${at(new Date(now.getTime() - LOST_AFTER_MS))}
        ${workspaceId === undefined ? sql`` : sql`and workspace_id = ${workspaceId}`}
      order by next_attempt_at limit ${limit}
      for update skip locked
    ) lost
    where d.id = lost.id
    returning d.id`);
  const ids = (result.rows as Array<{ id: string }>).map((row) => row.id);
  await sendFirstAttempts(queue, ids);
  return ids.length;
}
