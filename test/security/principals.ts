import { createUser, signIn, type TestUser } from "../helpers/identity";
import { createWorkspace } from "../helpers/workspaces";

/**
 * Everyone the route table asks about: nobody, each built-in role of the workspace, an API key of
 * the workspace with and without the route's permission, a platform admin who is not a member, and
 * the owner of another workspace.
 */
export const PRINCIPALS = ["anonymous", "owner", "admin", "member", "viewer", "keyWithScope", "keyWithoutScope", "platformAdmin", "outsider"] as const;
export type Principal = (typeof PRINCIPALS)[number];

export const ROLE_PRINCIPALS = ["owner", "admin", "member", "viewer"] as const;
export type RolePrincipal = (typeof ROLE_PRINCIPALS)[number];

export const KEY_PRINCIPALS: readonly Principal[] = ["keyWithScope", "keyWithoutScope"];

/** The accounts every case reuses: made once per file (each hashes a password). */
export interface Cast {
  owner: TestUser;
  admin: TestUser;
  member: TestUser;
  viewer: TestUser;
  outsider: TestUser;
  platformAdmin: TestUser;
}

export async function createCast(): Promise<Cast> {
  const [owner, admin, member, viewer, outsider, platformAdmin] = await Promise.all([
    createUser({ name: "Owner" }),
    createUser({ name: "Admin" }),
    createUser({ name: "Member" }),
    createUser({ name: "Viewer" }),
    createUser({ name: "Outsider" }),
    createUser({ name: "Platform admin", role: "admin" }),
  ]);
  return { owner, admin, member, viewer, outsider, platformAdmin };
}

/** One case's world: workspace A with the cast in their roles, and workspace B, the outsider's. */
export interface World {
  cast: Cast;
  workspaceId: string;
  otherWorkspaceId: string;
}

/** A fresh pair of workspaces for one case, so a case that deletes or changes something leaves the others alone. */
export async function createWorld(cast: Cast): Promise<World> {
  const [workspaceId, otherWorkspaceId] = await Promise.all([
    createWorkspace(cast.owner, [
      { user: cast.admin, role: "admin" },
      { user: cast.member, role: "member" },
      { user: cast.viewer, role: "viewer" },
    ]),
    createWorkspace(cast.outsider),
  ]);
  return { cast, workspaceId, otherWorkspaceId };
}

/** A fresh access token for a user principal: a case that logs out or revokes sessions spoils only its own. */
export async function accessTokenOf(user: TestUser): Promise<string> {
  return (await signIn(user)).accessToken;
}
