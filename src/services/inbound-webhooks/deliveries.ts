import { sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../../db/client";
import { cursorTime, decodeCursor, encodeCursor } from "../../lib/cursor";
import { ApiError, invalidField } from "../../lib/errors";
import { derivedId, isId, newId } from "../../lib/ids";
import { commentJson, MAX_COMMENTS_PER_TASK } from "../domain/comments";
import type { RequestMeta } from "../../lib/request-meta";
import type { WorkspaceAccess } from "../workspaces/access";
import { at, auditFrom, isoTime } from "../workspaces/sql";
import type { TaskComment } from "./github-effect";
import type { SourceKind, VerifiedDelivery } from "./signatures";

export const DELIVERY_STATUSES = ["received", "processed", "failed"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
/** Most deliveries one page of the log holds. */
export const MAX_DELIVERY_PAGE = 100;
/** The longest error recorded on a delivery (the table's check says the same). */
const MAX_LAST_ERROR = 1000;

/** What INBOUND_QUEUE carries: the stored delivery's id, never its payload (a queue message is at most 128 KB). */
export const InboundMessageSchema = z.object({ id: z.string().refine((id) => isId("inboundDelivery", id)) }).strict();
export type InboundMessage = z.infer<typeof InboundMessageSchema>;

/** A live source as the receiving route needs it. */
export interface ReceivingSource {
  id: string;
  workspaceId: string;
  kind: SourceKind;
  secretSealed: string;
}

/** Live source `sourceId`, or undefined: one round trip. */
export async function receivingSource(db: Database, sourceId: string): Promise<ReceivingSource | undefined> {
  if (!isId("webhookSource", sourceId)) return undefined;
  const result = await db.http.execute(sql`select id, workspace_id, kind, secret_sealed from webhook_sources where id = ${sourceId} and deleted_at is null`);
  const row = result.rows[0] as { id: string; workspace_id: string; kind: SourceKind; secret_sealed: string } | undefined;
  return row && { id: row.id, workspaceId: row.workspace_id, kind: row.kind, secretSealed: row.secret_sealed };
}

/**
 * What storing a delivery came to: `stored` (new), `duplicate` (its id was stored before); `enqueue`
 * names the stored delivery to put on the queue: a new one, or a duplicate still `received` (its
 * message may have been lost; the consumer is idempotent). Undefined when the source is gone.
 */
export type StoreOutcome = { duplicate: boolean; enqueue?: string };

/**
 * Stores a verified delivery of `sourceId` unless its delivery id was stored before, in one round
 * trip: one statement that inserts only while the source is live (a source deleted after its secret
 * was cached is 404 here) and reads the earlier row of the same id as it was before the statement.
 */
export async function storeDelivery(db: Database, sourceId: string, delivery: VerifiedDelivery, now: Date): Promise<StoreOutcome> {
  const id = newId("inboundDelivery");
  const result = await db.http.execute(sql`
    with source as (select id, workspace_id from webhook_sources where id = ${sourceId} and deleted_at is null),
    inserted as (
      insert into inbound_deliveries (id, workspace_id, source_id, delivery_id, event_type, payload, received_at)
      select ${id}, workspace_id, id, ${delivery.deliveryId}, ${delivery.eventType}, ${JSON.stringify(delivery.payload)}::jsonb, ${at(now)} from source
      on conflict (source_id, delivery_id) do nothing
      returning id
    )
    select exists (select 1 from source) as live, (select id from inserted) as inserted,
      earlier.id as earlier, earlier.status as earlier_status
    from (select 1) one
    left join inbound_deliveries earlier on earlier.source_id = ${sourceId} and earlier.delivery_id = ${delivery.deliveryId}`);
  const row = result.rows[0] as { live: boolean; inserted: string | null; earlier: string | null; earlier_status: DeliveryStatus | null };
  if (!row.live) throw new ApiError("NOT_FOUND");
  if (row.inserted) return { duplicate: false, enqueue: row.inserted };
  // No earlier row seen: a concurrent request stored it after this statement began, and enqueues it.
  return { duplicate: true, enqueue: row.earlier && row.earlier_status === "received" ? row.earlier : undefined };
}

/** A stored delivery as its processing reads it. */
export interface PendingDelivery {
  id: string;
  workspaceId: string;
  sourceId: string;
  kind: SourceKind;
  eventType: string;
  status: DeliveryStatus;
  payload: unknown;
}

/** Delivery `id` with its source's kind, or undefined when it is gone: one round trip. */
export async function pendingDelivery(db: Database, id: string): Promise<PendingDelivery | undefined> {
  const result = await db.http.execute(sql`
    select d.id, d.workspace_id, d.source_id, s.kind, d.event_type, d.status, d.payload
    from inbound_deliveries d join webhook_sources s on s.id = d.source_id where d.id = ${id}`);
  const row = result.rows[0] as { id: string; workspace_id: string; source_id: string; kind: SourceKind; event_type: string; status: DeliveryStatus; payload: unknown } | undefined;
  return row && { id: row.id, workspaceId: row.workspace_id, sourceId: row.source_id, kind: row.kind, eventType: row.event_type, status: row.status, payload: row.payload };
}

/**
 * Marks delivery `id` processed and adds its comments, with each one's audit row and `comment.added`
 * event (author and actor: the source), in one statement: the claim (`received → processed`) is what
 * the rest reads, so of concurrent runs of one delivery only the one whose claim wins writes anything.
 * Each comment's id derives from the delivery and the task key: a replay (an explicit second run)
 * collides with the first run's comment and adds none. Tasks that are not live in the source's
 * workspace, or full (MAX_COMMENTS_PER_TASK), are skipped. One round trip.
 */
export async function completeDelivery(db: Database, id: string, comments: readonly TaskComment[], now: Date): Promise<{ claimed: boolean; added: number }> {
  const time = at(now);
  const claim = sql`claimed as (
      update inbound_deliveries set status = 'processed', attempts = attempts + 1, last_error = null, processed_at = ${time}
      where id = ${id} and status = 'received' returning id, workspace_id, source_id
    )`;
  if (comments.length === 0) {
    const result = await db.http.execute(sql`with ${claim} select count(*)::int as claimed, 0 as added from claimed`);
    return { claimed: (result.rows[0] as { claimed: number }).claimed > 0, added: 0 };
  }
  const rows = await Promise.all(
    comments.map(async (comment) => {
      const commentId = await derivedId("comment", `${id}|${comment.projectKey}-${comment.number}`);
      return sql`(${commentId}, ${comment.projectKey}, ${comment.number}::int, ${comment.body}, ${newId("audit")}, ${newId("event")})`;
    }),
  );
  const result = await db.http.execute(sql`
    with ${claim},
    wanted (id, project_key, number, body, audit_id, event_id) as (values ${sql.join(rows, sql`, `)}),
    target as (
      select wanted.*, t.id as task_id, claimed.workspace_id, claimed.source_id
      from claimed cross join wanted
      join projects p on p.workspace_id = claimed.workspace_id and p.key = wanted.project_key and p.deleted_at is null
      join tasks t on t.project_id = p.id and t.number = wanted.number and t.deleted_at is null
      where (select count(*) from comments c where c.task_id = t.id and c.deleted_at is null) < ${MAX_COMMENTS_PER_TASK}
    ),
    added as (
      insert into comments (id, workspace_id, task_id, body, created_by, updated_by, created_at, updated_at)
      select id, workspace_id, task_id, body, source_id, source_id, ${time}, ${time} from target
      on conflict (id) do nothing
      returning *
    ),
    audited as (
      insert into audit_log (id, actor_id, action, target_type, target_id, workspace_id, details, created_at)
      select target.audit_id, added.created_by, 'comment.added', 'comment', added.id, added.workspace_id,
        jsonb_build_object('before', null::jsonb, 'after', ${commentJson("added")}), ${time}
      from added join target on target.id = added.id
    ),
    evented as (
      insert into events (id, workspace_id, type, subject_type, subject_id, actor_id, payload, created_at)
      select target.event_id, added.workspace_id, 'comment.added', 'comment', added.id, added.created_by, ${commentJson("added")}, ${time}
      from added join target on target.id = added.id
    )
    select (select count(*)::int from claimed) as claimed, (select count(*)::int from added) as added`);
  const row = result.rows[0] as { claimed: number; added: number };
  return { claimed: row.claimed > 0, added: row.added };
}

/**
 * Records a failed attempt at delivery `id`: its count and error, and `failed` when it was the last
 * one the queue allows (`final`). A delivery processed meanwhile is left alone. One round trip.
 */
export async function recordFailure(db: Database, id: string, error: string, final: boolean): Promise<void> {
  await db.http.execute(sql`
    update inbound_deliveries set attempts = attempts + 1, last_error = ${error.slice(0, MAX_LAST_ERROR)},
      status = ${final ? "failed" : "received"}
    where id = ${id} and status = 'received'`);
}

/** A delivery as the admins' log shows it; the payload stays out of lists (it may be a megabyte). */
export interface DeliveryView {
  id: string;
  deliveryId: string;
  eventType: string;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  receivedAt: Date;
  processedAt: Date | null;
}

interface DeliveryRow {
  id: string;
  delivery_id: string;
  event_type: string;
  status: DeliveryStatus;
  attempts: number;
  last_error: string | null;
  received_at: string;
  processed_at: string | null;
  position: string;
}

const viewColumns = (alias: string): SQL => {
  const d = sql.identifier(alias);
  return sql`${d}.id, ${d}.delivery_id, ${d}.event_type, ${d}.status, ${d}.attempts, ${d}.last_error,
    ${isoTime(sql`${d}.received_at`)} as received_at, ${isoTime(sql`${d}.processed_at`)} as processed_at`;
};

function toView(row: DeliveryRow): DeliveryView {
  return {
    id: row.id,
    deliveryId: row.delivery_id,
    eventType: row.event_type,
    status: row.status,
    attempts: row.attempts,
    lastError: row.last_error,
    receivedAt: new Date(row.received_at),
    processedAt: row.processed_at ? new Date(row.processed_at) : null,
  };
}

/**
 * A page of live source `sourceId`'s deliveries, newest first, of one status when `status` is given:
 * one round trip. 404 for a source that is not live in the caller's workspace.
 */
export async function listDeliveries(
  db: Database,
  access: WorkspaceAccess,
  sourceId: string,
  page: { cursor?: string; limit: number; status?: DeliveryStatus },
): Promise<{ items: DeliveryView[]; nextCursor: string | null }> {
  if (!isId("webhookSource", sourceId)) throw new ApiError("NOT_FOUND");
  const cursor = page.cursor === undefined ? undefined : decodeCursor(page.cursor, "inboundDelivery");
  if (page.cursor !== undefined && !cursor) throw invalidField("cursor", "is not a cursor of this list");
  const after = cursor ? sql`and (d.received_at, d.id) < (${cursor.at}::timestamptz, ${cursor.id})` : sql``;
  const status = page.status ? sql`and d.status = ${page.status}` : sql``;
  const result = await db.http.execute(sql`
    with source as (select id from webhook_sources where id = ${sourceId} and workspace_id = ${access.workspaceId} and deleted_at is null)
    select source.id as source, page.* from source left join lateral (
      select ${viewColumns("d")}, ${cursorTime(sql`d.received_at`)} as position from inbound_deliveries d
      where d.source_id = source.id ${status} ${after}
      order by d.received_at desc, d.id desc limit ${page.limit + 1}
    ) page on true`);
  const rows = result.rows as unknown as Array<DeliveryRow & { source: string }>;
  if (rows.length === 0) throw new ApiError("NOT_FOUND");
  const found = rows.filter((row) => row.id !== null);
  const items = found.slice(0, page.limit);
  const last = items.at(-1);
  return { items: items.map(toView), nextCursor: found.length > page.limit && last ? encodeCursor({ at: last.position, id: last.id }) : null };
}

/**
 * Puts delivery `deliveryId` of live source `sourceId` back to `received` for the caller to enqueue
 * again, with its audit row: one round trip. 404 for a delivery or source not of the caller's workspace.
 */
export async function resetDelivery(db: Database, access: WorkspaceAccess, sourceId: string, deliveryId: string, meta: RequestMeta, now: Date): Promise<DeliveryView> {
  if (!isId("webhookSource", sourceId) || !isId("inboundDelivery", deliveryId)) throw new ApiError("NOT_FOUND");
  const result = await db.http.execute(sql`
    with reset as (
      update inbound_deliveries d set status = 'received', last_error = null, processed_at = null
      from webhook_sources s
      where d.id = ${deliveryId} and d.source_id = ${sourceId} and s.id = d.source_id
        and s.workspace_id = ${access.workspaceId} and s.deleted_at is null
      returning ${viewColumns("d")}
    ),
    audited as (${auditFrom("reset", { action: "inbound_delivery.replayed", actorId: access.actor.id, workspaceId: access.workspaceId, targetType: "inbound_delivery", targetId: sql`reset.id`, details: sql`jsonb_build_object('sourceId', ${sourceId}::text)` }, meta, now)})
    select *, '' as position from reset`);
  const row = result.rows[0] as DeliveryRow | undefined;
  if (!row) throw new ApiError("NOT_FOUND");
  return toView(row);
}
