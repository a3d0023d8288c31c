import { sql, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client";
import { newId } from "../../lib/ids";
import { openSecret } from "../../lib/secret-box";
import { at, isoTime, textArray } from "../workspaces/sql";
import type { EndpointView } from "./endpoints";
import { ENDPOINT_DISABLED_EVENT } from "./event-types";
import type { AttemptResult } from "./http-attempt";
import { DISABLE_AFTER_FAILING_MS, delayAfterFailure } from "./schedule";

/** Why the delivery window disables an endpoint; shown in its `disabledReason`. */
export const FAILING_TOO_LONG = "every delivery failed for 5 days";

/** A delivery with its endpoint and event, as an attempt needs them. */
export interface DueDelivery {
  id: string;
  workspaceId: string;
  status: string;
  attempts: number;
  /** When the next scheduled attempt is due; null once none is. */
  nextAttemptAt: Date | null;
  eventType: string;
  eventCreatedAt: string;
  payload: Record<string, unknown>;
  endpoint: EndpointView & { secretSealed: string; previousSecretSealed: string | null; deleted: boolean };
}

/** The deliveries `ids` with their endpoints and events: one query for a whole batch. */
export async function loadDeliveries(db: Database, ids: readonly string[]): Promise<Map<string, DueDelivery>> {
  if (ids.length === 0) return new Map();
  const result = await db.http.execute(sql`
    select d.id, d.workspace_id, d.status, d.attempts, ${isoTime(sql`d.next_attempt_at`)} as next_attempt_at, d.event_type, ${isoTime(sql`e.created_at`)} as event_created_at, e.payload,
           ep.id as endpoint_id, ep.url, ep.description, ep.event_types, ep.secret_sealed, ep.previous_secret_sealed,
           ${isoTime(sql`ep.previous_secret_expires_at`)} as previous_secret_expires_at, ${isoTime(sql`ep.disabled_at`)} as disabled_at, ep.disabled_reason,
           ${isoTime(sql`ep.failing_since`)} as failing_since, ${isoTime(sql`ep.created_at`)} as endpoint_created_at,
           ${isoTime(sql`ep.updated_at`)} as endpoint_updated_at, ep.created_by, ep.deleted_at is not null as deleted
    from webhook_deliveries d
    join webhook_endpoints ep on ep.id = d.endpoint_id
    join events e on e.id = d.event_id
    where d.id = any(${textArray(ids)})`);
  const time = (value: unknown) => (value === null || value === undefined ? null : new Date(value as string));
  const deliveries = new Map<string, DueDelivery>();
  for (const row of result.rows as Array<Record<string, unknown>>) {
    deliveries.set(row.id as string, {
      id: row.id as string,
      workspaceId: row.workspace_id as string,
      status: row.status as string,
      attempts: Number(row.attempts),
      nextAttemptAt: time(row.next_attempt_at),
      eventType: row.event_type as string,
      eventCreatedAt: row.event_created_at as string,
      payload: row.payload as Record<string, unknown>,
      endpoint: {
        id: row.endpoint_id as string,
        url: row.url as string,
        description: row.description as string,
        eventTypes: row.event_types as string[],
        enabled: row.disabled_at === null,
        disabledAt: time(row.disabled_at),
        disabledReason: row.disabled_reason as string | null,
        failingSince: time(row.failing_since),
        previousSecretExpiresAt: time(row.previous_secret_expires_at),
        createdAt: time(row.endpoint_created_at)!,
        updatedAt: time(row.endpoint_updated_at)!,
        createdBy: row.created_by as string,
        secretSealed: row.secret_sealed as string,
        previousSecretSealed: row.previous_secret_sealed as string | null,
        deleted: row.deleted as boolean,
      },
    });
  }
  return deliveries;
}

/** The secrets deliveries to `endpoint` are signed with at `now`: the current one, and the previous one during its overlap. */
export async function signingSecrets(secretsKey: string, endpoint: DueDelivery["endpoint"], now: Date): Promise<string[]> {
  const previousLive = endpoint.previousSecretSealed !== null && endpoint.previousSecretExpiresAt !== null && endpoint.previousSecretExpiresAt > now;
  return Promise.all([
    openSecret(secretsKey, endpoint.id, endpoint.secretSealed),
    ...(previousLive ? [openSecret(secretsKey, endpoint.id, endpoint.previousSecretSealed!)] : []),
  ]);
}

/** The body of every attempt of `delivery`: Standard Webhooks' `{"type","timestamp","data"}`. */
export function webhookBody(delivery: DueDelivery): string {
  return JSON.stringify({ type: delivery.eventType, timestamp: delivery.eventCreatedAt, data: delivery.payload });
}

/** Which of `recordAttempt`'s statements returns the delivery's id when this attempt is the one recorded. */
export const RECORDED_STATEMENT = 1;

/** What an attempt leads to: the statements recording it, and the next attempt's delay if one is due. */
export interface AttemptOutcome {
  /** The first records the attempt, the second (`RECORDED_STATEMENT`) moves the delivery on, returning its id only if it did. */
  statements: SQL[];
  /** Seconds until the next attempt, when the delivery is still pending. */
  retryInSeconds?: number;
  /** Whether this attempt disabled the endpoint. */
  disabled: boolean;
}

/**
 * The writes recording attempt `attempt` of `delivery` and its result, for one batch with the others
 * of a queue batch: the attempt's log row, the delivery's new state, and the endpoint's failure
 * record. A success clears `failing_since`; a failure sets it if unset and schedules the next
 * attempt, or fails the delivery after the last. A failure at least DISABLE_AFTER_FAILING_MS after
 * `failing_since` disables the endpoint, fails its pending deliveries and writes a
 * `webhook.endpoint_disabled` event (its payload: the endpoint's public view), only once.
 */
export function recordAttempt(delivery: DueDelivery, attempt: number, result: AttemptResult, now: Date): AttemptOutcome {
  const stamp = at(now);
  const statements: SQL[] = [
    sql`insert into webhook_attempts (id, delivery_id, attempt, status_code, duration_ms, error, attempted_at)
        values (${newId("webhookAttempt")}, ${delivery.id}, ${attempt}, ${result.statusCode}, ${result.durationMs}, ${result.error}, ${stamp})
        on conflict (delivery_id, attempt) do nothing`,
  ];
  const endpointId = delivery.endpoint.id;
  const failingSince = delivery.endpoint.failingSince ?? now;
  const disable = !result.ok && now.getTime() - failingSince.getTime() >= DISABLE_AFTER_FAILING_MS;
  const retryInSeconds = result.ok || disable ? undefined : delayAfterFailure(attempt);
  const status = result.ok ? "succeeded" : retryInSeconds === undefined ? "failed" : "pending";
  const next = retryInSeconds === undefined ? sql`null` : at(new Date(now.getTime() + retryInSeconds * 1000));
  // Conditional on the attempt count: a duplicate message's attempt does not move the delivery back.
  statements.push(sql`update webhook_deliveries set status = ${status}, attempts = ${attempt}, next_attempt_at = ${next}, last_attempt_at = ${stamp},
                        last_status_code = ${result.statusCode}, updated_at = ${stamp}
                      where id = ${delivery.id} and attempts < ${attempt}
                      returning id`);
  if (result.ok) {
    statements.push(sql`update webhook_endpoints set failing_since = null where id = ${endpointId} and failing_since is not null`);
  } else if (!disable) {
    statements.push(sql`update webhook_endpoints set failing_since = ${stamp} where id = ${endpointId} and failing_since is null`);
  } else {
    const { secretSealed: _, previousSecretSealed: __, deleted: ___, ...view } = delivery.endpoint;
    const payload = { ...view, enabled: false, disabledAt: now, disabledReason: FAILING_TOO_LONG, updatedAt: now };
    statements.push(sql`
      with disabled as (
        update webhook_endpoints set disabled_at = ${stamp}, disabled_reason = ${FAILING_TOO_LONG}, updated_at = ${stamp}
        where id = ${endpointId} and disabled_at is null
        returning id, workspace_id
      ),
      failed as (
        update webhook_deliveries set status = 'failed', next_attempt_at = null, updated_at = ${stamp}
        where endpoint_id = ${endpointId} and status = 'pending' and exists (select 1 from disabled)
      )
      insert into events (id, workspace_id, type, subject_type, subject_id, actor_id, payload, created_at)
      select ${newId("event")}, workspace_id, ${ENDPOINT_DISABLED_EVENT}, 'webhook_endpoint', id, null, ${JSON.stringify(payload)}::jsonb, ${stamp}
      from disabled`);
  }
  return { statements, retryInSeconds, disabled: disable };
}

/** A pending delivery to a disabled or deleted endpoint is failed without an attempt. */
export function failUndeliverable(delivery: DueDelivery, now: Date): SQL {
  return sql`update webhook_deliveries set status = 'failed', next_attempt_at = null, updated_at = ${at(now)} where id = ${delivery.id} and status = 'pending'`;
}
