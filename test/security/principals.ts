import { users } from "../../src/db/schema";
import { newId } from "../../src/lib/ids";
import { db } from "../helpers/accounts";
import { signIn, uniqueEmail, type TestUser } from "../helpers/identity";
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

/** The accounts every case reuses, made once per file; each case's owner is its own (see createWorld). */
export interface Cast {
  admin: TestUser;
  member: TestUser;
  viewer: TestUser;
  outsider: TestUser;
  platformAdmin: TestUser;
}

export async function createCast(): Promise<Cast> {
  const [admin, member, viewer, outsider, platformAdmin] = await Promise.all([
    passwordlessUser(),
    passwordlessUser(),
    passwordlessUser(),
    passwordlessUser(),
    passwordlessUser("admin"),
  ]);
  return { admin, member, viewer, outsider, platformAdmin };
}

/**
 * A verified account without a password (as if signed up through a provider): the principals sign in
 * through the session service, and hashing a password for each case's owner would take most of the time.
 */
export async function passwordlessUser(role: "user" | "admin" = "user"): Promise<TestUser> {
  const user = { id: newId("user"), email: uniqueEmail("principal"), password: "" };
  await db.insert(users).values({ id: user.id, email: user.email, emailVerifiedAt: new Date(), role });
  return user;
}

/**
 * One case's world: workspace A with an owner of its own and the cast in their roles, and workspace B,
 * the outsider's. A's owner owns nothing else, so the limit on workspaces owned never decides a case.
 */
export interface World {
  cast: Cast;
  owner: TestUser;
  workspaceId: string;
  otherWorkspaceId: string;
}

/** A fresh pair of workspaces for one case, so a case that deletes or changes something leaves the others alone. */
export async function createWorld(cast: Cast): Promise<World> {
  const owner = await passwordlessUser();
  const [workspaceId, otherWorkspaceId] = await Promise.all([
    createWorkspace(owner, [
      { user: cast.admin, role: "admin" },
      { user: cast.member, role: "member" },
      { user: cast.viewer, role: "viewer" },
    ]),
    createWorkspace(cast.outsider),
  ]);
  return { cast, owner, workspaceId, otherWorkspaceId };
}

/** A fresh access token for a user principal: a case that logs out or revokes sessions spoils only its own. */
export async function accessTokenOf(user: TestUser): Promise<string> {
  return (await signIn(user)).accessToken;
}
