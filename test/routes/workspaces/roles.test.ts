import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { workspaceInvitations, workspaceRoles } from "../../../src/db/schema";
import { newId } from "../../../src/lib/ids";
import type { Permission } from "../../../src/lib/permissions";
import { MAX_CUSTOM_ROLES } from "../../../src/services/workspaces/roles";
import { db } from "../../helpers/accounts";
import { uniqueEmail } from "../../helpers/identity";
import { expectProblem } from "../../helpers/problem";
import { createWorkspace } from "../../helpers/workspaces";
import { auditOf, expectStatus, holdRole, insertRole, membership, userAt, workspaceApi } from "./requests";

type Role = { id: string; name: string; description: string | null; permissions: Permission[] };

const roleRow = async (id: string) => (await db.select().from(workspaceRoles).where(eq(workspaceRoles.id, id)))[0];

async function workspace() {
  const [owner, admin, member] = [await userAt(), await userAt(), await userAt()];
  const id = await createWorkspace(owner, [
    { user: admin, role: "admin" },
    { user: member, role: "member" },
  ]);
  return { id, path: `/v1/workspaces/${id}`, roles: `/v1/workspaces/${id}/roles`, owner, admin, member };
}

/** An invitation to workspace `workspaceId` with custom role `roleId`, pending for a day unless `state` says otherwise. */
async function invitationWith(workspaceId: string, roleId: string, state: { revokedAt?: Date; expiresAt?: Date } = {}) {
  const id = newId("invitation");
  await db.insert(workspaceInvitations).values({
    id,
    workspaceId,
    email: uniqueEmail("invited"),
    customRoleId: roleId,
    tokenHash: crypto.randomUUID(),
    expiresAt: state.expiresAt ?? new Date(Date.now() + 86_400_000),
    revokedAt: state.revokedAt ?? null,
  });
  return id;
}

describe("custom roles", () => {
  it("lets an admin add a role, audited, in two round trips, and lists the workspace's roles by name", async () => {
    const api = workspaceApi();
    const { id, roles, admin } = await workspace();
    const { response, roundTrips } = await api.counted(admin, "POST", roles, { name: "Support", description: "First line", permissions: ["task:read", "comment:write"] });
    const role = await expectStatus<Role>(response, 201);
    expect(role).toMatchObject({ id: expect.stringMatching(/^rol_/), name: "Support", description: "First line", permissions: ["task:read", "comment:write"] });
    expect(roundTrips).toBe(2);
    expect(await auditOf(id)).toEqual([
      expect.objectContaining({ action: "role.created", actorId: admin.id, targetType: "role", targetId: role.id, details: { name: "Support", permissions: ["task:read", "comment:write"] } }),
    ]);
    await insertRole(id, ["task:read"], "accounting");
    const listed = await api.counted(admin, "GET", roles);
    expect((await expectStatus<{ roles: Role[] }>(listed.response, 200)).roles.map((listedRole) => listedRole.name)).toEqual(["accounting", "Support"]);
    expect(listed.roundTrips).toBe(2);
  });

  it("grants its holders exactly its permissions", async () => {
    const api = workspaceApi();
    const { id, path, owner } = await workspace();
    const holder = await userAt();
    const created = await expectStatus<Role>(await api.send(owner, "POST", `${path}/roles`, { name: "Directory", permissions: ["member:read", "workspace:read"] }), 201);
    await holdRole(id, holder.id, created.id);

    const detail = await expectStatus<{ permissions: string[] }>(await api.get(holder, path), 200);
    expect(detail.permissions).toEqual(["workspace:read", "member:read"]);
    expect((await api.get(holder, `${path}/members`)).status).toBe(200);
    for (const [method, route, body] of [
      ["PATCH", path, { name: "Taken over" }],
      ["GET", `${path}/roles`, undefined],
      ["GET", `${path}/audit-log`, undefined],
      ["DELETE", path, undefined],
    ] as const) {
      await expectProblem(await api.send(holder, method, route, body), { status: 403, code: "FORBIDDEN" });
    }
  });

  it("changes its holders' access from their next request when its permissions change", async () => {
    const api = workspaceApi();
    const { id, path, owner } = await workspace();
    const holder = await userAt();
    const roleId = await insertRole(id, ["workspace:read", "member:read"]);
    await holdRole(id, holder.id, roleId);
    expect((await api.get(holder, `${path}/members`)).status).toBe(200);

    const { response, roundTrips } = await api.counted(owner, "PATCH", `${path}/roles/${roleId}`, { permissions: ["workspace:read"] });
    expect(await expectStatus(response, 200)).toMatchObject({ id: roleId, permissions: ["workspace:read"] });
    expect(roundTrips).toBe(2);
    await expectProblem(await api.get(holder, `${path}/members`), { status: 403, code: "FORBIDDEN" });
    expect((await auditOf(id)).at(-1)).toMatchObject({
      action: "role.updated",
      details: { from: { name: expect.any(String), permissions: ["workspace:read", "member:read"] }, to: { name: expect.any(String), permissions: ["workspace:read"] } },
    });

    await expectStatus(await api.send(owner, "PATCH", `${path}/roles/${roleId}`, { permissions: ["workspace:read", "member:read", "audit:read"] }), 200);
    expect((await api.get(holder, `${path}/members`)).status).toBe(200);
    expect((await api.get(holder, `${path}/audit-log`)).status).toBe(200);
  });

  it("refuses escalation: an actor grants no permission it lacks, and changes or deletes no role holding one", async () => {
    const api = workspaceApi();
    const { id, roles } = await workspace();
    const manager = await userAt();
    await holdRole(id, manager.id, await insertRole(id, ["workspace:read", "role:manage", "task:read", "task:write"]));

    const created = await expectProblem(await api.send(manager, "POST", roles, { name: "Keys", permissions: ["task:read", "apikey:manage"] }), { status: 403, code: "FORBIDDEN" });
    expect(created.detail).toBe("You cannot grant permissions you do not hold: apikey:manage.");
    const own = await expectStatus<Role>(await api.send(manager, "POST", roles, { name: "Tasks", permissions: ["task:read", "task:write"] }), 201);
    await expectProblem(await api.send(manager, "PATCH", `${roles}/${own.id}`, { permissions: ["task:read", "member:manage"] }), { status: 403, code: "FORBIDDEN" });
    expect((await roleRow(own.id))!.permissions).toEqual(["task:read", "task:write"]);

    const richer = await insertRole(id, ["task:read", "audit:read"], "Auditors");
    const changed = await expectProblem(await api.send(manager, "PATCH", `${roles}/${richer}`, { name: "Mine" }), { status: 403, code: "FORBIDDEN" });
    expect(changed.detail).toBe("This role holds permissions you do not: audit:read.");
    await expectProblem(await api.send(manager, "DELETE", `${roles}/${richer}`), { status: 403, code: "FORBIDDEN" });
    expect((await roleRow(richer))!.name).toBe("Auditors");
  });

  it.each([
    ["workspace:delete, which only owners hold", { name: "Wreckers", permissions: ["workspace:read", "workspace:delete"] }],
    ["a repeated permission", { name: "Twice", permissions: ["task:read", "task:read"] }],
    ["an unknown permission", { name: "Root", permissions: ["root"] }],
    ["no permission", { name: "Nothing", permissions: [] }],
    ["a name over 50 characters", { name: "x".repeat(51), permissions: ["task:read"] }],
    ["a description over 200 characters", { name: "Wordy", description: "x".repeat(201), permissions: ["task:read"] }],
    ["an unknown field", { name: "Extra", permissions: ["task:read"], workspaceId: "ws_x" }],
  ])("refuses a role with %s (400), even from an owner", async (_, body) => {
    const { owner, roles } = await workspace();
    await expectProblem(await workspaceApi().send(owner, "POST", roles, body), { status: 400, code: "VALIDATION_FAILED" });
  });

  it("refuses a name the workspace has already, in any case (409), on adding and renaming; another workspace's names do not count", async () => {
    const api = workspaceApi();
    const { id, roles, owner } = await workspace();
    const other = await workspace();
    await insertRole(other.id, ["task:read"], "Shared");
    await expectStatus(await api.send(owner, "POST", roles, { name: "Shared", permissions: ["task:read"] }), 201);
    await expectProblem(await api.send(owner, "POST", roles, { name: "sHARED", permissions: ["task:read"] }), { status: 409, code: "CONFLICT" });
    const second = await insertRole(id, ["task:read"], "Second");
    await expectProblem(await api.send(owner, "PATCH", `${roles}/${second}`, { name: "SHARED" }), { status: 409, code: "CONFLICT" });
    expect((await roleRow(second))!.name).toBe("Second");
  });

  it(`refuses a workspace's role number ${MAX_CUSTOM_ROLES + 1} (409), also when roles are added at the same instant`, async () => {
    const api = workspaceApi();
    const { id, roles, owner } = await workspace();
    await Promise.all(Array.from({ length: MAX_CUSTOM_ROLES - 2 }, (_, index) => insertRole(id, ["task:read"], `Role ${index}`)));
    await api.get(owner, "/v1/workspaces");
    const responses = await Promise.all(Array.from({ length: 5 }, (_, index) => api.send(owner, "POST", roles, { name: `Burst ${index}`, permissions: ["task:read"] })));
    expect(responses.map((response) => response.status).sort()).toEqual([201, 201, 409, 409, 409]);
    expect(await db.$count(workspaceRoles, eq(workspaceRoles.workspaceId, id))).toBe(MAX_CUSTOM_ROLES);
    expect((await expectStatus<{ roles: Role[] }>(await api.get(owner, roles), 200)).roles).toHaveLength(MAX_CUSTOM_ROLES);
  });

  it("refuses to delete a role a member or a pending invitation holds (409), then deletes it with its spent invitations, audited", async () => {
    const api = workspaceApi();
    const { id, roles, owner, member } = await workspace();
    const roleId = await insertRole(id, ["task:read"], "Temporary");
    await holdRole(id, member.id, roleId);
    const held = await expectProblem(await api.send(owner, "DELETE", `${roles}/${roleId}`), { status: 409, code: "CONFLICT" });
    expect(held.detail).toMatch(/hold this role/);

    await expectStatus(await api.send(owner, "PATCH", `/v1/workspaces/${id}/members/${member.id}`, { role: "member" }), 200);
    const pending = await invitationWith(id, roleId);
    await expectProblem(await api.send(owner, "DELETE", `${roles}/${roleId}`), { status: 409, code: "CONFLICT" });

    await db.update(workspaceInvitations).set({ revokedAt: new Date() }).where(eq(workspaceInvitations.id, pending));
    await invitationWith(id, roleId, { expiresAt: new Date(api.time.clock() - 1) });
    const { response, roundTrips } = await api.counted(owner, "DELETE", `${roles}/${roleId}`);
    expect(response.status).toBe(204);
    expect(roundTrips).toBe(2);
    expect(await roleRow(roleId)).toBeUndefined();
    expect(await db.select().from(workspaceInvitations).where(eq(workspaceInvitations.customRoleId, roleId))).toEqual([]);
    expect((await auditOf(id)).filter((row) => row.action === "role.deleted")).toEqual([
      expect.objectContaining({ actorId: owner.id, targetId: roleId, details: { name: "Temporary" } }),
    ]);
    expect(await membership(id, member.id)).toMatchObject({ role: "member" });
  });

  it("answers 404 for another workspace's role and to a member of another workspace, changing nothing", async () => {
    const api = workspaceApi();
    const mine = await workspace();
    const theirs = await workspace();
    const theirRole = await insertRole(theirs.id, ["task:read"], "Theirs");
    await expectProblem(await api.send(mine.owner, "PATCH", `${mine.roles}/${theirRole}`, { name: "Stolen" }), { status: 404, code: "NOT_FOUND" });
    await expectProblem(await api.send(mine.owner, "DELETE", `${mine.roles}/${theirRole}`), { status: 404, code: "NOT_FOUND" });
    await expectProblem(await api.send(mine.owner, "DELETE", `${mine.roles}/rol_nope`), { status: 404, code: "NOT_FOUND" });
    for (const [method, body] of [
      ["GET", undefined],
      ["POST", { name: "Intruders", permissions: ["task:read"] }],
    ] as const) {
      await expectProblem(await api.send(mine.owner, method, theirs.roles, body), { status: 404, code: "NOT_FOUND" });
    }
    await expectProblem(await api.send(mine.owner, "PATCH", `${theirs.roles}/${theirRole}`, { name: "Stolen" }), { status: 404, code: "NOT_FOUND" });
    expect((await roleRow(theirRole))!.name).toBe("Theirs");
    expect(await db.$count(workspaceRoles, eq(workspaceRoles.workspaceId, theirs.id))).toBe(1);
  });

  it("refuses a member without role:manage (403)", async () => {
    const { roles, member } = await workspace();
    await expectProblem(await workspaceApi().send(member, "POST", roles, { name: "Mine", permissions: ["task:read"] }), { status: 403, code: "FORBIDDEN" });
  });
});
