import { sql, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client";
import type { workspaceInvitations } from "../../db/schema";
import type { Clock } from "../../lib/clock";
import { ApiError } from "../../lib/errors";
import type { BuiltInRole } from "../../lib/permissions";
import type { RequestMeta } from "../../lib/request-meta";
import { createOpaqueToken, hashOpaqueToken, InvalidTokenError, parseOpaqueToken } from "../../lib/tokens";
import type { AuditAction } from "../identity/audit";
import type { Locale, MailMessage } from "../mail/message";
import { auditFrom } from "./sql";

/** How long an invitation's link works, from its latest sending. */
export const INVITATION_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;
/** Most pending invitations a workspace may hold: the list of them needs no pages, and nobody mails a crowd. */
export const MAX_PENDING_INVITATIONS = 100;
/**
 * Most people a workspace may hold, members and pending invitations together: every member after
 * the creator joins through an invitation, so checking it when inviting bounds the member list.
 */
export const MAX_MEMBERS = 1000;
/** Most mails one invitation may cause, the first included. */
export const MAX_INVITATION_SENDS = 5;
/** Least time between two mails of one invitation. */
export const RESEND_INTERVAL_MS = 60 * 1000;

/** What the invitation services need; handlers build it from `c.var.services`. */
export interface InvitationDeps {
  db: Database;
  clock: Clock;
}

export type InvitationStatus = "pending" | "accepted" | "declined" | "revoked" | "expired";

/** An invitation as the API shows it: never its token, nor the token's hash. */
export interface Invitation {
  id: string;
  email: string;
  role: BuiltInRole | null;
  customRoleId: string | null;
  status: InvitationStatus;
  /** The member who invited; null when an API key did, or their account is gone. */
  invitedBy: string | null;
  sendCount: number;
  lastSentAt: Date;
  createdAt: Date;
  expiresAt: Date;
}

type InvitationRow = Pick<
  typeof workspaceInvitations.$inferSelect,
  "id" | "email" | "role" | "customRoleId" | "invitedBy" | "sendCount" | "lastSentAt" | "createdAt" | "expiresAt" | "acceptedAt" | "declinedAt" | "revokedAt"
>;

/** `row` as the API shows it, its status as of `now`. */
export function toInvitation(row: InvitationRow, now: number): Invitation {
  const status: InvitationStatus = row.acceptedAt
    ? "accepted"
    : row.declinedAt
      ? "declined"
      : row.revokedAt
        ? "revoked"
        : row.expiresAt.getTime() <= now
          ? "expired"
          : "pending";
  const { id, email, role, customRoleId, invitedBy, sendCount, lastSentAt, createdAt, expiresAt } = row;
  return { id, email, role, customRoleId, status, invitedBy, sendCount, lastSentAt, createdAt, expiresAt };
}

/** A new token: the token goes into the mail, only its hash into the database. */
export async function newInvitationToken(now: number) {
  const token = createOpaqueToken("invitation");
  return { token, tokenHash: await hashOpaqueToken(token), expiresAt: new Date(now + INVITATION_LIFETIME_MS) };
}

/** The hash of a presented token; a malformed one, or one of another kind, is the same INVALID_TOKEN as an unknown one. */
export async function presentedInvitationHash(presented: string): Promise<string> {
  try {
    return await hashOpaqueToken(parseOpaqueToken("invitation", presented));
  } catch (error) {
    if (error instanceof InvalidTokenError) throw invalidInvitation(error);
    throw error;
  }
}

/** Every refusal of a token: unknown, used, declined, revoked or expired alike; why goes to the cause, never to the client. */
export function invalidInvitation(cause: InvalidTokenError = new InvalidTokenError("unknown")): ApiError {
  return new ApiError("INVALID_TOKEN", { detail: "invitationInvalid", cause });
}

/**
 * The condition under which invitation `alias` is pending at `at` (an ISO time): none of accepted,
 * declined or revoked, and not expired. Every write of an invitation puts it in its `where`.
 */
export function pendingAt(alias: string, at: string): SQL {
  const table = sql.identifier(alias);
  return sql`${table}.accepted_at is null and ${table}.declined_at is null and ${table}.revoked_at is null and ${table}.expires_at > ${at}::timestamptz`;
}

export interface AuditFromRow {
  action: AuditAction;
  /** The member or API key that acted; null for nobody known (a decline without sign-in). */
  actorId: string | null;
  /** What the row names: an invitation (the clause's `id`), or a member (the clause's `user_id`). */
  target: "invitation" | "member";
  /** A `jsonb` expression over the clause's columns, never a secret. */
  details?: SQL;
}

/**
 * `auditInsert` for one statement whose change is an earlier clause `source` (returning the changed
 * row with its `workspace_id`): the audit row is written only when that clause returned a row.
 * @example sql`with revoked as (update workspace_invitations … returning id, workspace_id), audited as (${auditFromRow("revoked", …)}) select id from revoked`
 */
export function auditFromRow(source: string, event: AuditFromRow, meta: RequestMeta, at: Date): SQL {
  const from = sql.identifier(source);
  const targetId = event.target === "invitation" ? sql`${from}.id` : sql`${from}.user_id`;
  const { action, actorId, target, details } = event;
  return auditFrom(source, { action, actorId, targetType: target, targetId, workspaceId: sql`${from}.workspace_id`, details }, meta, at);
}

/** A timestamp from a row of a raw statement (drizzle leaves them as PostgreSQL's text, or JSON's). */
export function timestampFrom(value: string): Date {
  return new Date(value);
}

/**
 * The invitation mail. A workspace name is the workspace's to choose: it goes into a subject line,
 * so control characters (a line break above all) become spaces.
 */
export function invitationMail(to: string, locale: Locale, token: string, workspaceName: string): MailMessage {
  const name = workspaceName.replace(/\p{Cc}+/gu, " ").trim() || "-";
  return { template: "workspace-invitation", to, locale, token, workspaceName: name };
}
