import { and, eq, isNull } from "drizzle-orm";
import type { Database } from "../../db/client";
import { workspaceMembers, workspaceRoles, workspaces } from "../../db/schema";
import { isPermission, ROLE_PERMISSIONS, type BuiltInRole, type Permission } from "../../lib/permissions";

/** Who acts in a workspace: one of its members, or one of its API keys. */
export type WorkspaceActor = { type: "user"; id: string } | { type: "apiKey"; id: string };

/** A caller's standing in one workspace, as every workspace service receives it. */
export interface WorkspaceAccess {
  workspaceId: string;
  actor: WorkspaceActor;
  /** The member's role: a built-in one, or the id of one of the workspace's custom roles; none for a key. */
  role: { builtIn: BuiltInRole } | { customRoleId: string } | null;
  permissions: ReadonlySet<Permission>;
}

/**
 * The access of user `userId` to live workspace `workspaceId`, or undefined when they are not a member
 * or the workspace is deleted (the caller answers 404 for both): one round trip. Read on every
 * request, never cached, so a removed member is refused from their next request on.
 */
export async function memberAccess(db: Database, workspaceId: string, userId: string): Promise<WorkspaceAccess | undefined> {
  const [row] = await db.http
    .select({ role: workspaceMembers.role, customRoleId: workspaceMembers.customRoleId, customPermissions: workspaceRoles.permissions })
    .from(workspaceMembers)
    .innerJoin(workspaces, and(eq(workspaces.id, workspaceMembers.workspaceId), isNull(workspaces.deletedAt)))
    .leftJoin(workspaceRoles, eq(workspaceRoles.id, workspaceMembers.customRoleId))
    .where(and(eq(workspaceMembers.workspaceId, workspaceId), eq(workspaceMembers.userId, userId)));
  if (!row) return undefined;
  const actor = { type: "user", id: userId } as const;
  if (row.role) return { workspaceId, actor, role: { builtIn: row.role }, permissions: ROLE_PERMISSIONS[row.role] };
  // A permission this build no longer knows grants nothing.
  const permissions = new Set((row.customPermissions ?? []).filter(isPermission));
  return { workspaceId, actor, role: { customRoleId: row.customRoleId! }, permissions };
}

/** The access of an API key, already verified, to its own workspace; no round trip. */
export function apiKeyAccess(key: { keyId: string; workspaceId: string; scopes: ReadonlySet<Permission> }): WorkspaceAccess {
  return { workspaceId: key.workspaceId, actor: { type: "apiKey", id: key.keyId }, role: null, permissions: key.scopes };
}
