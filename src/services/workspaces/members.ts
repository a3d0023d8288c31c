import { and, asc, eq, isNull, sql, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client";
import { users, workspaceMembers, workspaceRoles } from "../../db/schema";
import { cursorTime, decodeCursor, encodeCursor } from "../../lib/cursor";
import { ApiError, invalidField } from "../../lib/errors";
import { isId } from "../../lib/ids";
import type { BuiltInRole, Permission } from "../../lib/permissions";
import type { RequestMeta } from "../../lib/request-meta";
import type { WorkspaceAccess } from "./access";
import { at, auditFrom, builtInRolesTable, constraintViolation, isoTime, lockWorkspace, textArray } from "./sql";
import type { MemberRole, Page, WorkspaceDeps } from "./workspaces";

/** A member as the API lists them. */
export interface Member extends MemberRole {
  userId: string;
  email: string;
  name: string | null;
  joinedAt: Date;
}

/** The role to give a member: a built-in one, or one of the workspace's custom roles. */
export type RoleGrant = { role: BuiltInRole } | { customRoleId: string };

/**
 * The workspace's members whose accounts exist, in the order they joined, with their role: one round
 * trip. A deleted account's membership stays until it is removed, but is neither listed nor counted
 * as an owner.
 */
export async function listMembers(db: Database, access: WorkspaceAccess, page: { cursor?: string; limit: number }): Promise<Page<Member>> {
  const cursor = page.cursor === undefined ? undefined : decodeCursor(page.cursor, "user");
  if (page.cursor !== undefined && !cursor) throw invalidField("cursor", "is not a cursor of this list");
  const rows = await db.http
    .select({
      userId: workspaceMembers.userId,
      email: users.email,
      name: users.name,
      role: workspaceMembers.role,
      customRoleId: workspaceRoles.id,
      customRoleName: workspaceRoles.name,
      joinedAt: workspaceMembers.createdAt,
      position: cursorTime(workspaceMembers.createdAt),
    })
    .from(workspaceMembers)
    .innerJoin(users, and(eq(users.id, workspaceMembers.userId), isNull(users.deletedAt)))
    .leftJoin(workspaceRoles, eq(workspaceRoles.id, workspaceMembers.customRoleId))
    .where(and(eq(workspaceMembers.workspaceId, access.workspaceId), cursor && sql`(${workspaceMembers.createdAt}, ${workspaceMembers.userId}) > (${cursor.at}::timestamptz, ${cursor.id})`))
    .orderBy(asc(workspaceMembers.createdAt), asc(workspaceMembers.userId))
    .limit(page.limit + 1);
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  return {
    items: items.map(({ customRoleId, customRoleName, position: _, ...row }) => ({ ...row, customRole: customRoleId ? { id: customRoleId, name: customRoleName! } : null })),
    nextCursor: rows.length > page.limit && last ? encodeCursor({ at: last.position, id: last.userId }) : null,
  };
}

/**
 * Gives member `userId` another role (see `changeMembership` for the rules): one round trip. Giving
 * the role they hold already changes nothing and is not audited.
 */
export async function changeMemberRole(deps: WorkspaceDeps, access: WorkspaceAccess, userId: string, grant: RoleGrant, meta: RequestMeta): Promise<Member> {
  if (!isId("user", userId)) throw new ApiError("NOT_FOUND");
  if (userId === access.actor.id) throw new ApiError("FORBIDDEN", { detail: "ownRoleChange" });
  if ("customRoleId" in grant && !isId("role", grant.customRoleId)) throw new ApiError("NOT_FOUND", { detail: "customRoleNotFound" });
  const row = await changeMembership(deps, access, userId, { kind: "grant", grant }, meta);
  return {
    userId,
    email: row.email,
    name: row.name,
    joinedAt: new Date(row.joined_at),
    role: "role" in grant ? grant.role : null,
    customRole: "customRoleId" in grant ? { id: grant.customRoleId, name: row.granted_name! } : null,
  };
}

/** Removes member `userId` from the workspace (see `changeMembership`): one round trip. Their next request to it is refused. */
export async function removeMember(deps: WorkspaceDeps, access: WorkspaceAccess, userId: string, meta: RequestMeta): Promise<void> {
  if (!isId("user", userId)) throw new ApiError("NOT_FOUND");
  if (userId === access.actor.id) throw new ApiError("FORBIDDEN", { detail: "removeSelf" });
  await changeMembership(deps, access, userId, { kind: "remove" }, meta);
}

/** The signed-in member leaves the workspace; its last owner cannot (409). One round trip. */
export async function leaveWorkspace(deps: WorkspaceDeps, access: WorkspaceAccess, meta: RequestMeta): Promise<void> {
  if (access.actor.type !== "user") throw new ApiError("FORBIDDEN");
  await changeMembership(deps, access, access.actor.id, { kind: "leave" }, meta);
}

type Change = { kind: "grant"; grant: RoleGrant } | { kind: "remove" } | { kind: "leave" };

type Outcome = "ok" | "unchanged" | "role_not_found" | "owner_only" | "outranked" | "not_held" | "last_owner";

interface Verdict {
  outcome: Outcome;
  email: string;
  name: string | null;
  joined_at: string;
  /** The member's permissions before the change, and those of the role granted. */
  permissions: string[];
  granted: string[] | null;
  granted_name: string | null;
}

const CUSTOM_ROLE_FOREIGN_KEY = "workspace_members_custom_role_id_workspace_roles_id_fk";

/**
 * Changes or ends one membership in one statement that decides and writes under the workspace's row
 * lock (one batch, one round trip), so two owners demoting or removing each other, or both leaving, at
 * the same instant leave one owner: the second statement counts the first's change. The rules, in order:
 * - a custom role granted must be one of this workspace's (404);
 * - only an owner, still one when the statement runs, grants the owner role or changes or removes an
 *   owner (403); an API key never does;
 * - the actor changes or removes only members whose permissions it holds all of, and grants only
 *   roles whose permissions it holds all of: no escalation (403);
 * - the last owner (of those whose accounts exist) is neither demoted, removed nor leaves (409).
 * The audit row (member.role_changed with from/to, member.removed, member.left) is written only with the change.
 */
async function changeMembership(deps: WorkspaceDeps, access: WorkspaceAccess, userId: string, change: Change, meta: RequestMeta): Promise<Verdict> {
  const now = new Date(deps.clock());
  const workspaceId = access.workspaceId;
  const grant = change.kind === "grant" ? change.grant : undefined;
  const grantedRole = grant && "role" in grant ? grant.role : null;
  const grantedCustomRole = grant && "customRoleId" in grant ? grant.customRoleId : null;
  // A literal, not a parameter: PostgreSQL cannot always infer a parameter's type in a boolean expression.
  const ownerAfter = sql.raw(String(grantedRole === "owner"));
  const held = textArray(access.permissions);

  const granted = !grant
    ? sql`select null::text[] as permissions, null::text as name`
    : grantedRole
      ? sql`select permissions, null::text as name from builtin where role = ${grantedRole}`
      : sql`select permissions, name from workspace_roles where id = ${grantedCustomRole} and workspace_id = ${workspaceId}`;
  const rules: SQL[] = [];
  if (grant) rules.push(sql`when granted.permissions is null then 'role_not_found'`);
  if (change.kind !== "leave") {
    rules.push(sql`when (target.role = 'owner' or ${ownerAfter}) and not owners.actor_is_owner then 'owner_only'`);
    rules.push(sql`when not (target.permissions <@ ${held}) then 'outranked'`);
  }
  if (grant) rules.push(sql`when not (granted.permissions <@ ${held}) then 'not_held'`);
  rules.push(sql`when target.role = 'owner' and not ${ownerAfter} and owners.others = 0 then 'last_owner'`);
  if (grant) rules.push(sql`when target.role is not distinct from ${grantedRole}::text and target.custom_role_id is not distinct from ${grantedCustomRole}::text then 'unchanged'`);

  const write =
    change.kind === "grant"
      ? sql`update workspace_members m set role = ${grantedRole}, custom_role_id = ${grantedCustomRole}, updated_at = ${at(now)} from verdict
          where verdict.outcome = 'ok' and m.workspace_id = ${workspaceId} and m.user_id = ${userId} returning m.user_id`
      : sql`delete from workspace_members m using verdict where verdict.outcome = 'ok' and m.workspace_id = ${workspaceId} and m.user_id = ${userId} returning m.user_id`;
  const heldRole = sql`coalesce(done.role, done.custom_role_id)`;
  const audit =
    change.kind === "grant"
      ? { action: "member.role_changed" as const, details: sql`jsonb_build_object('from', ${heldRole}, 'to', ${grantedRole ?? grantedCustomRole}::text)` }
      : { action: change.kind === "remove" ? ("member.removed" as const) : ("member.left" as const), details: sql`jsonb_build_object('role', ${heldRole})` };

  let result;
  try {
    [, result] = await deps.db.http.batch([
      lockWorkspace(deps.db, workspaceId),
      deps.db.http.execute(sql`
        with ${builtInRolesTable()},
        target as (
          select m.role, m.custom_role_id, m.created_at, u.email, u.name, coalesce(b.permissions, r.permissions, '{}'::text[]) as permissions
          from workspace_members m
          join users u on u.id = m.user_id
          left join builtin b on b.role = m.role
          left join workspace_roles r on r.id = m.custom_role_id
          where m.workspace_id = ${workspaceId} and m.user_id = ${userId}
        ),
        granted as (${granted}),
        owners as (
          select count(*) filter (where m.user_id <> ${userId})::int as others, coalesce(bool_or(m.user_id = ${access.actor.id}), false) as actor_is_owner
          from workspace_members m join users u on u.id = m.user_id and u.deleted_at is null
          where m.workspace_id = ${workspaceId} and m.role = 'owner'
        ),
        verdict as (
          select target.*, granted.permissions as granted, granted.name as granted_name, case ${sql.join(rules, sql` `)} else 'ok' end as outcome
          from target left join granted on true cross join owners
        ),
        changed as (${write}),
        done as (select verdict.* from verdict, changed),
        audited as (${auditFrom("done", { action: audit.action, actorId: access.actor.id, workspaceId, targetType: "member", targetId: userId, details: audit.details }, meta, now)})
        select outcome, email, name, ${isoTime(sql`created_at`)} as joined_at, permissions, granted, granted_name from verdict`),
    ]);
  } catch (error) {
    // The role was deleted between this statement's read of it and its write.
    if (constraintViolation(error)?.constraint === CUSTOM_ROLE_FOREIGN_KEY) throw new ApiError("NOT_FOUND", { detail: "customRoleNotFound" });
    throw error;
  }
  const verdict = result.rows[0] as Verdict | undefined;
  if (!verdict) throw new ApiError("NOT_FOUND");
  refuse(verdict, access.permissions);
  return verdict;
}

/** Throws the answer to a change the statement refused. */
function refuse(verdict: Verdict, held: ReadonlySet<Permission>): void {
  const missing = (permissions: readonly string[] | null) => (permissions ?? []).filter((permission) => !held.has(permission as Permission));
  switch (verdict.outcome) {
    case "ok":
    case "unchanged":
      return;
    case "role_not_found":
      throw new ApiError("NOT_FOUND", { detail: "customRoleNotFound" });
    case "owner_only":
      throw new ApiError("FORBIDDEN", { detail: "ownerOnly" });
    case "outranked":
      throw new ApiError("FORBIDDEN", { detail: "memberOutranks", params: { permissions: missing(verdict.permissions) } });
    case "not_held":
      throw new ApiError("FORBIDDEN", { detail: "permissionsNotHeld", params: { permissions: missing(verdict.granted) } });
    case "last_owner":
      throw new ApiError("CONFLICT", { detail: "lastOwner" });
  }
}
