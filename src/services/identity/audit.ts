import type { Database } from "../../db/client";
import { auditLog } from "../../db/schema";
import { newId } from "../../lib/ids";
import type { RequestMeta } from "../../lib/request-meta";
import type { DomainAction, DomainSubjectType } from "../domain/actions";

/** Every event the audit log records: authentication, the admins' changes to IP rules, workspace changes and the domain's. */
export type AuditAction =
  | "user.registered"
  | "user.email_verified"
  | "user.updated"
  | "user.deleted"
  | "login.succeeded"
  | "login.failed"
  | "session.refreshed"
  | "session.reuse_detected"
  | "session.revoked"
  | "session.logged_out"
  | "password.reset_requested"
  | "password.reset"
  | "password.changed"
  | "ip_rule.created"
  | "ip_rule.deleted"
  | "workspace.created"
  | "workspace.renamed"
  | "workspace.deleted"
  | "workspace.restored"
  | "workspace.purged"
  | "member.added"
  | "member.role_changed"
  | "member.removed"
  | "member.left"
  | "role.created"
  | "role.updated"
  | "role.deleted"
  | "invitation.created"
  | "invitation.resent"
  | "invitation.revoked"
  | "invitation.accepted"
  | "invitation.declined"
  | "api_key.created"
  | "api_key.rotated"
  | "api_key.revoked"
  | "identity.linked"
  | "identity.unlinked"
  | "webhook_source.created"
  | "webhook_source.deleted"
  | "inbound_delivery.replayed"
  | "webhook_endpoint.created"
  | "webhook_endpoint.updated"
  | "webhook_endpoint.secret_rotated"
  | "webhook_endpoint.deleted"
  | DomainAction;

export interface AuditEvent {
  action: AuditAction;
  /** The user or API key that acted; null when nobody known did (a failed login of an unknown address). */
  actorId: string | null;
  target?: { type: "user" | "session" | "ip_rule" | "workspace" | "member" | "role" | "invitation" | "api_key" | "identity" | "webhook_source" | "inbound_delivery" | "webhook_endpoint" | DomainSubjectType; id: string };
  /** The workspace it happened in: its owners and admins read it there. */
  workspaceId?: string;
  /** What changed, where the action alone does not say (`{ from: "member", to: "admin" }`); never a secret. */
  details?: Record<string, unknown>;
}

/**
 * The insert that records `event`: put it in the same `db.http.batch([...])` as the change it
 * records, so both happen or neither does.
 * @example await db.http.batch([db.http.update(users)…, auditInsert(db, { action: "password.changed", actorId }, meta, now)])
 */
export function auditInsert(db: Database, event: AuditEvent, meta: RequestMeta, at: Date) {
  return db.http.insert(auditLog).values({
    id: newId("audit"),
    actorId: event.actorId,
    action: event.action,
    targetType: event.target?.type ?? null,
    targetId: event.target?.id ?? null,
    workspaceId: event.workspaceId ?? null,
    details: event.details ?? null,
    ip: meta.ip,
    userAgent: meta.userAgent,
    requestId: meta.requestId,
    createdAt: at,
  });
}
