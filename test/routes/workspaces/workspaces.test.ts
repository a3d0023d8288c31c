import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { workspaceMembers, workspaces } from "../../../src/db/schema";
import { newId } from "../../../src/lib/ids";
import { MAX_OWNED_WORKSPACES } from "../../../src/services/workspaces/workspaces";
import { db } from "../../helpers/accounts";
import { manualClock } from "../../helpers/clock";
import { expectProblem } from "../../helpers/problem";
import { createWorkspace } from "../../helpers/workspaces";
import { auditOf, expectStatus, membership, signInAt, userAt, workspaceApi } from "./requests";

const DAY = 24 * 60 * 60 * 1000;
const slug = () => `ws-${crypto.randomUUID().slice(0, 8)}`;
const workspaceRow = async (id: string) => (await db.select().from(workspaces).where(eq(workspaces.id, id)))[0];

describe("POST /v1/workspaces", () => {
  it("creates a workspace whose creator is its owner, audited in the same round trip", async () => {
    const api = workspaceApi();
    const owner = await userAt();
    const wanted = slug();
    const { response, roundTrips, statements } = await api.counted(owner, "POST", "/v1/workspaces", { name: "Acme Ltd", slug: wanted });
    const created = await expectStatus<{ id: string }>(response, 201);
    expect(created).toEqual({
      id: expect.stringMatching(/^ws_/),
      name: "Acme Ltd",
      slug: wanted,
      role: "owner",
      customRole: null,
      joinedAt: expect.any(String),
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(roundTrips).toBe(1);
    expect(statements[0]).toMatch(/for no key update.*insert into workspaces/);
    expect(await membership(created.id, owner.id)).toMatchObject({ role: "owner", customRoleId: null });
    expect(await auditOf(created.id)).toEqual([expect.objectContaining({ action: "workspace.created", actorId: owner.id, targetType: "workspace", targetId: created.id })]);
  });

  it("derives the slug from the name, adding a random suffix when that slug is taken", async () => {
    const api = workspaceApi();
    const owner = await userAt();
    const name = `Ärger & Co ${crypto.randomUUID().slice(0, 6)}`;
    const base = name.replace("Ä", "a").toLowerCase().replace(" & ", "-").replaceAll(" ", "-");
    const first = await expectStatus<{ slug: string }>(await api.send(owner, "POST", "/v1/workspaces", { name }), 201);
    const second = await expectStatus<{ slug: string }>(await api.send(owner, "POST", "/v1/workspaces", { name }), 201);
    expect(first.slug).toBe(base);
    expect(second.slug).toMatch(new RegExp(`^${base}-[a-z0-9]{6}$`));
    // A name with nothing to keep still gets a valid slug.
    expect((await expectStatus<{ slug: string }>(await api.send(owner, "POST", "/v1/workspaces", { name: "日本" }), 201)).slug).toMatch(/^workspace(-[a-z0-9]{6})?$/);
  });

  it("refuses a slug another live workspace has (409), in any case, and takes one only a deleted workspace had", async () => {
    const api = workspaceApi();
    const [owner, other] = [await userAt(), await userAt()];
    const taken = slug();
    await expectStatus(await api.send(other, "POST", "/v1/workspaces", { name: "First", slug: taken }), 201);
    await expectProblem(await api.send(owner, "POST", "/v1/workspaces", { name: "Second", slug: taken.toUpperCase() }), { status: 409, code: "CONFLICT" });

    const deleted = await createWorkspace(other);
    const freed = slug();
    await db.update(workspaces).set({ slug: freed, deletedAt: new Date() }).where(eq(workspaces.id, deleted));
    expect((await expectStatus<{ slug: string }>(await api.send(owner, "POST", "/v1/workspaces", { name: "Third", slug: freed }), 201)).slug).toBe(freed);
  });

  it.each([
    ["an unknown field", { name: "Acme", plan: "enterprise" }],
    ["an empty name", { name: "  " }],
    ["a name over 100 characters", { name: "x".repeat(101) }],
    ["a slug with other characters", { name: "Acme", slug: "acme_ltd" }],
    ["a slug ending in a hyphen", { name: "Acme", slug: "acme-" }],
    ["a slug over 48 characters", { name: "Acme", slug: "a".repeat(49) }],
  ])("refuses %s with 400", async (_, body) => {
    await expectProblem(await workspaceApi().send(await userAt(), "POST", "/v1/workspaces", body), { status: 400, code: "VALIDATION_FAILED" });
  });

  it(`refuses a user who owns ${MAX_OWNED_WORKSPACES} live workspaces (409); deleted ones and others' do not count`, async () => {
    const api = workspaceApi();
    const owner = await userAt();
    const other = await userAt();
    const owned = await Promise.all(Array.from({ length: MAX_OWNED_WORKSPACES }, () => createWorkspace(owner)));
    await createWorkspace(other, [{ user: owner, role: "admin" }]);
    const refused = await expectProblem(await api.send(owner, "POST", "/v1/workspaces", { name: "One too many" }), { status: 409, code: "CONFLICT" });
    expect(refused.detail).toContain(String(MAX_OWNED_WORKSPACES));

    await db.update(workspaces).set({ deletedAt: new Date() }).where(eq(workspaces.id, owned[0]!));
    await expectStatus(await api.send(owner, "POST", "/v1/workspaces", { name: "Fits again" }), 201);
  });

  it("counts creations made at the same instant against each other: the limit holds under concurrency", async () => {
    const api = workspaceApi();
    const owner = await userAt();
    await Promise.all(Array.from({ length: MAX_OWNED_WORKSPACES - 2 }, () => createWorkspace(owner)));
    const responses = await Promise.all(Array.from({ length: 6 }, (_, index) => api.send(owner, "POST", "/v1/workspaces", { name: `Burst ${index}` })));
    expect(responses.map((response) => response.status).sort()).toEqual([201, 201, 409, 409, 409, 409]);
    const rows = await db.select().from(workspaceMembers).where(eq(workspaceMembers.userId, owner.id));
    expect(rows).toHaveLength(MAX_OWNED_WORKSPACES);
  });

  it("is for signed-in users only: no token is 401", async () => {
    const response = await workspaceApi().send({ accessToken: "" }, "POST", "/v1/workspaces", { name: "Acme" });
    await expectProblem(response, { status: 401, code: "UNAUTHORIZED" });
  });
});

describe("GET /v1/workspaces", () => {
  it("lists only the caller's live workspaces with their role in each, in one round trip", async () => {
    const api = workspaceApi();
    const [me, other] = [await userAt(), await userAt()];
    const mine = await createWorkspace(me);
    const joined = await createWorkspace(other, [{ user: me, role: "viewer" }]);
    await createWorkspace(other);
    const deleted = await createWorkspace(me);
    await db.update(workspaces).set({ deletedAt: new Date() }).where(eq(workspaces.id, deleted));

    const { response, roundTrips } = await api.counted(me, "GET", "/v1/workspaces");
    const page = await expectStatus<{ workspaces: Array<{ id: string; role: string }>; nextCursor: string | null }>(response, 200);
    expect(page.workspaces.map(({ id, role }) => ({ id, role }))).toEqual([
      { id: mine, role: "owner" },
      { id: joined, role: "viewer" },
    ]);
    expect(page.nextCursor).toBeNull();
    expect(roundTrips).toBe(1);
  });

  it("pages through every workspace once, with an opaque cursor", async () => {
    const api = workspaceApi();
    const me = await userAt();
    const ids: string[] = [];
    // One at a time: each joins after the last, the order the list keeps.
    for (let index = 0; index < 5; index++) ids.push(await createWorkspace(me));
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : "?limit=2";
      const page = await expectStatus<{ workspaces: Array<{ id: string }>; nextCursor: string | null }>(await api.get(me, `/v1/workspaces${query}`), 200);
      seen.push(...page.workspaces.map(({ id }) => id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(seen).toEqual(ids);
    expect(pages).toBe(3);
  });

  it.each(["not-a-cursor", "bm9wZQ", btoa(`2026-02-30T10:00:00.000000Z|${newId("workspace")}`).replace(/=+$/, ""), btoa(`2026-01-01T10:00:00.000000Z|${newId("user")}`).replace(/=+$/, "")])(
    "refuses a cursor it did not make for this list (%s) with 400",
    async (cursor) => {
      const problem = await expectProblem(await workspaceApi().get(await userAt(), `/v1/workspaces?cursor=${cursor}`), { status: 400, code: "VALIDATION_FAILED" });
      expect(problem.errors?.[0]?.path).toBe("cursor");
    },
  );

  it("clamps the page size to 1-100 and refuses one that is not a number", async () => {
    const api = workspaceApi();
    const me = await userAt();
    await createWorkspace(me);
    await createWorkspace(me);
    expect((await expectStatus<{ workspaces: unknown[] }>(await api.get(me, "/v1/workspaces?limit=0"), 200)).workspaces).toHaveLength(1);
    expect((await expectStatus<{ workspaces: unknown[] }>(await api.get(me, "/v1/workspaces?limit=1000"), 200)).workspaces).toHaveLength(2);
    await expectProblem(await api.get(me, "/v1/workspaces?limit=ten"), { status: 400, code: "VALIDATION_FAILED" });
  });
});

describe("GET /v1/workspaces/{workspaceId}", () => {
  it("shows a member the workspace and what they may do in it: two round trips (access, then the workspace)", async () => {
    const api = workspaceApi();
    const [owner, viewer] = [await userAt(), await userAt()];
    const id = await createWorkspace(owner, [{ user: viewer, role: "viewer" }]);
    const { response, roundTrips } = await api.counted(viewer, "GET", `/v1/workspaces/${id}`);
    const body = await expectStatus<{ id: string; permissions: string[] }>(response, 200);
    expect(body).toMatchObject({ id, name: expect.any(String), slug: expect.any(String) });
    expect(body.permissions).toEqual(["workspace:read", "member:read", "project:read", "task:read", "comment:read", "attachment:read"]);
    expect(roundTrips).toBe(2);
  });

  it.each([
    ["another user's workspace", async () => createWorkspace(await userAt())],
    ["a malformed id", async () => "ws_nope"],
    ["an unknown id", async () => newId("workspace")],
  ])("answers 404 for %s", async (_, id) => {
    await expectProblem(await workspaceApi().get(await userAt(), `/v1/workspaces/${await id()}`), { status: 404, code: "NOT_FOUND" });
  });
});

describe("PATCH /v1/workspaces/{workspaceId}", () => {
  it("lets an admin rename the workspace and change its slug, audited from and to, in two round trips", async () => {
    const api = workspaceApi();
    const [owner, admin] = [await userAt(), await userAt()];
    const id = await createWorkspace(owner, [{ user: admin, role: "admin" }]);
    const before = await workspaceRow(id);
    const wanted = slug();
    const { response, roundTrips } = await api.counted(admin, "PATCH", `/v1/workspaces/${id}`, { name: "Renamed", slug: wanted });
    expect(await expectStatus(response, 200)).toMatchObject({ id, name: "Renamed", slug: wanted });
    expect(roundTrips).toBe(2);
    expect(await auditOf(id)).toEqual([
      expect.objectContaining({
        action: "workspace.renamed",
        actorId: admin.id,
        details: { from: { name: before!.name, slug: before!.slug }, to: { name: "Renamed", slug: wanted } },
      }),
    ]);
  });

  it.each(["member", "viewer"] as const)("refuses a %s (403) and changes nothing", async (role) => {
    const api = workspaceApi();
    const [owner, caller] = [await userAt(), await userAt()];
    const id = await createWorkspace(owner, [{ user: caller, role }]);
    const problem = await expectProblem(await api.send(caller, "PATCH", `/v1/workspaces/${id}`, { name: "Mine now" }), { status: 403, code: "FORBIDDEN" });
    expect(problem.detail).toContain("workspace:update");
    expect((await workspaceRow(id))!.name).not.toBe("Mine now");
  });

  it("refuses a slug another workspace has (409)", async () => {
    const api = workspaceApi();
    const owner = await userAt();
    const [id, other] = [await createWorkspace(owner), await createWorkspace(owner)];
    const taken = (await workspaceRow(other))!.slug;
    await expectProblem(await api.send(owner, "PATCH", `/v1/workspaces/${id}`, { slug: taken }), { status: 409, code: "CONFLICT" });
    await expectProblem(await api.send(owner, "PATCH", `/v1/workspaces/${id}`, {}), { status: 400, code: "VALIDATION_FAILED" });
  });
});

describe("DELETE /v1/workspaces/{workspaceId}", () => {
  it("refuses an admin (403): deleting is for owners", async () => {
    const api = workspaceApi();
    const [owner, admin] = [await userAt(), await userAt()];
    const id = await createWorkspace(owner, [{ user: admin, role: "admin" }]);
    await expectProblem(await api.send(admin, "DELETE", `/v1/workspaces/${id}`), { status: 403, code: "FORBIDDEN" });
    expect((await workspaceRow(id))!.deletedAt).toBeNull();
  });

  it("deletes softly for an owner, audited, in two round trips: hidden from every member at once", async () => {
    const api = workspaceApi();
    const [owner, member] = [await userAt(), await userAt()];
    const id = await createWorkspace(owner, [{ user: member, role: "member" }]);
    const { response, roundTrips } = await api.counted(owner, "DELETE", `/v1/workspaces/${id}`);
    expect(response.status).toBe(204);
    expect(roundTrips).toBe(2);
    expect((await workspaceRow(id))!.deletedAt).toEqual(new Date(api.time.clock()));
    expect(await auditOf(id)).toEqual([expect.objectContaining({ action: "workspace.deleted", actorId: owner.id })]);
    for (const caller of [owner, member]) await expectProblem(await api.get(caller, `/v1/workspaces/${id}`), { status: 404, code: "NOT_FOUND" });
    const listed = await expectStatus<{ workspaces: Array<{ id: string }> }>(await api.get(owner, "/v1/workspaces"), 200);
    expect(listed.workspaces.map(({ id }) => id)).not.toContain(id);
  });
});

describe("POST /v1/workspaces/{workspaceId}/restore", () => {
  it("restores for an owner up to 30 days after the deletion, audited, in one round trip", async () => {
    const time = manualClock();
    const api = workspaceApi(time);
    const owner = await userAt(time);
    const id = await createWorkspace(owner);
    expect((await api.send(owner, "DELETE", `/v1/workspaces/${id}`)).status).toBe(204);
    time.advance(30 * DAY - 1);
    const later = await signInAt(owner, time);
    const { response, roundTrips } = await api.counted(later, "POST", `/v1/workspaces/${id}/restore`);
    expect(await expectStatus(response, 200)).toMatchObject({ id });
    expect(roundTrips).toBe(1);
    expect((await workspaceRow(id))!.deletedAt).toBeNull();
    expect((await auditOf(id)).map((row) => row.action)).toEqual(["workspace.deleted", "workspace.restored"]);
    expect((await api.get(later, `/v1/workspaces/${id}`)).status).toBe(200);
  });

  it("answers 404 once 30 days have passed", async () => {
    const time = manualClock();
    const api = workspaceApi(time);
    const owner = await userAt(time);
    const id = await createWorkspace(owner);
    expect((await api.send(owner, "DELETE", `/v1/workspaces/${id}`)).status).toBe(204);
    time.advance(30 * DAY);
    const later = await signInAt(owner, time);
    await expectProblem(await api.send(later, "POST", `/v1/workspaces/${id}/restore`), { status: 404, code: "NOT_FOUND" });
    expect((await workspaceRow(id))!.deletedAt).not.toBeNull();
  });

  it("answers 404 to an admin of the workspace, to another user, and for a workspace that is not deleted", async () => {
    const api = workspaceApi();
    const [owner, admin, stranger] = [await userAt(), await userAt(), await userAt()];
    const id = await createWorkspace(owner, [{ user: admin, role: "admin" }]);
    await expectProblem(await api.send(owner, "POST", `/v1/workspaces/${id}/restore`), { status: 404, code: "NOT_FOUND" });
    expect((await api.send(owner, "DELETE", `/v1/workspaces/${id}`)).status).toBe(204);
    for (const caller of [admin, stranger]) await expectProblem(await api.send(caller, "POST", `/v1/workspaces/${id}/restore`), { status: 404, code: "NOT_FOUND" });
    expect((await workspaceRow(id))!.deletedAt).not.toBeNull();
  });

  it("refuses (409) when another workspace took the slug meanwhile", async () => {
    const api = workspaceApi();
    const [owner, other] = [await userAt(), await userAt()];
    const id = await createWorkspace(owner);
    const taken = (await workspaceRow(id))!.slug;
    expect((await api.send(owner, "DELETE", `/v1/workspaces/${id}`)).status).toBe(204);
    await expectStatus(await api.send(other, "POST", "/v1/workspaces", { name: "Squatter", slug: taken }), 201);
    await expectProblem(await api.send(owner, "POST", `/v1/workspaces/${id}/restore`), { status: 409, code: "CONFLICT" });
    expect((await workspaceRow(id))!.deletedAt).not.toBeNull();
  });
});
