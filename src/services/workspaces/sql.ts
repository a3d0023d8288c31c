import { sql, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client";
import { newId } from "../../lib/ids";
import { BUILT_IN_ROLES, ROLE_PERMISSIONS } from "../../lib/permissions";
import type { RequestMeta } from "../../lib/request-meta";
import type { AuditAction, AuditEvent } from "../identity/audit";

/** `values` as one `text[]` value: a parameter each, so nothing is spliced into the SQL; `'{}'` when empty. */
export function textArray(values: Iterable<string>): SQL {
  const list = [...values];
  return list.length ? sql`array[${sql.join(list.map((value) => sql`${value}`), sql`, `)}]::text[]` : sql`'{}'::text[]`;
}

/** A timestamp as `2026-11-30T10:00:00.123Z`, for rows read with raw SQL (which hands back PostgreSQL's own format). */
export function isoTime(column: SQL): SQL<string> {
  return sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** A time as a `timestamptz` parameter. */
export function at(time: Date): SQL {
  return sql`${time.toISOString()}::timestamptz`;
}

/**
 * Locks workspace `workspaceId`'s row until the batch it is part of ends. Put it first in a batch
 * whose next statement counts something that concurrent requests change (its owners, its roles):
 * each statement of a batch reads what committed before it started, so the second request waits for
 * the first and counts its change.
 */
export function lockWorkspace(db: Database, workspaceId: string) {
  return db.http.execute(sql`select id from workspaces where id = ${workspaceId} for no key update`);
}

/** The built-in roles' permissions as a table `builtin(role, permissions)`, for a `with` clause. */
export function builtInRolesTable(): SQL {
  const rows = BUILT_IN_ROLES.map((role) => sql`(${role}, ${textArray(ROLE_PERMISSIONS[role])})`);
  return sql`builtin (role, permissions) as (values ${sql.join(rows, sql`, `)})`;
}

/** An audit row of a workspace event, where its target or details come out of a statement's clause. */
export interface WorkspaceAuditFrom {
  action: AuditAction;
  actorId: string | null;
  workspaceId: string | SQL;
  targetType: NonNullable<AuditEvent["target"]>["type"];
  targetId: string | SQL;
  /** A `jsonb` expression over the clause's columns. */
  details?: SQL;
}

/**
 * `insert into audit_log … select … from <source>`: one audit row when the clause `source` returned a
 * row, none otherwise, so a change that did not happen is not recorded. For the `with` clauses of one
 * statement, where the change is conditional.
 * @example sql`with changed as (update … returning id), audited as (${auditFrom("changed", event, meta, now)}) select …`
 */
export function auditFrom(source: string, event: WorkspaceAuditFrom, meta: RequestMeta, time: Date): SQL {
  const from = sql.identifier(source);
  return sql`insert into audit_log (id, actor_id, action, target_type, target_id, workspace_id, details, ip, user_agent, request_id, created_at)
    select ${newId("audit")}, ${event.actorId}, ${event.action}, ${event.targetType}, ${event.targetId}, ${event.workspaceId}, ${event.details ?? sql`null`},
      ${meta.ip}, ${meta.userAgent}, ${meta.requestId}, ${at(time)}
    from ${from} limit 1`;
}

/** The SQLSTATE and constraint of a database error, wherever the drivers wrapped it. */
export function constraintViolation(error: unknown): { code: string; constraint: string | undefined } | undefined {
  let current = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const { code, constraint } = current as { code?: unknown; constraint?: unknown };
    if (typeof code === "string" && code.startsWith("23")) return { code, constraint: typeof constraint === "string" ? constraint : undefined };
    current = (current as { sourceError?: unknown }).sourceError ?? current.cause;
  }
  return undefined;
}

/** Whether `error` is a unique violation of index `constraint`. */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  const violation = constraintViolation(error);
  return violation?.code === "23505" && violation.constraint === constraint;
}
