import { sql, type SQL } from "drizzle-orm";
import { newId } from "../../lib/ids";
import type { RequestMeta } from "../../lib/request-meta";
import type { AuditAction } from "./audit";

/**
 * `auditInsert` for one statement whose change depends on an earlier clause: an
 * `insert into audit_log … select … from <source>` that writes the row only when the clause `source`
 * returned one, its `id` column naming the user. The actor is that user, or nobody (`null`).
 * @example sql`with changed as (update users … returning users.id), audited as (${auditFrom("changed", "password.reset", "user", meta, now)}) select …`
 */
export function auditFrom(source: string, action: AuditAction, actor: "user" | null, meta: RequestMeta, at: Date): SQL {
  const from = sql.identifier(source);
  const actorId = actor === "user" ? sql`${from}.id` : sql`null`;
  return sql`insert into audit_log (id, actor_id, action, target_type, target_id, ip, user_agent, request_id, created_at)
    select ${newId("audit")}, ${actorId}, ${action}, 'user', ${from}.id, ${meta.ip}, ${meta.userAgent}, ${meta.requestId}, ${at.toISOString()}::timestamptz
    from ${from} limit 1`;
}
