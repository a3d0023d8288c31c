import { asc, eq, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { workspaceRoles } from "../../db/schema";
import { ApiError, invalidField } from "../../lib/errors";
import { isId, newId } from "../../lib/ids";
import { isPermission, type Permission } from "../../lib/permissions";
import type { RequestMeta } from "../../lib/request-meta";
import type { WorkspaceAccess } from "./access";
import { at, auditFrom, constraintViolation, isoTime, isUniqueViolation, lockWorkspace, textArray } from "./sql";
import type { WorkspaceDeps } from "./workspaces";

/** Custom roles one workspace may have. */
export const MAX_CUSTOM_ROLES = 50;
/** What no custom role may grant: deleting the workspace is for its owners alone. */
export const OWNER_ONLY_PERMISSIONS: ReadonlySet<Permission> = new Set(["workspace:delete"]);

const NAME_INDEX = "workspace_roles_name_key";

export interface CustomRole {
  id: string;
  name: string;
  description: string | null;
  permissions: Permission[];
  createdAt: Date;
  updatedAt: Date;
}

export interface RoleChanges {
  name?: string;
  /** `null` removes the description. */
  description?: string | null;
  permissions?: Permission[];
}

/** The workspace's custom roles by name (at most MAX_CUSTOM_ROLES): one round trip. */
export async function listRoles(db: Database, access: WorkspaceAccess): Promise<CustomRole[]> {
  const rows = await db.http
    .select({
      id: workspaceRoles.id,
      name: workspaceRoles.name,
      description: workspaceRoles.description,
      permissions: workspaceRoles.permissions,
      createdAt: workspaceRoles.createdAt,
      updatedAt: workspaceRoles.updatedAt,
    })
    .from(workspaceRoles)
    .where(eq(workspaceRoles.workspaceId, access.workspaceId))
    .orderBy(asc(sql`lower(${workspaceRoles.name})`))
    .limit(MAX_CUSTOM_ROLES);
  return rows.map((row) => ({ ...row, permissions: row.permissions.filter(isPermission) }));
}

/**
 * Adds a custom role, with its audit row: one round trip. Its permissions must all be held by the
 * actor (403: nobody grants what they lack) and none owner-only (400). A name the workspace has
 * already, in any case, is 409, and so is a workspace with MAX_CUSTOM_ROLES: the batch locks the
 * workspace's row, so roles added at the same instant count each other.
 */
export async function createRole(deps: WorkspaceDeps, access: WorkspaceAccess, input: { name: string; description?: string; permissions: Permission[] }, meta: RequestMeta): Promise<CustomRole> {
  refuseGrant(access, input.permissions);
  const now = new Date(deps.clock());
  const id = newId("role");
  const workspaceId = access.workspaceId;
  const createdBy = access.actor.type === "user" ? access.actor.id : null;
  const [, result] = await deps.db.http.batch([
    lockWorkspace(deps.db, workspaceId),
    deps.db.http.execute(sql`
      with counted as (select count(*)::int as count from workspace_roles where workspace_id = ${workspaceId}),
      created as (
        insert into workspace_roles (id, workspace_id, name, description, permissions, created_by, created_at, updated_at)
        select ${id}, ${workspaceId}, ${input.name}, ${input.description ?? null}, ${textArray(input.permissions)}, ${createdBy}, ${at(now)}, ${at(now)}
        from counted where counted.count < ${MAX_CUSTOM_ROLES}
        on conflict (workspace_id, lower(name)) do nothing
        returning id, name, permissions
      ),
      audited as (${auditFrom("created", { action: "role.created", actorId: access.actor.id, workspaceId, targetType: "role", targetId: id, details: sql`jsonb_build_object('name', created.name, 'permissions', created.permissions)` }, meta, now)})
      select counted.count, created.id from counted left join created on true`),
  ]);
  const row = result.rows[0] as { count: number; id: string | null };
  if (row.id) return { id, name: input.name, description: input.description ?? null, permissions: input.permissions, createdAt: now, updatedAt: now };
  if (row.count >= MAX_CUSTOM_ROLES) throw new ApiError("CONFLICT", { detail: "roleLimit", params: { limit: MAX_CUSTOM_ROLES } });
  throw new ApiError("CONFLICT", { detail: "roleNameTaken", params: { name: input.name } });
}

/**
 * Changes a custom role, with its audit row (from and to): one round trip. The actor changes only a
 * role whose permissions it holds all of, and gives it only such permissions (403). Its members hold
 * the new permissions from their next request: access is read on every request.
 */
export async function updateRole(deps: WorkspaceDeps, access: WorkspaceAccess, roleId: string, changes: RoleChanges, meta: RequestMeta): Promise<CustomRole> {
  if (!isId("role", roleId)) throw new ApiError("NOT_FOUND");
  if (changes.permissions) refuseGrant(access, changes.permissions);
  const now = new Date(deps.clock());
  const workspaceId = access.workspaceId;
  const keep = (column: string) => sql.raw(`r.${column}`);
  const name = changes.name === undefined ? keep("name") : sql`${changes.name}`;
  const description = changes.description === undefined ? keep("description") : sql`${changes.description}`;
  const permissions = changes.permissions === undefined ? keep("permissions") : textArray(changes.permissions);
  const details = sql`jsonb_build_object(
    'from', jsonb_build_object('name', change.old_name, 'permissions', change.old_permissions),
    'to', jsonb_build_object('name', change.name, 'permissions', change.permissions))`;
  let result;
  try {
    result = await deps.db.http.execute(sql`
      with old as (select id, name, permissions from workspace_roles where id = ${roleId} and workspace_id = ${workspaceId}),
      verdict as (select old.*, case when not (old.permissions <@ ${textArray(access.permissions)}) then 'outranked' else 'ok' end as outcome from old),
      updated as (
        update workspace_roles r set name = ${name}, description = ${description}, permissions = ${permissions}, updated_at = ${at(now)}
        from verdict where verdict.outcome = 'ok' and r.id = verdict.id
        returning r.id, r.name, r.description, r.permissions, ${isoTime(sql`r.created_at`)} as created_at
      ),
      change as (select updated.*, verdict.name as old_name, verdict.permissions as old_permissions from updated, verdict),
      audited as (${auditFrom("change", { action: "role.updated", actorId: access.actor.id, workspaceId, targetType: "role", targetId: roleId, details }, meta, now)})
      select verdict.outcome, verdict.permissions as old_permissions, updated.name, updated.description, updated.permissions, updated.created_at
      from verdict left join updated on true`);
  } catch (error) {
    if (isUniqueViolation(error, NAME_INDEX)) throw new ApiError("CONFLICT", { detail: "roleNameTaken", params: { name: changes.name ?? "" } });
    throw error;
  }
  const row = result.rows[0] as
    | { outcome: "ok" | "outranked"; old_permissions: string[]; name: string; description: string | null; permissions: string[]; created_at: string }
    | undefined;
  if (!row) throw new ApiError("NOT_FOUND");
  if (row.outcome === "outranked") throw outranked(access, row.old_permissions);
  return { id: roleId, name: row.name, description: row.description, permissions: row.permissions.filter(isPermission), createdAt: new Date(row.created_at), updatedAt: now };
}

/**
 * Deletes a custom role, with its audit row: one round trip. Refused (409) while a member or a pending
 * invitation holds it; invitations that can no longer be accepted (accepted, declined, revoked or
 * expired) are deleted with it, as they would otherwise keep it forever (the audit log keeps their
 * story). The actor deletes only a role whose permissions it holds all of (403).
 */
export async function deleteRole(deps: WorkspaceDeps, access: WorkspaceAccess, roleId: string, meta: RequestMeta): Promise<void> {
  if (!isId("role", roleId)) throw new ApiError("NOT_FOUND");
  const now = new Date(deps.clock());
  const workspaceId = access.workspaceId;
  let result;
  try {
    result = await deps.db.http.execute(sql`
      with old as (select id, name, permissions from workspace_roles where id = ${roleId} and workspace_id = ${workspaceId}),
      verdict as (
        select old.*, case
          when not (old.permissions <@ ${textArray(access.permissions)}) then 'outranked'
          when exists (select 1 from workspace_members where custom_role_id = ${roleId}) then 'held'
          when exists (
            select 1 from workspace_invitations where workspace_id = ${workspaceId} and custom_role_id = ${roleId}
              and accepted_at is null and declined_at is null and revoked_at is null and expires_at > ${at(now)}
          ) then 'held'
          else 'ok' end as outcome
        from old
      ),
      spent as (delete from workspace_invitations i using verdict where verdict.outcome = 'ok' and i.workspace_id = ${workspaceId} and i.custom_role_id = ${roleId}),
      deleted as (delete from workspace_roles r using verdict where verdict.outcome = 'ok' and r.id = verdict.id returning r.id, r.name),
      audited as (${auditFrom("deleted", { action: "role.deleted", actorId: access.actor.id, workspaceId, targetType: "role", targetId: roleId, details: sql`jsonb_build_object('name', deleted.name)` }, meta, now)})
      select outcome, permissions from verdict`);
  } catch (error) {
    // A member or an invitation was given the role while this statement ran.
    if (constraintViolation(error)?.code === "23503") throw new ApiError("CONFLICT", { detail: "roleInUse" });
    throw error;
  }
  const row = result.rows[0] as { outcome: "ok" | "outranked" | "held"; permissions: string[] } | undefined;
  if (!row) throw new ApiError("NOT_FOUND");
  if (row.outcome === "outranked") throw outranked(access, row.permissions);
  if (row.outcome === "held") throw new ApiError("CONFLICT", { detail: "roleInUse" });
}

/** Refuses a role's permissions that are owner-only (400) or that the actor does not hold itself (403). */
function refuseGrant(access: WorkspaceAccess, permissions: readonly Permission[]): void {
  const ownerOnly = permissions.filter((permission) => OWNER_ONLY_PERMISSIONS.has(permission));
  if (ownerOnly.length > 0) throw invalidField("permissions", `cannot include ${ownerOnly.join(", ")}: only owners hold it`);
  const missing = permissions.filter((permission) => !access.permissions.has(permission));
  if (missing.length > 0) throw new ApiError("FORBIDDEN", { detail: "permissionsNotHeld", params: { permissions: missing } });
}

function outranked(access: WorkspaceAccess, permissions: readonly string[]): ApiError {
  const missing = permissions.filter((permission) => !isPermission(permission) || !access.permissions.has(permission));
  return new ApiError("FORBIDDEN", { detail: "roleOutranks", params: { permissions: missing } });
}
