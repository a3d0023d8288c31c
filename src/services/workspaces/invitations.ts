import { and, desc, eq, gt, isNull, sql } from "drizzle-orm";
import { workspaceInvitations } from "../../db/schema";
import { ApiError } from "../../lib/errors";
import { isId, newId } from "../../lib/ids";
import { ROLE_PERMISSIONS, type BuiltInRole } from "../../lib/permissions";
import type { RequestMeta } from "../../lib/request-meta";
import { normalizeEmail } from "../identity/emails";
import type { Locale, MailMessage } from "../mail/message";
import type { WorkspaceAccess } from "./access";
import {
  auditFromRow,
  invitationMail,
  MAX_INVITATION_SENDS,
  MAX_MEMBERS,
  MAX_PENDING_INVITATIONS,
  newInvitationToken,
  pendingAt,
  RESEND_INTERVAL_MS,
  timestampFrom,
  toInvitation,
  type Invitation,
  type InvitationDeps,
} from "./invitations-common";
import { textArray } from "./sql";

/** Whom to invite, with exactly one of a built-in role and a custom role of the workspace. */
export type NewInvitation = { email: string; role: BuiltInRole; customRoleId?: undefined } | { email: string; role?: undefined; customRoleId: string };

type Refusal = "role_not_found" | "role_too_high" | "already_member" | "pending" | "limit" | "members";

const REFUSALS: Record<Refusal, () => ApiError> = {
  role_not_found: () => new ApiError("NOT_FOUND", { detail: "customRoleNotFound" }),
  role_too_high: () => new ApiError("FORBIDDEN", { detail: "invitationRoleTooHigh" }),
  already_member: () => new ApiError("CONFLICT", { detail: "invitationAlreadyMember" }),
  pending: () => new ApiError("CONFLICT", { detail: "invitationPending" }),
  limit: () => new ApiError("CONFLICT", { detail: "invitationLimit", params: { limit: MAX_PENDING_INVITATIONS } }),
  members: () => new ApiError("CONFLICT", { detail: "memberLimit", params: { limit: MAX_MEMBERS } }),
};

/**
 * Invites `input.email` to the caller's workspace; returns the invitation and its mail (in the
 * invitee's language when they have an account, `locale` otherwise), for the caller to queue once
 * this has committed. Refuses a role above the inviter's (403: a permission they lack, or the owner
 * role to anyone but an owner), a custom role of another workspace (404), an address of a member or
 * with a pending invitation (409), and an invitation past MAX_PENDING_INVITATIONS, or past
 * MAX_MEMBERS members and pending invitations together (409).
 *
 * One round trip: a batch that first locks the workspace's row, so that invitations to one
 * workspace are checked one after the other (two at once cannot both pass the pending and limit
 * checks), then checks and inserts the invitation with its audit row in one statement.
 */
export async function createInvitation(
  deps: InvitationDeps,
  access: WorkspaceAccess,
  input: NewInvitation,
  locale: Locale,
  meta: RequestMeta,
): Promise<{ invitation: Invitation; mail: MailMessage }> {
  const email = normalizeEmail(input.email);
  if (input.role !== undefined) refuseBuiltInEscalation(access, input.role);
  if (input.customRoleId !== undefined && !isId("role", input.customRoleId)) throw REFUSALS.role_not_found();
  const role = input.role ?? null;
  const customRoleId = input.customRoleId ?? null;
  const workspaceId = access.workspaceId;
  const now = new Date(deps.clock());
  const at = now.toISOString();
  const id = newId("invitation");
  const { token, tokenHash, expiresAt } = await newInvitationToken(now.getTime());
  const invitedBy = access.actor.type === "user" ? access.actor.id : null;

  const [, result] = await deps.db.http.batch([
    deps.db.http.execute(sql`select id from workspaces where id = ${workspaceId} for no key update`),
    deps.db.http.execute(sql`
      with custom_role as (
        select permissions from workspace_roles where id = ${customRoleId}::text and workspace_id = ${workspaceId}
      ),
      pending as (
        select count(*)::int as total, (count(*) filter (where i.email = ${email}))::int as same
        from workspace_invitations i where i.workspace_id = ${workspaceId} and ${pendingAt("i", at)}
      ),
      refusal as (
        select case
          when ${customRoleId}::text is not null and not exists (select 1 from custom_role) then 'role_not_found'
          when ${customRoleId}::text is not null and not (select permissions <@ ${textArray(access.permissions)} from custom_role) then 'role_too_high'
          when exists (
            select 1 from workspace_members m join users u on u.id = m.user_id and u.deleted_at is null
            where m.workspace_id = ${workspaceId} and u.email = ${email}
          ) then 'already_member'
          when (select same from pending) > 0 then 'pending'
          when (select total from pending) >= ${MAX_PENDING_INVITATIONS} then 'limit'
          when (select total from pending) + (select count(*) from workspace_members m where m.workspace_id = ${workspaceId}) >= ${MAX_MEMBERS} then 'members'
        end as reason
      ),
      created as (
        insert into workspace_invitations (id, workspace_id, email, role, custom_role_id, token_hash, invited_by, send_count, last_sent_at, created_at, expires_at)
        select ${id}, ${workspaceId}, ${email}, ${role}, ${customRoleId}, ${tokenHash}, ${invitedBy}, 1, ${at}::timestamptz, ${at}::timestamptz, ${expiresAt.toISOString()}::timestamptz
        from refusal where reason is null
        returning id, workspace_id, email, role, custom_role_id
      ),
      audited as (${auditFromRow(
        "created",
        {
          action: "invitation.created",
          actorId: access.actor.id,
          target: "invitation",
          details: sql`jsonb_build_object('email', created.email, 'role', created.role, 'customRoleId', created.custom_role_id)`,
        },
        meta,
        now,
      )})
      select (select reason from refusal) as reason,
             (select name from workspaces where id = ${workspaceId}) as workspace_name,
             (select locale from users where email = ${email} and deleted_at is null) as invitee_locale`),
  ]);
  const row = result.rows[0] as { reason: Refusal | null; workspace_name: string; invitee_locale: Locale | null };
  if (row.reason) throw REFUSALS[row.reason]();
  const invitation = toInvitation(
    { id, email, role, customRoleId, invitedBy, sendCount: 1, lastSentAt: now, createdAt: now, expiresAt, acceptedAt: null, declinedAt: null, revokedAt: null },
    now.getTime(),
  );
  return { invitation, mail: invitationMail(email, row.invitee_locale ?? locale, token, row.workspace_name) };
}

/** The workspace's pending invitations, newest first: at most MAX_PENDING_INVITATIONS, so one page. One round trip. */
export async function listInvitations(deps: InvitationDeps, access: WorkspaceAccess): Promise<Invitation[]> {
  const now = deps.clock();
  const rows = await deps.db.http
    .select()
    .from(workspaceInvitations)
    .where(
      and(
        eq(workspaceInvitations.workspaceId, access.workspaceId),
        isNull(workspaceInvitations.acceptedAt),
        isNull(workspaceInvitations.declinedAt),
        isNull(workspaceInvitations.revokedAt),
        gt(workspaceInvitations.expiresAt, new Date(now)),
      ),
    )
    .orderBy(desc(workspaceInvitations.createdAt), desc(workspaceInvitations.id))
    .limit(MAX_PENDING_INVITATIONS);
  return rows.map((row) => toInvitation(row, now));
}

/**
 * Revokes a pending invitation of the caller's workspace: its token stops working. Anything else
 * (another workspace's, unknown, already accepted, declined, revoked or expired) is 404. One statement
 * with its audit row, one round trip.
 */
export async function revokeInvitation(deps: InvitationDeps, access: WorkspaceAccess, invitationId: string, meta: RequestMeta): Promise<void> {
  if (!isId("invitation", invitationId)) throw new ApiError("NOT_FOUND");
  const now = new Date(deps.clock());
  const result = await deps.db.http.execute(sql`
    with revoked as (
      update workspace_invitations i set revoked_at = ${now.toISOString()}::timestamptz
      where i.id = ${invitationId} and i.workspace_id = ${access.workspaceId} and ${pendingAt("i", now.toISOString())}
      returning i.id, i.workspace_id, i.email
    ),
    audited as (${auditFromRow(
      "revoked",
      { action: "invitation.revoked", actorId: access.actor.id, target: "invitation", details: sql`jsonb_build_object('email', revoked.email)` },
      meta,
      now,
    )})
    select id from revoked`);
  if (result.rows.length === 0) throw new ApiError("NOT_FOUND");
}

/**
 * Sends a pending invitation again with a new token (the old one stops working) and a new expiry.
 * Limited: MAX_INVITATION_SENDS mails in all (then 409), and one per RESEND_INTERVAL_MS (429 with
 * the seconds to wait). Anything but a pending invitation of the caller's workspace is 404. One
 * conditional update with its audit row, one round trip; of two resends at once, one wins.
 */
export async function resendInvitation(
  deps: InvitationDeps,
  access: WorkspaceAccess,
  invitationId: string,
  locale: Locale,
  meta: RequestMeta,
): Promise<{ invitation: Invitation; mail: MailMessage }> {
  if (!isId("invitation", invitationId)) throw new ApiError("NOT_FOUND");
  const now = new Date(deps.clock());
  const at = now.toISOString();
  const { token, tokenHash, expiresAt } = await newInvitationToken(now.getTime());
  const matches = sql`i.id = ${invitationId} and i.workspace_id = ${access.workspaceId} and ${pendingAt("i", at)}`;
  const result = await deps.db.http.execute(sql`
    with found as (
      select i.send_count, i.last_sent_at from workspace_invitations i where ${matches}
    ),
    resent as (
      update workspace_invitations i
      set token_hash = ${tokenHash}, expires_at = ${expiresAt.toISOString()}::timestamptz, send_count = i.send_count + 1, last_sent_at = ${at}::timestamptz
      where ${matches} and i.send_count < ${MAX_INVITATION_SENDS} and i.last_sent_at <= ${new Date(now.getTime() - RESEND_INTERVAL_MS).toISOString()}::timestamptz
      returning i.id, i.workspace_id, i.email, i.role, i.custom_role_id, i.invited_by, i.send_count, i.created_at
    ),
    audited as (${auditFromRow(
      "resent",
      { action: "invitation.resent", actorId: access.actor.id, target: "invitation", details: sql`jsonb_build_object('email', resent.email, 'sendCount', resent.send_count)` },
      meta,
      now,
    )})
    select (select row_to_json(found) from found) as found,
           (select row_to_json(resent) from resent) as resent,
           (select name from workspaces where id = ${access.workspaceId}) as workspace_name,
           (select u.locale from users u, resent where u.email = resent.email and u.deleted_at is null) as invitee_locale`);
  const row = result.rows[0] as {
    found: { send_count: number; last_sent_at: string } | null;
    resent: { id: string; email: string; role: BuiltInRole | null; custom_role_id: string | null; invited_by: string | null; send_count: number; created_at: string } | null;
    workspace_name: string;
    invitee_locale: Locale | null;
  };
  if (!row.resent) throw refuseResend(row.found, now.getTime());
  const { resent } = row;
  const invitation = toInvitation(
    {
      id: resent.id,
      email: resent.email,
      role: resent.role,
      customRoleId: resent.custom_role_id,
      invitedBy: resent.invited_by,
      sendCount: resent.send_count,
      lastSentAt: now,
      createdAt: timestampFrom(resent.created_at),
      expiresAt,
      acceptedAt: null,
      declinedAt: null,
      revokedAt: null,
    },
    now.getTime(),
  );
  return { invitation, mail: invitationMail(resent.email, row.invitee_locale ?? locale, token, row.workspace_name) };
}

/** Why a resend changed nothing, from the invitation as the statement found it. */
function refuseResend(found: { send_count: number; last_sent_at: string } | null, now: number): ApiError {
  if (!found) return new ApiError("NOT_FOUND");
  if (found.send_count >= MAX_INVITATION_SENDS) return new ApiError("CONFLICT", { detail: "invitationSendLimit", params: { limit: MAX_INVITATION_SENDS } });
  // A resend that committed while this one ran has moved last_sent_at on: a whole interval to wait.
  const waitMs = timestampFrom(found.last_sent_at).getTime() + RESEND_INTERVAL_MS - now;
  const seconds = waitMs > 0 ? Math.ceil(waitMs / 1000) : RESEND_INTERVAL_MS / 1000;
  return new ApiError("RATE_LIMITED", { detail: "invitationResentRecently", params: { seconds }, retryAfter: seconds });
}

/**
 * Only an owner may invite an owner (as only an owner may make one, see permissions.ts), and nobody
 * may invite to a built-in role holding a permission they lack. A custom role is checked against
 * the inviter's permissions in the database, with the role.
 */
function refuseBuiltInEscalation(access: WorkspaceAccess, role: BuiltInRole): void {
  const isOwner = access.role !== null && "builtIn" in access.role && access.role.builtIn === "owner";
  if (role === "owner" && !isOwner) throw new ApiError("FORBIDDEN", { detail: "invitationOwnerRole" });
  for (const permission of ROLE_PERMISSIONS[role]) if (!access.permissions.has(permission)) throw REFUSALS.role_too_high();
}
