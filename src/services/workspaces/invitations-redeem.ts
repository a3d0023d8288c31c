import { sql } from "drizzle-orm";
import { ApiError } from "../../lib/errors";
import type { BuiltInRole } from "../../lib/permissions";
import type { RequestMeta } from "../../lib/request-meta";
import { auditFromRow, invalidInvitation, pendingAt, presentedInvitationHash, type InvitationDeps } from "./invitations-common";

/** The membership an accepted invitation leaves its account with. */
export interface Membership {
  workspaceId: string;
  role: BuiltInRole | null;
  customRoleId: string | null;
}

interface MemberRow {
  workspace_id: string;
  role: BuiltInRole | null;
  custom_role_id: string | null;
  inserted: boolean;
}

/** Invitation `alias` belongs to a workspace that is not deleted: a deleted workspace's invitations redeem nothing. */
const live = (alias: string) => sql`exists (select 1 from workspaces w where w.id = ${sql.identifier(alias)}.workspace_id and w.deleted_at is null)`;

/**
 * Accepts the invitation that `presented` is the token of, for signed-in user `userId`: their
 * account's address must be the invitation's (403 `invitationEmailMismatch`) and verified (403
 * `invitationEmailNotVerified`); an unknown, used, declined, revoked or expired token, or one of a
 * deleted workspace, is 400 INVALID_TOKEN. The user becomes a member with the invitation's role;
 * someone who is a member already keeps their membership as it is (no second row, no role change).
 *
 * One statement, one round trip: the conditional update of the invitation is the gate (of
 * concurrent acceptances of one token, the others wait for its row lock, find it accepted and change
 * nothing), and the membership and both audit rows depend on it.
 */
export async function acceptInvitation(deps: InvitationDeps, userId: string, presented: string, meta: RequestMeta): Promise<Membership> {
  const tokenHash = await presentedInvitationHash(presented);
  const now = new Date(deps.clock());
  const at = now.toISOString();
  const result = await deps.db.http.execute(sql`
    with account as (
      select id, email, email_verified_at is not null as verified from users where id = ${userId} and deleted_at is null
    ),
    invitation as (
      select i.email from workspace_invitations i where i.token_hash = ${tokenHash} and ${pendingAt("i", at)} and ${live("i")}
    ),
    accepted as (
      update workspace_invitations i set accepted_at = ${at}::timestamptz, accepted_by = account.id
      from account
      where i.token_hash = ${tokenHash} and ${pendingAt("i", at)} and ${live("i")} and i.email = account.email and account.verified
      returning i.id, i.workspace_id, i.email, account.id as user_id, i.role, i.custom_role_id
    ),
    -- On conflict, a no-op update: it changes nothing a reader sees, but returns the member's row
    -- as it stands (a fresh insert has xmax 0), so the answer tells their role either way.
    member as (
      insert into workspace_members (workspace_id, user_id, role, custom_role_id, created_at, updated_at)
      select workspace_id, user_id, role, custom_role_id, ${at}::timestamptz, ${at}::timestamptz from accepted
      on conflict (workspace_id, user_id) do update set updated_at = workspace_members.updated_at
      returning workspace_id, user_id, role, custom_role_id, (xmax = 0) as inserted
    ),
    added as (select * from member where inserted),
    audited_acceptance as (${auditFromRow(
      "accepted",
      { action: "invitation.accepted", actorId: userId, target: "invitation", details: sql`jsonb_build_object('email', accepted.email)` },
      meta,
      now,
    )}),
    audited_member as (${auditFromRow(
      "added",
      {
        action: "member.added",
        actorId: userId,
        target: "member",
        details: sql`jsonb_build_object('role', added.role, 'customRoleId', added.custom_role_id, 'invitationId', (select id from accepted))`,
      },
      meta,
      now,
    )})
    select (select row_to_json(member) from member) as member,
           exists (select 1 from invitation) as pending,
           (select email from invitation) = (select email from account) as same_email,
           coalesce((select verified from account), false) as verified`);
  const row = result.rows[0] as { member: MemberRow | null; pending: boolean; same_email: boolean | null; verified: boolean };
  if (row.member) return { workspaceId: row.member.workspace_id, role: row.member.role, customRoleId: row.member.custom_role_id };
  // Why nothing changed, as the statement found things. A pending invitation that was the right
  // account's, verified, was accepted by a concurrent request: the same answer as a used token.
  if (row.pending && !row.same_email) throw new ApiError("FORBIDDEN", { detail: "invitationEmailMismatch" });
  if (row.pending && !row.verified) throw new ApiError("FORBIDDEN", { detail: "invitationEmailNotVerified" });
  throw invalidInvitation();
}

/**
 * Declines the invitation that `presented` is the token of; the token proves receipt of the mail,
 * so no account is needed. `actorId` is the signed-in user, if any, for the audit log. Anything but
 * a pending invitation is 400 INVALID_TOKEN. One statement with its audit row, one round trip.
 */
export async function declineInvitation(deps: InvitationDeps, actorId: string | null, presented: string, meta: RequestMeta): Promise<void> {
  const tokenHash = await presentedInvitationHash(presented);
  const now = new Date(deps.clock());
  const at = now.toISOString();
  const result = await deps.db.http.execute(sql`
    with declined as (
      update workspace_invitations i set declined_at = ${at}::timestamptz
      where i.token_hash = ${tokenHash} and ${pendingAt("i", at)} and ${live("i")}
      returning i.id, i.workspace_id, i.email
    ),
    audited as (${auditFromRow("declined", { action: "invitation.declined", actorId, target: "invitation", details: sql`jsonb_build_object('email', declined.email)` }, meta, now)})
    select id from declined`);
  if (result.rows.length === 0) throw invalidInvitation();
}
