import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { users, workspaceMembers } from "../../../src/db/schema";
import { newId } from "../../../src/lib/ids";
import { db } from "../../helpers/accounts";
import { expectProblem } from "../../helpers/problem";
import { createWorkspace, type SignedInUser } from "../../helpers/workspaces";
import { auditOf, expectStatus, holdRole, insertRole, membership, userAt, workspaceApi } from "./requests";

type MemberList = { members: Array<{ userId: string; email: string; role: string | null; customRole: { id: string; name: string } | null }>; nextCursor: string | null };

const members = (path: string) => `${path}/members`;
const owners = async (workspaceId: string) =>
  (await db.select().from(workspaceMembers).where(and(eq(workspaceMembers.workspaceId, workspaceId), eq(workspaceMembers.role, "owner")))).map((row) => row.userId);

/** A workspace with an owner, an admin, a member and a viewer, all signed in. */
async function team() {
  const [owner, admin, member, viewer] = await Promise.all([userAt(), userAt(), userAt(), userAt()]);
  const id = await createWorkspace(owner, [
    { user: admin, role: "admin" },
    { user: member, role: "member" },
    { user: viewer, role: "viewer" },
  ]);
  return { id, path: `/v1/workspaces/${id}`, owner, admin, member, viewer };
}

describe("GET /v1/workspaces/{workspaceId}/members", () => {
  it("lists every member with their account and role to a viewer, in two round trips", async () => {
    const api = workspaceApi();
    const { id, path, owner, admin, viewer } = await team();
    const roleId = await insertRole(id, ["task:read"], "Auditor");
    const auditor = await userAt();
    await holdRole(id, auditor.id, roleId);
    const { response, roundTrips } = await api.counted(viewer, "GET", members(path));
    const list = await expectStatus<MemberList>(response, 200);
    expect(roundTrips).toBe(2);
    expect(list.members).toHaveLength(5);
    expect(list.members).toContainEqual({ userId: owner.id, email: owner.email, name: null, role: "owner", customRole: null, joinedAt: expect.any(String) });
    expect(list.members).toContainEqual(expect.objectContaining({ userId: admin.id, role: "admin" }));
    expect(list.members).toContainEqual(expect.objectContaining({ userId: auditor.id, role: null, customRole: { id: roleId, name: "Auditor" } }));
  });

  it("pages through every member once, and leaves out deleted accounts", async () => {
    const api = workspaceApi();
    const { path, owner } = await team();
    const gone = (await team()).member;
    await db.insert(workspaceMembers).values({ workspaceId: path.split("/").at(-1)!, userId: gone.id, role: "member" });
    await db.update(users).set({ deletedAt: new Date() }).where(eq(users.id, gone.id));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: MemberList = await expectStatus<MemberList>(await api.get(owner, `${members(path)}?limit=3${cursor ? `&cursor=${cursor}` : ""}`), 200);
      seen.push(...page.members.map((member) => member.userId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(4);
    expect(new Set(seen).size).toBe(4);
    expect(seen).not.toContain(gone.id);
  });

  it("answers 404 to a member of another workspace", async () => {
    const { path } = await team();
    const outsider = (await team()).owner;
    await expectProblem(await workspaceApi().get(outsider, members(path)), { status: 404, code: "NOT_FOUND" });
  });
});

describe("PATCH /v1/workspaces/{workspaceId}/members/{userId}", () => {
  it("lets an admin change a member's role, audited from and to, in two round trips", async () => {
    const api = workspaceApi();
    const { id, path, admin, member } = await team();
    const { response, roundTrips } = await api.counted(admin, "PATCH", `${members(path)}/${member.id}`, { role: "viewer" });
    expect(await expectStatus(response, 200)).toMatchObject({ userId: member.id, email: member.email, role: "viewer", customRole: null });
    expect(roundTrips).toBe(2);
    expect((await membership(id, member.id))!.role).toBe("viewer");
    expect(await auditOf(id)).toEqual([
      expect.objectContaining({ action: "member.role_changed", actorId: admin.id, targetType: "member", targetId: member.id, details: { from: "member", to: "viewer" } }),
    ]);
  });

  it("gives a member one of the workspace's custom roles, and writes nothing when they hold it already", async () => {
    const api = workspaceApi();
    const { id, path, owner, member } = await team();
    const roleId = await insertRole(id, ["task:read", "task:write"], "Tasker");
    const body = await expectStatus(await api.send(owner, "PATCH", `${members(path)}/${member.id}`, { customRoleId: roleId }), 200);
    expect(body).toMatchObject({ role: null, customRole: { id: roleId, name: "Tasker" } });
    expect(await membership(id, member.id)).toMatchObject({ role: null, customRoleId: roleId });
    await expectStatus(await api.send(owner, "PATCH", `${members(path)}/${member.id}`, { customRoleId: roleId }), 200);
    expect((await auditOf(id)).map((row) => row.details)).toEqual([{ from: "member", to: roleId }]);
  });

  it("refuses another workspace's custom role (404) and a malformed role id (400), changing nothing", async () => {
    const api = workspaceApi();
    const { id, path, owner, member } = await team();
    const elsewhere = await insertRole((await team()).id, ["task:read"]);
    const problem = await expectProblem(await api.send(owner, "PATCH", `${members(path)}/${member.id}`, { customRoleId: elsewhere }), { status: 404, code: "NOT_FOUND" });
    expect(problem.detail).toBe("This workspace has no such role.");
    await expectProblem(await api.send(owner, "PATCH", `${members(path)}/${member.id}`, { customRoleId: "rol_x" }), { status: 400, code: "VALIDATION_FAILED" });
    await expectProblem(await api.send(owner, "PATCH", `${members(path)}/${member.id}`, { role: "admin", customRoleId: elsewhere }), { status: 400, code: "VALIDATION_FAILED" });
    expect(await membership(id, member.id)).toMatchObject({ role: "member", customRoleId: null });
  });

  it("lets only owners grant the owner role or change an owner (403 for an admin)", async () => {
    const api = workspaceApi();
    const { id, path, owner, admin, member } = await team();
    const grant = await expectProblem(await api.send(admin, "PATCH", `${members(path)}/${member.id}`, { role: "owner" }), { status: 403, code: "FORBIDDEN" });
    expect(grant.detail).toMatch(/Only an owner/);
    await expectProblem(await api.send(admin, "PATCH", `${members(path)}/${owner.id}`, { role: "viewer" }), { status: 403, code: "FORBIDDEN" });
    expect(await owners(id)).toEqual([owner.id]);

    await expectStatus(await api.send(owner, "PATCH", `${members(path)}/${member.id}`, { role: "owner" }), 200);
    expect((await owners(id)).sort()).toEqual([owner.id, member.id].sort());
    // Now two owners: one may demote the other.
    await expectStatus(await api.send(member, "PATCH", `${members(path)}/${owner.id}`, { role: "admin" }), 200);
    expect(await owners(id)).toEqual([member.id]);
  });

  it("refuses anyone changing their own role (403), owners too", async () => {
    const api = workspaceApi();
    const { id, path, owner, admin } = await team();
    for (const [caller, role] of [
      [owner, "admin"],
      [admin, "owner"],
    ] as const) {
      const problem = await expectProblem(await api.send(caller, "PATCH", `${members(path)}/${caller.id}`, { role }), { status: 403, code: "FORBIDDEN" });
      expect(problem.detail).toMatch(/your own role/);
    }
    expect(await membership(id, admin.id)).toMatchObject({ role: "admin" });
  });

  it("refuses escalation: a custom role with member:manage grants no role holding more than it has, nor changes such a member", async () => {
    const api = workspaceApi();
    const { id, path, admin } = await team();
    const [manager, helper] = [await userAt(), await userAt()];
    await holdRole(id, manager.id, await insertRole(id, ["workspace:read", "member:read", "member:manage", "task:read"]));
    await holdRole(id, helper.id, await insertRole(id, ["task:read"]));

    const grant = await expectProblem(await api.send(manager, "PATCH", `${members(path)}/${helper.id}`, { role: "viewer" }), { status: 403, code: "FORBIDDEN" });
    expect(grant.detail).toBe("You cannot grant permissions you do not hold: project:read, comment:read, attachment:read.");
    const richer = await insertRole(id, ["task:read", "audit:read"]);
    await expectProblem(await api.send(manager, "PATCH", `${members(path)}/${helper.id}`, { customRoleId: richer }), { status: 403, code: "FORBIDDEN" });
    const outranked = await expectProblem(await api.send(manager, "PATCH", `${members(path)}/${admin.id}`, { role: "viewer" }), { status: 403, code: "FORBIDDEN" });
    expect(outranked.detail).toMatch(/^This member holds permissions you do not: workspace:update, /);
    expect(await membership(id, admin.id)).toMatchObject({ role: "admin" });

    // A member whose permissions it holds all of, it may give a role whose permissions it holds all of.
    const lesser = await insertRole(id, ["member:read", "task:read"]);
    await expectStatus(await api.send(manager, "PATCH", `${members(path)}/${helper.id}`, { customRoleId: lesser }), 200);
    expect(await membership(id, helper.id)).toMatchObject({ customRoleId: lesser });
  });

  it("refuses a member, a viewer (403), another workspace's member and an unknown user (404)", async () => {
    const api = workspaceApi();
    const { path, member, viewer, owner } = await team();
    for (const caller of [member, viewer]) await expectProblem(await api.send(caller, "PATCH", `${members(path)}/${owner.id}`, { role: "viewer" }), { status: 403, code: "FORBIDDEN" });
    const outsider = (await team()).member;
    await expectProblem(await api.send(owner, "PATCH", `${members(path)}/${outsider.id}`, { role: "viewer" }), { status: 404, code: "NOT_FOUND" });
    await expectProblem(await api.send(owner, "PATCH", `${members(path)}/${newId("user")}`, { role: "viewer" }), { status: 404, code: "NOT_FOUND" });
    await expectProblem(await api.send(owner, "PATCH", `${members(path)}/usr_nope`, { role: "viewer" }), { status: 404, code: "NOT_FOUND" });
    expect(await membership((await team()).id, outsider.id)).toBeUndefined();
  });
});

describe("DELETE /v1/workspaces/{workspaceId}/members/{userId}", () => {
  it("removes a member, audited, in two round trips; their very next request to the workspace is 404", async () => {
    const api = workspaceApi();
    const { id, path, admin, member } = await team();
    // The member's session is checked and the workspace read: nothing is cached that could let them in later.
    expect((await api.get(member, path)).status).toBe(200);
    const { response, roundTrips } = await api.counted(admin, "DELETE", `${members(path)}/${member.id}`);
    expect(response.status).toBe(204);
    expect(roundTrips).toBe(2);
    expect(await membership(id, member.id)).toBeUndefined();
    expect(await auditOf(id)).toEqual([expect.objectContaining({ action: "member.removed", actorId: admin.id, targetId: member.id, details: { role: "member" } })]);
    await expectProblem(await api.get(member, path), { status: 404, code: "NOT_FOUND" });
    await expectProblem(await api.get(member, members(path)), { status: 404, code: "NOT_FOUND" });
  });

  it("lets only an owner remove an owner, and nobody remove themselves", async () => {
    const api = workspaceApi();
    const { id, path, owner, admin } = await team();
    await expectProblem(await api.send(admin, "DELETE", `${members(path)}/${owner.id}`), { status: 403, code: "FORBIDDEN" });
    const self = await expectProblem(await api.send(admin, "DELETE", `${members(path)}/${admin.id}`), { status: 403, code: "FORBIDDEN" });
    expect(self.detail).toMatch(/leave the workspace instead/);
    expect(await owners(id)).toEqual([owner.id]);
    expect(await membership(id, admin.id)).toBeDefined();
  });

  it("answers 404 to a member of another workspace, changing nothing", async () => {
    const { id, path, member } = await team();
    const outsider = (await team()).owner;
    await expectProblem(await workspaceApi().send(outsider, "DELETE", `${members(path)}/${member.id}`), { status: 404, code: "NOT_FOUND" });
    expect(await membership(id, member.id)).toBeDefined();
  });
});

describe("POST /v1/workspaces/{workspaceId}/leave", () => {
  it("lets any member leave, audited, in two round trips; their next request is 404", async () => {
    const api = workspaceApi();
    const { id, path, viewer } = await team();
    const { response, roundTrips } = await api.counted(viewer, "POST", `${path}/leave`);
    expect(response.status).toBe(204);
    expect(roundTrips).toBe(2);
    expect(await auditOf(id)).toEqual([expect.objectContaining({ action: "member.left", actorId: viewer.id, targetId: viewer.id, details: { role: "viewer" } })]);
    await expectProblem(await api.get(viewer, path), { status: 404, code: "NOT_FOUND" });
  });

  it("lets a custom role without any permission leave", async () => {
    const api = workspaceApi();
    const { id, path } = await team();
    const reader = await userAt();
    await holdRole(id, reader.id, await insertRole(id, ["task:read"]));
    expect((await api.send(reader, "POST", `${path}/leave`)).status).toBe(204);
  });

  it("refuses the last owner (409); with a second owner, the first may leave", async () => {
    const api = workspaceApi();
    const { id, path, owner, admin } = await team();
    const problem = await expectProblem(await api.send(owner, "POST", `${path}/leave`), { status: 409, code: "CONFLICT" });
    expect(problem.detail).toMatch(/needs an owner/);
    expect(await owners(id)).toEqual([owner.id]);

    await expectStatus(await api.send(owner, "PATCH", `${members(path)}/${admin.id}`, { role: "owner" }), 200);
    expect((await api.send(owner, "POST", `${path}/leave`)).status).toBe(204);
    expect(await owners(id)).toEqual([admin.id]);
  });

  it("does not count an owner whose account was deleted: the last live owner stays", async () => {
    const api = workspaceApi();
    const { id, path, owner } = await team();
    const gone = await userAt();
    await db.insert(workspaceMembers).values({ workspaceId: id, userId: gone.id, role: "owner" });
    await db.update(users).set({ deletedAt: new Date() }).where(eq(users.id, gone.id));
    await expectProblem(await api.send(owner, "POST", `${path}/leave`), { status: 409, code: "CONFLICT" });
  });
});

describe("the last owner, under concurrent requests", () => {
  type Api = ReturnType<typeof workspaceApi>;

  /** `count` workspaces with two owners each, and both owners' requests sent at the same instant. */
  async function race(count: number, requests: (api: Api, a: SignedInUser, b: SignedInUser, path: string) => Array<Promise<Response>>) {
    const api = workspaceApi();
    const pairs = await Promise.all(
      Array.from({ length: count }, async () => {
        const [a, b] = [await userAt(), await userAt()];
        const id = await createWorkspace(a, [{ user: b, role: "owner" }]);
        return { id, a, b };
      }),
    );
    // Sessions checked before the race, so the requests reach their statements together.
    await Promise.all(pairs.flatMap(({ a, b }) => [api.get(a, "/v1/workspaces"), api.get(b, "/v1/workspaces")]));
    const statuses = await Promise.all(
      pairs.map(async ({ id, a, b }) => (await Promise.all(requests(api, a, b, `/v1/workspaces/${id}`))).map((response) => response.status).sort()),
    );
    return { pairs, statuses };
  }

  it("leaves one owner when two owners demote each other at the same instant", async () => {
    const { pairs, statuses } = await race(5, (api, a, b, path) => [api.send(a, "PATCH", `${path}/members/${b.id}`, { role: "admin" }), api.send(b, "PATCH", `${path}/members/${a.id}`, { role: "admin" })]);
    for (const [index, { id }] of pairs.entries()) {
      expect(statuses[index]).toEqual([200, 403]);
      expect(await owners(id)).toHaveLength(1);
    }
  });

  it("leaves one owner when two owners remove each other at the same instant", async () => {
    const { pairs, statuses } = await race(5, (api, a, b, path) => [api.send(a, "DELETE", `${path}/members/${b.id}`), api.send(b, "DELETE", `${path}/members/${a.id}`)]);
    for (const [index, { id }] of pairs.entries()) {
      expect(statuses[index]).toEqual([204, 403]);
      expect(await owners(id)).toHaveLength(1);
    }
  });

  it("leaves one owner when both owners leave at the same instant", async () => {
    const { pairs, statuses } = await race(5, (api, a, b, path) => [api.send(a, "POST", `${path}/leave`), api.send(b, "POST", `${path}/leave`)]);
    for (const [index, { id }] of pairs.entries()) {
      expect(statuses[index]).toEqual([204, 409]);
      expect(await owners(id)).toHaveLength(1);
    }
  });
});
