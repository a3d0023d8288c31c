import { workspaceMembers, workspaces } from "../../src/db/schema";
import { newId } from "../../src/lib/ids";
import type { BuiltInRole } from "../../src/lib/permissions";
import { db } from "./accounts";
import { createUser, signIn, type TestUser } from "./identity";

/** A user with a session: what most workspace tests act as. */
export interface SignedInUser extends TestUser {
  accessToken: string;
}

/** A verified user, signed in. */
export async function signedInUser(options: Parameters<typeof createUser>[0] = {}): Promise<SignedInUser> {
  const user = await createUser(options);
  const { accessToken } = await signIn(user);
  return { ...user, accessToken };
}

/**
 * Inserts a workspace owned by `owner` straight into the database (not through the API), with
 * `members` holding the given built-in roles. Returns its id.
 */
export async function createWorkspace(owner: Pick<TestUser, "id">, members: Array<{ user: Pick<TestUser, "id">; role: BuiltInRole }> = []): Promise<string> {
  const id = newId("workspace");
  const slug = `ws-${crypto.randomUUID().slice(0, 8)}`;
  await db.batch([
    db.insert(workspaces).values({ id, name: `Workspace ${slug}`, slug, createdBy: owner.id }),
    db.insert(workspaceMembers).values([{ workspaceId: id, userId: owner.id, role: "owner" }, ...members.map(({ user, role }) => ({ workspaceId: id, userId: user.id, role }))]),
  ]);
  return id;
}
