/**
 * What may be done in a workspace. A fixed list: built-in roles, custom roles and API key scopes
 * are all sets of these, and every workspace route names the one it requires (see workspace-route.ts),
 * so this file with ROLE_PERMISSIONS is the whole authorization matrix. A permission is never renamed
 * or given a new meaning: stored custom roles and keys hold these strings.
 */
export const PERMISSIONS = [
  "workspace:read",
  "workspace:update",
  "workspace:delete",
  "member:read",
  "member:invite",
  "member:manage",
  "role:manage",
  "apikey:manage",
  "audit:read",
  "project:read",
  "project:write",
  "task:read",
  "task:write",
  "comment:read",
  "comment:write",
  "attachment:read",
  "attachment:write",
  /** Listing deleted projects and tasks: built-in owners and admins hold it (every permission but `workspace:delete`). */
  "trash:read",
  /** Seeing the workspace's webhook endpoints and sources and their delivery logs: owners and admins. */
  "webhook:read",
  /** Creating, changing, rotating and deleting them, retrying and replaying deliveries: owners and admins. */
  "webhook:manage",
] as const;

export type Permission = (typeof PERMISSIONS)[number];

/** The roles every workspace has; custom roles come on top, per workspace. */
export const BUILT_IN_ROLES = ["owner", "admin", "member", "viewer"] as const;
export type BuiltInRole = (typeof BUILT_IN_ROLES)[number];

const READ: readonly Permission[] = ["workspace:read", "member:read", "project:read", "task:read", "comment:read", "attachment:read"];
const CONTRIBUTE: readonly Permission[] = [...READ, "project:write", "task:write", "comment:write", "attachment:write"];

/**
 * The built-in roles. Owners alone may delete the workspace, and (a rule of the members service, not
 * a permission) grant or take away the owner role; admins hold every other permission.
 */
export const ROLE_PERMISSIONS: Readonly<Record<BuiltInRole, ReadonlySet<Permission>>> = {
  owner: new Set(PERMISSIONS),
  admin: new Set(PERMISSIONS.filter((permission) => permission !== "workspace:delete")),
  member: new Set(CONTRIBUTE),
  viewer: new Set(READ),
};

export function isPermission(value: string): value is Permission {
  return (PERMISSIONS as readonly string[]).includes(value);
}

export function isBuiltInRole(value: string): value is BuiltInRole {
  return (BUILT_IN_ROLES as readonly string[]).includes(value);
}
