import { and, desc, eq, gte, lt, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { auditLog } from "../../db/schema";
import { cursorTime, decodeCursor, encodeCursor } from "../../lib/cursor";
import { invalidField } from "../../lib/errors";
import { isId } from "../../lib/ids";
import type { AuditAction } from "../identity/audit";
import type { WorkspaceAccess } from "./access";
import type { Page } from "./workspaces";

/** The actions a workspace's log holds: what its members, roles, invitations and keys went through. */
export const WORKSPACE_AUDIT_ACTIONS = [
  "workspace.created",
  "workspace.renamed",
  "workspace.deleted",
  "workspace.restored",
  "member.added",
  "member.role_changed",
  "member.removed",
  "member.left",
  "role.created",
  "role.updated",
  "role.deleted",
  "invitation.created",
  "invitation.resent",
  "invitation.revoked",
  "invitation.accepted",
  "invitation.declined",
  "api_key.created",
  "api_key.rotated",
  "api_key.revoked",
  "webhook_source.created",
  "webhook_source.deleted",
  "inbound_delivery.replayed",
  "webhook_endpoint.created",
  "webhook_endpoint.updated",
  "webhook_endpoint.secret_rotated",
  "webhook_endpoint.deleted",
] as const satisfies readonly AuditAction[];

export type WorkspaceAuditAction = (typeof WORKSPACE_AUDIT_ACTIONS)[number];

/**
 * One event of the log as its readers see it: who, what, to what, with what details and under which
 * request, but not the actor's IP address or user agent, which are theirs.
 */
export interface AuditEntry {
  id: string;
  /** A webhook source acts when its deliveries add comments (src/jobs/inbound-deliveries.ts). */
  actor: { type: "user" | "apiKey" | "webhookSource"; id: string } | null;
  action: string;
  target: { type: string; id: string } | null;
  details: Record<string, unknown> | null;
  requestId: string | null;
  createdAt: Date;
}

export interface AuditLogQuery {
  cursor?: string;
  limit: number;
  /** A user or API key id. */
  actor?: string;
  action?: WorkspaceAuditAction;
  /** From this time on (inclusive). */
  from?: Date;
  /** Before this time (exclusive). */
  to?: Date;
}

/**
 * A page of the workspace's audit log, newest first, filtered: one round trip (see `auditLogQuery`).
 * Rows written meanwhile are newer than the first page, so paging on never skips or repeats one.
 */
export async function listAuditLog(db: Database, access: WorkspaceAccess, query: AuditLogQuery): Promise<Page<AuditEntry>> {
  const rows = await auditLogQuery(db, access, query);
  const items = rows.slice(0, query.limit);
  const last = items.at(-1);
  return {
    items: items.map((row) => ({
      id: row.id,
      actor: row.actorId ? { type: actorType(row.actorId), id: row.actorId } : null,
      action: row.action,
      target: row.targetType && row.targetId ? { type: row.targetType, id: row.targetId } : null,
      details: row.details,
      requestId: row.requestId,
      createdAt: row.createdAt,
    })),
    nextCursor: rows.length > query.limit && last ? encodeCursor({ at: last.position, id: last.id }) : null,
  };
}

function actorType(actorId: string): "user" | "apiKey" | "webhookSource" {
  if (isId("apiKey", actorId)) return "apiKey";
  return isId("webhookSource", actorId) ? "webhookSource" : "user";
}

/**
 * The select behind a page, one row more than `limit` to tell whether another page follows. The
 * index `audit_log_workspace_idx` (workspace_id, created_at, id), read backwards, gives both the order
 * and the start after the cursor; the filters are checked on the rows it yields.
 */
export function auditLogQuery(db: Database, access: WorkspaceAccess, query: AuditLogQuery) {
  const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor, "audit");
  if (query.cursor !== undefined && !cursor) throw invalidField("cursor", "is not a cursor of this list");
  if (query.actor !== undefined && !isId("user", query.actor) && !isId("apiKey", query.actor) && !isId("webhookSource", query.actor)) {
    throw invalidField("actor", "must be a user, API key or webhook source id");
  }
  if (query.from && query.to && query.from >= query.to) throw invalidField("to", "must be after from");
  return db.http
    .select({
      id: auditLog.id,
      actorId: auditLog.actorId,
      action: auditLog.action,
      targetType: auditLog.targetType,
      targetId: auditLog.targetId,
      details: auditLog.details,
      requestId: auditLog.requestId,
      createdAt: auditLog.createdAt,
      position: cursorTime(auditLog.createdAt),
    })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.workspaceId, access.workspaceId),
        query.actor === undefined ? undefined : eq(auditLog.actorId, query.actor),
        query.action === undefined ? undefined : eq(auditLog.action, query.action),
        query.from && gte(auditLog.createdAt, query.from),
        query.to && lt(auditLog.createdAt, query.to),
        cursor && sql`(${auditLog.createdAt}, ${auditLog.id}) < (${cursor.at}::timestamptz, ${cursor.id})`,
      ),
    )
    .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
    .limit(query.limit + 1);
}
