import { sql, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client";
import { auditLog, events } from "../../db/schema";
import { newId } from "../../lib/ids";
import type { RequestMeta } from "../../lib/request-meta";
import type { WorkspaceAccess } from "../workspaces/access";
import { at } from "../workspaces/sql";
import type { DomainAction, DomainSubjectType } from "./actions";

/** A change to one resource, as the audit log and the events outbox record it. */
export interface DomainChange {
  action: DomainAction;
  access: WorkspaceAccess;
  subject: { type: DomainSubjectType; id: string };
  /** The resource as the API showed it before the change; null for a creation. */
  before: Record<string, unknown> | null;
  /** The resource as the API shows it after the change; null for a deletion. */
  after: Record<string, unknown> | null;
}

/**
 * The audit row and the event of `change`, for the same `db.http.batch([...])` as the change itself,
 * so all three happen or none does. The event's payload is the resource after the change (before it,
 * for a deletion).
 */
export function changeRecords(db: Database, change: DomainChange, meta: RequestMeta, time: Date) {
  const { access, subject } = change;
  return [
    db.http.insert(auditLog).values({
      id: newId("audit"),
      actorId: access.actor.id,
      action: change.action,
      targetType: subject.type,
      targetId: subject.id,
      workspaceId: access.workspaceId,
      details: { before: change.before, after: change.after },
      ip: meta.ip,
      userAgent: meta.userAgent,
      requestId: meta.requestId,
      createdAt: time,
    }),
    db.http.insert(events).values({
      id: newId("event"),
      workspaceId: access.workspaceId,
      type: change.action,
      subjectType: subject.type,
      subjectId: subject.id,
      actorId: access.actor.id,
      payload: change.after ?? change.before ?? {},
      createdAt: time,
    }),
  ] as const;
}

/** A change whose subject and states come out of a `with` clause's columns, as `jsonb` expressions. */
export interface DomainChangeFrom {
  action: DomainAction;
  access: WorkspaceAccess;
  subjectType: DomainSubjectType;
  /** The subject's id, usually `sql.identifier("id")` of the clause. */
  subjectId: SQL;
  before: SQL;
  after: SQL;
}

/**
 * The audit row and the event of a conditional change to one resource, as two `with` clauses that
 * insert one row each when clause `source` returned a row and none when it returned none: a refused
 * `If-Match` records nothing. For changes to many rows at once, use `changeRecords` per row.
 * @example sql`with changed as (update tasks … returning …), ${changeRecordsFrom("changed", change, meta, now)} select … from changed`
 */
export function changeRecordsFrom(source: string, change: DomainChangeFrom, meta: RequestMeta, time: Date): SQL {
  const from = sql.identifier(source);
  const { access } = change;
  return sql`audited as (
      insert into audit_log (id, actor_id, action, target_type, target_id, workspace_id, details, ip, user_agent, request_id, created_at)
      select ${newId("audit")}, ${access.actor.id}, ${change.action}, ${change.subjectType}, ${change.subjectId},
        ${access.workspaceId}, jsonb_build_object('before', ${change.before}, 'after', ${change.after}), ${meta.ip}, ${meta.userAgent}, ${meta.requestId}, ${at(time)}
      from ${from} limit 1
    ), evented as (
      insert into events (id, workspace_id, type, subject_type, subject_id, actor_id, payload, created_at)
      select ${newId("event")}, ${access.workspaceId}, ${change.action}, ${change.subjectType}, ${change.subjectId},
        ${access.actor.id}, coalesce(${change.after}, ${change.before}), ${at(time)}
      from ${from} limit 1
    )`;
}
