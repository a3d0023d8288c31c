import { sql, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client";
import { ApiError, DependencyUnavailableError, invalidField } from "../../lib/errors";
import { isId } from "../../lib/ids";
import type { WorkspaceAccess } from "../workspaces/access";
import { isoTime } from "../workspaces/sql";
import { MAX_ATTEMPTS_PER_DELIVERY } from "./schedule";

export const DELIVERY_STATUSES = ["pending", "succeeded", "failed"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
export const MAX_DELIVERY_PAGE = 100;

/** One attempt of a delivery, as its log shows it. */
export interface AttemptView {
  attempt: number;
  /** Null when there was no answer (refused address, timeout, connection failure). */
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  attemptedAt: string;
}

export interface DeliveryView {
  id: string;
  eventId: string;
  eventType: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  lastStatusCode: number | null;
  createdAt: string;
  attemptLog: AttemptView[];
}

/**
 * A DELIVERY_QUEUE message: make the next attempt of delivery `deliveryId` once it is due. The same
 * message carries every scheduled attempt (retried with the schedule's delay); a duplicate, or a
 * message of an attempt already made, finds the delivery not yet due again and is dropped.
 */
export interface DeliveryMessage {
  deliveryId: string;
  /** A member asked for it: it runs now, whatever the delivery's status or schedule. */
  manual?: true;
}

/** The caller's live endpoint `endpointId`, for a batch: empty for another workspace's, a deleted one, or none. */
function endpointOf(db: Database, access: WorkspaceAccess, endpointId: string) {
  return db.http.execute(sql`select id, disabled_at is not null as disabled from webhook_endpoints where id = ${endpointId} and workspace_id = ${access.workspaceId} and deleted_at is null`);
}

const deliveryColumns = (where: SQL, limit: number) => sql`
  select d.id, d.event_id, d.event_type, d.status, d.attempts, ${isoTime(sql`d.next_attempt_at`)} as next_attempt_at,
         ${isoTime(sql`d.last_attempt_at`)} as last_attempt_at, d.last_status_code, ${isoTime(sql`d.created_at`)} as created_at,
         coalesce((select json_agg(json_build_object('attempt', a.attempt, 'statusCode', a.status_code, 'durationMs', a.duration_ms, 'error', a.error,
                                                     'attemptedAt', ${isoTime(sql`a.attempted_at`)}) order by a.attempt)
                   from webhook_attempts a where a.delivery_id = d.id), '[]'::json) as attempt_log
  from webhook_deliveries d
  where ${where}
  order by d.created_at desc, d.id desc
  limit ${limit}`;

interface DeliveryRow {
  id: string;
  event_id: string;
  event_type: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: string | null;
  last_attempt_at: string | null;
  last_status_code: number | null;
  created_at: string;
  attempt_log: AttemptView[];
}

function toView(row: DeliveryRow): DeliveryView {
  return {
    id: row.id,
    eventId: row.event_id,
    eventType: row.event_type,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastAttemptAt: row.last_attempt_at,
    lastStatusCode: row.last_status_code,
    createdAt: row.created_at,
    attemptLog: row.attempt_log,
  };
}

/**
 * A page of endpoint `endpointId`'s delivery log, newest first, each delivery with all its attempts
 * (at most MAX_ATTEMPTS_PER_DELIVERY); `status` filters. One round trip: a batch of the endpoint's
 * check (404) and the page.
 */
export async function listDeliveries(
  db: Database,
  access: WorkspaceAccess,
  endpointId: string,
  page: { limit: number; after?: string; status?: DeliveryStatus },
): Promise<{ deliveries: DeliveryView[]; next: string | null }> {
  if (!isId("webhookEndpoint", endpointId)) throw new ApiError("NOT_FOUND");
  if (page.after !== undefined && !isId("webhookDelivery", page.after)) throw invalidField("cursor", "is not a cursor this API gave");
  const conditions: SQL[] = [sql`d.endpoint_id = ${endpointId}`, sql`d.workspace_id = ${access.workspaceId}`];
  if (page.status) conditions.push(sql`d.status = ${page.status}`);
  // Past the cursor's delivery in (created_at, id) order; a cursor of no delivery of this endpoint ends the list.
  if (page.after) conditions.push(sql`(d.created_at, d.id) < (select created_at, id from webhook_deliveries where id = ${page.after} and endpoint_id = ${endpointId})`);
  const [endpoint, result] = await db.http.batch([endpointOf(db, access, endpointId), db.http.execute(deliveryColumns(sql.join(conditions, sql` and `), page.limit + 1))]);
  if (endpoint.rows.length === 0) throw new ApiError("NOT_FOUND");
  const rows = (result.rows as unknown as DeliveryRow[]).map(toView);
  const more = rows.length > page.limit;
  const items = more ? rows.slice(0, page.limit) : rows;
  return { deliveries: items, next: more ? items.at(-1)!.id : null };
}

/**
 * Asks for a new attempt of delivery `deliveryId` now, whatever its status (a failed one too): one
 * round trip (the delivery and its endpoint, in one batch), then one queue send. 409 when the
 * endpoint is disabled or the delivery had MAX_ATTEMPTS_PER_DELIVERY attempts.
 */
export async function retryDelivery(db: Database, queue: Queue<DeliveryMessage>, access: WorkspaceAccess, endpointId: string, deliveryId: string): Promise<DeliveryView> {
  if (!isId("webhookEndpoint", endpointId) || !isId("webhookDelivery", deliveryId)) throw new ApiError("NOT_FOUND");
  const [endpoint, result] = await db.http.batch([
    endpointOf(db, access, endpointId),
    db.http.execute(deliveryColumns(sql`d.id = ${deliveryId} and d.endpoint_id = ${endpointId} and d.workspace_id = ${access.workspaceId}`, 1)),
  ]);
  const row = result.rows[0] as unknown as DeliveryRow | undefined;
  if (endpoint.rows.length === 0 || !row) throw new ApiError("NOT_FOUND");
  if ((endpoint.rows[0] as { disabled: boolean }).disabled) throw new ApiError("CONFLICT", { detail: "webhookEndpointDisabled" });
  if (row.attempts >= MAX_ATTEMPTS_PER_DELIVERY) throw new ApiError("CONFLICT", { detail: "webhookDeliveryAttempts", params: { limit: MAX_ATTEMPTS_PER_DELIVERY } });
  try {
    await queue.send({ deliveryId, manual: true }, { contentType: "json" });
  } catch (error) {
    throw new DependencyUnavailableError("delivery queue", "unreachable", { cause: error });
  }
  return toView(row);
}
