import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, workspaceMembers, workspaceRoles, workspaces } from "../../../src/db/schema";
import { db } from "../../helpers/accounts";
import { expectProblem } from "../../helpers/problem";
import { createWorkspace } from "../../helpers/workspaces";
import { insertRole, userAt, workspaceApi } from "./requests";

/** Everything stored about workspace `id`, to compare before and after refused requests. */
async function snapshot(id: string) {
  const [workspace, members, roles, audit] = await Promise.all([
    db.select().from(workspaces).where(eq(workspaces.id, id)),
    db.select().from(workspaceMembers).where(eq(workspaceMembers.workspaceId, id)).orderBy(workspaceMembers.userId),
    db.select().from(workspaceRoles).where(eq(workspaceRoles.workspaceId, id)).orderBy(workspaceRoles.id),
    db.select().from(auditLog).where(eq(auditLog.workspaceId, id)).orderBy(auditLog.id),
  ]);
  return { workspace, members, roles, audit };
}

describe("another tenant's workspace", () => {
  it.each(["user", "admin"] as const)("is 404 on every route to the owner of another workspace (a platform %s), and stays unchanged", async (platformRole) => {
    const api = workspaceApi();
    const [owner, member] = [await userAt(), await userAt()];
    const target = await createWorkspace(owner, [{ user: member, role: "member" }]);
    const roleId = await insertRole(target, ["task:read"]);
    const stranger = await userAt(api.time, { role: platformRole });
    const own = await createWorkspace(stranger);
    const ownMember = await userAt();
    await db.insert(workspaceMembers).values({ workspaceId: own, userId: ownMember.id, role: "viewer" });
    const before = await snapshot(target);

    const a = `/v1/workspaces/${target}`;
    const b = `/v1/workspaces/${own}`;
    const requests: Array<[method: string, path: string, body?: unknown]> = [
      ["GET", a],
      ["PATCH", a, { name: "Taken over" }],
      ["DELETE", a],
      ["POST", `${a}/restore`],
      ["GET", `${a}/members`],
      ["PATCH", `${a}/members/${member.id}`, { role: "viewer" }],
      ["DELETE", `${a}/members/${member.id}`],
      ["POST", `${a}/leave`],
      ["GET", `${a}/roles`],
      ["POST", `${a}/roles`, { name: "Intruders", permissions: ["task:read"] }],
      ["PATCH", `${a}/roles/${roleId}`, { permissions: ["task:read", "task:write"] }],
      ["DELETE", `${a}/roles/${roleId}`],
      ["GET", `${a}/audit-log`],
      // The other workspace's objects, named from the caller's own workspace.
      ["PATCH", `${b}/members/${member.id}`, { role: "viewer" }],
      ["DELETE", `${b}/members/${member.id}`],
      ["PATCH", `${b}/members/${ownMember.id}`, { customRoleId: roleId }],
      ["PATCH", `${b}/roles/${roleId}`, { name: "Mine" }],
      ["DELETE", `${b}/roles/${roleId}`],
    ];
    for (const [method, path, body] of requests) {
      const response = await api.send(stranger, method, path, body);
      expect(response.status, `${method} ${path}`).toBe(404);
      await expectProblem(response, { status: 404, code: "NOT_FOUND" });
    }
    expect(await snapshot(target)).toEqual(before);

    // Deleted, it stays out of reach of the stranger's restore too.
    expect((await api.send(owner, "DELETE", a)).status).toBe(204);
    const deleted = await snapshot(target);
    await expectProblem(await api.send(stranger, "POST", `${a}/restore`), { status: 404, code: "NOT_FOUND" });
    expect(await snapshot(target)).toEqual(deleted);
  });
});
