import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createApp } from "../../../src/app";
import { apiKeys, auditLog } from "../../../src/db/schema";
import { PERMISSIONS } from "../../../src/lib/permissions";
import { hashOpaqueToken } from "../../../src/lib/tokens";
import { MAX_LIVE_API_KEYS } from "../../../src/services/workspaces/api-keys";
import { insertKeys, issueKey, keysPath } from "../../helpers/api-keys";
import { db, json } from "../../helpers/accounts";
import { call } from "../../helpers/app";
import { manualClock } from "../../helpers/clock";
import { bearer } from "../../helpers/identity";
import { expectProblem } from "../../helpers/problem";
import { countDatabaseRoundTrips } from "../../helpers/round-trips";
import { createWorkspace, signedInUser } from "../../helpers/workspaces";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** A workspace with an owner and an admin, and an app (one isolate) on a clock the test moves. */
async function workspaceWithTeam() {
  const time = manualClock();
  const app = createApp({ clock: time.clock });
  const [owner, admin, member] = await Promise.all([signedInUser(), signedInUser(), signedInUser()]);
  const workspaceId = await createWorkspace(owner, [
    { user: admin, role: "admin" },
    { user: member, role: "member" },
  ]);
  const as = (credential: string) => ({
    get: (path: string) => call(app, path, { headers: bearer(credential) }),
    post: (path: string, body: unknown) => call(app, path, json("POST", body, bearer(credential))),
    postEmpty: (path: string) => call(app, path, { method: "POST", headers: bearer(credential) }),
    delete: (path: string) => call(app, path, { method: "DELETE", headers: bearer(credential) }),
  });
  return { time, app, owner, admin, member, workspaceId, as };
}

const storedKey = async (id: string) => (await db.select().from(apiKeys).where(eq(apiKeys.id, id)))[0]!;

describe("creating an API key", () => {
  it("shows the key once, uncached, and stores only the SHA-256 of it", async () => {
    const { app, owner, workspaceId, as } = await workspaceWithTeam();
    const response = await as(owner.accessToken).post(keysPath(workspaceId), { name: "deploy bot", scopes: ["project:read", "task:write"] });
    expect(response.status).toBe(201);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const created = await response.json<{ id: string; key: string; prefix: string; createdBy: string }>();
    expect(created).toMatchObject({ name: "deploy bot", scopes: ["project:read", "task:write"], allowedCidrs: null, expiresAt: null, lastUsedAt: null, revokedAt: null });
    expect(created.key).toMatch(new RegExp(`^test_${created.prefix}_[A-Za-z0-9_-]{49}$`));
    expect(created.createdBy).toBe(owner.id);

    const row = await storedKey(created.id);
    expect(row.secretHash).toBe(await hashOpaqueToken(created.key));
    expect(row.prefix).toBe(created.prefix);
    const secret = created.key.slice(`test_${created.prefix}_`.length);
    expect(JSON.stringify(row)).not.toContain(secret);

    // Never again: neither the list nor the key itself shows the key or its hash.
    for (const path of [keysPath(workspaceId), keysPath(workspaceId, `/${created.id}`)]) {
      const text = await (await call(app, path, { headers: bearer(owner.accessToken) })).text();
      expect(text).toContain(created.prefix);
      expect(text).not.toContain(secret);
      expect(text).not.toContain(row.secretHash);
      expect(text).not.toMatch(/"key"/);
    }
  });

  it("normalises and de-duplicates its scopes and CIDRs, and keeps its expiry", async () => {
    const { time, owner, workspaceId, as } = await workspaceWithTeam();
    const expiresAt = new Date(time.clock() + 24 * HOUR).toISOString();
    const response = await as(owner.accessToken).post(keysPath(workspaceId), {
      name: "  office  ",
      scopes: ["task:read", "task:read", "project:read"],
      expiresAt,
      allowedCidrs: ["2001:DB8::1/32", "2001:db8::/32", "203.0.113.7"],
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ name: "office", scopes: ["task:read", "project:read"], allowedCidrs: ["2001:db8::/32", "203.0.113.7/32"], expiresAt });
  });

  it.each<[string, Record<string, unknown>]>([
    ["no scope", { scopes: [] }],
    ["an unknown scope", { scopes: ["project:read", "root"] }],
    ["no name", { name: " " }],
    ["a name over 100 characters", { name: "x".repeat(101) }],
    ["an unknown field", { workspaceId: "ws_other" }],
    ["a malformed CIDR", { allowedCidrs: ["10.0.0.0/33"] }],
    ["an empty CIDR list", { allowedCidrs: [] }],
    ["more than 20 CIDRs", { allowedCidrs: Array.from({ length: 21 }, (_, index) => `10.0.${index}.0/24`) }],
    ["an expiry without a time zone", { expiresAt: "2099-01-01T00:00:00" }],
  ])("refuses %s with 400", async (_, body) => {
    const { owner, workspaceId, as } = await workspaceWithTeam();
    await expectProblem(await as(owner.accessToken).post(keysPath(workspaceId), { name: "ci", scopes: ["project:read"], ...body }), { status: 400, code: "VALIDATION_FAILED" });
    expect(await db.select().from(apiKeys).where(eq(apiKeys.workspaceId, workspaceId))).toEqual([]);
  });

  it("refuses an expiry that is not in the future", async () => {
    const { time, owner, workspaceId, as } = await workspaceWithTeam();
    const problem = await expectProblem(await as(owner.accessToken).post(keysPath(workspaceId), { name: "ci", scopes: ["project:read"], expiresAt: new Date(time.clock()).toISOString() }), {
      status: 400,
      code: "VALIDATION_FAILED",
    });
    expect(problem.errors).toEqual([expect.objectContaining({ path: "expiresAt" })]);
  });

  it("refuses a scope the caller does not hold: an admin cannot mint a key that deletes the workspace", async () => {
    const { owner, admin, workspaceId, as } = await workspaceWithTeam();
    const problem = await expectProblem(await as(admin.accessToken).post(keysPath(workspaceId), { name: "ci", scopes: ["project:read", "workspace:delete"] }), { status: 403, code: "FORBIDDEN" });
    expect(problem.detail).toContain("workspace:delete");
    expect(await db.select().from(apiKeys).where(eq(apiKeys.workspaceId, workspaceId))).toEqual([]);
    // The owner holds it, and may.
    expect((await as(owner.accessToken).post(keysPath(workspaceId), { name: "ci", scopes: ["workspace:delete"] })).status).toBe(201);
  });

  it("lets a key with apikey:manage create keys no wider than its own scopes", async () => {
    const { app, owner, workspaceId, as } = await workspaceWithTeam();
    const manager = await issueKey(app, owner.accessToken, workspaceId, { scopes: ["apikey:manage", "project:read"] });
    const child = await as(manager.key).post(keysPath(workspaceId), { name: "child", scopes: ["project:read"] });
    expect(child.status).toBe(201);
    expect((await child.json<{ createdBy: string | null }>()).createdBy).toBeNull();
    await expectProblem(await as(manager.key).post(keysPath(workspaceId), { name: "wider", scopes: ["project:write"] }), { status: 403, code: "FORBIDDEN" });
  });

  it("is refused to members without apikey:manage", async () => {
    const { member, workspaceId, as } = await workspaceWithTeam();
    const problem = await expectProblem(await as(member.accessToken).post(keysPath(workspaceId), { name: "ci", scopes: ["project:read"] }), { status: 403, code: "FORBIDDEN" });
    expect(problem.detail).toContain("apikey:manage");
    await expectProblem(await as(member.accessToken).get(keysPath(workspaceId)), { status: 403, code: "FORBIDDEN" });
  });

  it(`holds a workspace to ${MAX_LIVE_API_KEYS} live keys; revoked and expired ones do not count`, async () => {
    const { time, owner, workspaceId, as } = await workspaceWithTeam();
    await insertKeys(workspaceId, 3, { revokedAt: new Date(time.clock()) });
    await insertKeys(workspaceId, 3, { expiresAt: new Date(time.clock() - 1) });
    await insertKeys(workspaceId, MAX_LIVE_API_KEYS - 1);
    const create = () => as(owner.accessToken).post(keysPath(workspaceId), { name: "ci", scopes: ["project:read"] });
    expect((await create()).status).toBe(201);
    const problem = await expectProblem(await create(), { status: 409, code: "CONFLICT" });
    expect(problem.detail).toContain(String(MAX_LIVE_API_KEYS));
    const audited = await db.select().from(auditLog).where(and(eq(auditLog.workspaceId, workspaceId), eq(auditLog.action, "api_key.created")));
    expect(audited).toHaveLength(1);
  });

  it("keeps the limit exact under concurrent creations", async () => {
    const { owner, workspaceId, as } = await workspaceWithTeam();
    await insertKeys(workspaceId, MAX_LIVE_API_KEYS - 2);
    const responses = await Promise.all(Array.from({ length: 6 }, () => as(owner.accessToken).post(keysPath(workspaceId), { name: "ci", scopes: ["project:read"] })));
    expect(responses.map((response) => response.status).sort()).toEqual([201, 201, 409, 409, 409, 409]);
    expect(await db.$count(apiKeys, eq(apiKeys.workspaceId, workspaceId))).toBe(MAX_LIVE_API_KEYS);
  });

  it("writes its audit row, with the workspace and no secret, in the same statement", async () => {
    const { owner, workspaceId, as } = await workspaceWithTeam();
    const created = await (await as(owner.accessToken).post(keysPath(workspaceId), { name: "ci", scopes: ["project:read"] })).json<{ id: string; key: string; prefix: string }>();
    const [row] = await db.select().from(auditLog).where(and(eq(auditLog.targetId, created.id), eq(auditLog.action, "api_key.created")));
    expect(row).toMatchObject({ actorId: owner.id, targetType: "api_key", workspaceId, details: { name: "ci", prefix: created.prefix, scopes: ["project:read"] } });
    expect(JSON.stringify(row)).not.toContain(created.key.slice(14));
  });
});

describe("listing and reading API keys", () => {
  it("lists a page at a time, newest first, with a cursor to the next", async () => {
    const { time, app, owner, workspaceId, as } = await workspaceWithTeam();
    const ids: string[] = [];
    for (const name of ["first", "second", "third"]) {
      ids.push((await issueKey(app, owner.accessToken, workspaceId, { name })).id);
      time.advance(1000);
    }
    const first = await (await as(owner.accessToken).get(`${keysPath(workspaceId)}?limit=2`)).json<{ apiKeys: Array<{ id: string }>; nextCursor: string }>();
    expect(first.apiKeys.map((key) => key.id)).toEqual([ids[2], ids[1]]);
    const second = await (await as(owner.accessToken).get(`${keysPath(workspaceId)}?limit=2&cursor=${first.nextCursor}`)).json<{ apiKeys: Array<{ id: string }>; nextCursor: string | null }>();
    expect(second).toEqual({ apiKeys: [expect.objectContaining({ id: ids[0] })], nextCursor: null });
  });

  it.each(["?limit=0", "?limit=101", "?cursor=not-a-key-id"])("refuses %s with 400", async (query) => {
    const { owner, workspaceId, as } = await workspaceWithTeam();
    await expectProblem(await as(owner.accessToken).get(`${keysPath(workspaceId)}${query}`), { status: 400, code: "VALIDATION_FAILED" });
  });

  it("answers 404 for a malformed key id, an unknown one, and another workspace's key", async () => {
    const { app, owner, workspaceId, as } = await workspaceWithTeam();
    const stranger = await signedInUser();
    const otherWorkspace = await createWorkspace(stranger);
    const theirs = await issueKey(app, stranger.accessToken, otherWorkspace);
    for (const keyId of ["nope", "key_00000000000000000000000000", theirs.id]) {
      await expectProblem(await as(owner.accessToken).get(keysPath(workspaceId, `/${keyId}`)), { status: 404, code: "NOT_FOUND" });
    }
    // Nor does their key show in our list.
    const listed = await (await as(owner.accessToken).get(keysPath(workspaceId))).json<{ apiKeys: Array<{ id: string }> }>();
    expect(listed.apiKeys.map((key) => key.id)).not.toContain(theirs.id);
  });
});

describe("rotating an API key", () => {
  it("gives it a new secret with the same prefix, shown once, and keeps the old one for the setting's overlap by default", async () => {
    const { time, app, owner, workspaceId, as } = await workspaceWithTeam();
    const issued = await issueKey(app, owner.accessToken, workspaceId);
    const before = await storedKey(issued.id);
    const response = await as(owner.accessToken).postEmpty(keysPath(workspaceId, `/${issued.id}/rotate`));
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const rotated = await response.json<{ key: string; prefix: string; previousSecretExpiresAt: string }>();
    expect(rotated.prefix).toBe(issued.prefix);
    expect(rotated.key).not.toBe(issued.key);
    expect(rotated.previousSecretExpiresAt).toBe(new Date(time.clock() + 86_400_000).toISOString());
    const after = await storedKey(issued.id);
    expect(after.secretHash).toBe(await hashOpaqueToken(rotated.key));
    expect(after.previousSecretHash).toBe(before.secretHash);
  });

  it("takes an overlap of its own, 0 included, up to 7 days", async () => {
    const { app, owner, workspaceId, as } = await workspaceWithTeam();
    const issued = await issueKey(app, owner.accessToken, workspaceId);
    const rotated = await (await as(owner.accessToken).post(keysPath(workspaceId, `/${issued.id}/rotate`), { overlapSeconds: 0 })).json<{ previousSecretExpiresAt: string | null }>();
    expect(rotated.previousSecretExpiresAt).toBeNull();
    expect((await storedKey(issued.id)).previousSecretHash).toBeNull();
    await expectProblem(await as(owner.accessToken).post(keysPath(workspaceId, `/${issued.id}/rotate`), { overlapSeconds: 7 * 86_400 + 1 }), { status: 400, code: "VALIDATION_FAILED" });
  });

  it("refuses a revoked or expired key with 409", async () => {
    const { time, app, owner, workspaceId, as } = await workspaceWithTeam();
    const revoked = await issueKey(app, owner.accessToken, workspaceId);
    await as(owner.accessToken).delete(keysPath(workspaceId, `/${revoked.id}`));
    const expiring = await issueKey(app, owner.accessToken, workspaceId, { expiresAt: new Date(time.clock() + MINUTE).toISOString() });
    time.advance(MINUTE);
    for (const key of [revoked, expiring]) {
      await expectProblem(await as(owner.accessToken).postEmpty(keysPath(workspaceId, `/${key.id}/rotate`)), { status: 409, code: "CONFLICT" });
      expect((await storedKey(key.id)).previousSecretHash).toBeNull();
    }
  });

  it("refuses a caller who lacks one of the key's scopes: the new secret would give it to them", async () => {
    const { app, owner, admin, workspaceId, as } = await workspaceWithTeam();
    const powerful = await issueKey(app, owner.accessToken, workspaceId, { scopes: ["workspace:delete"] });
    await expectProblem(await as(admin.accessToken).postEmpty(keysPath(workspaceId, `/${powerful.id}/rotate`)), { status: 403, code: "FORBIDDEN" });
    expect((await storedKey(powerful.id)).secretHash).toBe(await hashOpaqueToken(powerful.key));
  });

  it("audits the rotation with its overlap", async () => {
    const { app, owner, workspaceId, as } = await workspaceWithTeam();
    const issued = await issueKey(app, owner.accessToken, workspaceId);
    await as(owner.accessToken).post(keysPath(workspaceId, `/${issued.id}/rotate`), { overlapSeconds: 60 });
    const [row] = await db.select().from(auditLog).where(and(eq(auditLog.targetId, issued.id), eq(auditLog.action, "api_key.rotated")));
    expect(row).toMatchObject({ actorId: owner.id, workspaceId, details: { overlapSeconds: 60 } });
  });
});

describe("revoking an API key", () => {
  it("revokes it once: a second revocation changes and audits nothing", async () => {
    const { time, app, owner, workspaceId, as } = await workspaceWithTeam();
    const issued = await issueKey(app, owner.accessToken, workspaceId);
    expect((await as(owner.accessToken).delete(keysPath(workspaceId, `/${issued.id}`))).status).toBe(204);
    const revokedAt = (await storedKey(issued.id)).revokedAt;
    expect(revokedAt).toEqual(new Date(time.clock()));
    time.advance(1000);
    expect((await as(owner.accessToken).delete(keysPath(workspaceId, `/${issued.id}`))).status).toBe(204);
    expect((await storedKey(issued.id)).revokedAt).toEqual(revokedAt);
    const audited = await db.select().from(auditLog).where(and(eq(auditLog.targetId, issued.id), eq(auditLog.action, "api_key.revoked")));
    expect(audited).toEqual([expect.objectContaining({ actorId: owner.id, workspaceId })]);
    const shown = await (await as(owner.accessToken).get(keysPath(workspaceId, `/${issued.id}`))).json<{ revokedAt: string }>();
    expect(shown.revokedAt).toBe(revokedAt!.toISOString());
  });
});

describe("another workspace's keys", () => {
  it("cannot be read, rotated or revoked through a workspace of one's own, and are left unchanged", async () => {
    const { app, owner, workspaceId } = await workspaceWithTeam();
    const victim = await issueKey(app, owner.accessToken, workspaceId, { scopes: [...PERMISSIONS] });
    const before = await storedKey(victim.id);
    const mallory = await signedInUser();
    const malloryWorkspace = await createWorkspace(mallory);
    const asMallory = { headers: bearer(mallory.accessToken) };
    for (const workspace of [malloryWorkspace, workspaceId]) {
      await expectProblem(await call(app, keysPath(workspace, `/${victim.id}`), asMallory), { status: 404, code: "NOT_FOUND" });
      await expectProblem(await call(app, keysPath(workspace, `/${victim.id}/rotate`), { ...asMallory, method: "POST" }), { status: 404, code: "NOT_FOUND" });
      await expectProblem(await call(app, keysPath(workspace, `/${victim.id}`), { ...asMallory, method: "DELETE" }), { status: 404, code: "NOT_FOUND" });
    }
    expect(await storedKey(victim.id)).toEqual(before);
    expect(await db.select().from(auditLog).where(eq(auditLog.targetId, victim.id))).toHaveLength(1);
  });
});

describe("database round trips", () => {
  it("are one per endpoint for a hot key (rotation two), plus the membership check for a member", async () => {
    const { app, owner, workspaceId, as } = await workspaceWithTeam();
    const manager = await issueKey(app, owner.accessToken, workspaceId, { scopes: ["apikey:manage", "project:read"] });
    const spare = await issueKey(app, owner.accessToken, workspaceId);
    // Each credential once, so the isolate holds the session and the key, and the key's last use is written.
    for (const credential of [owner.accessToken, manager.key]) expect((await as(credential).get(keysPath(workspaceId))).status).toBe(200);

    const endpoints: Array<[string, (credential: string) => Promise<Response>, number]> = [
      ["GET list", (credential) => as(credential).get(keysPath(workspaceId)), 1],
      ["POST create", (credential) => as(credential).post(keysPath(workspaceId), { name: "ci", scopes: ["project:read"] }), 1],
      ["GET one", (credential) => as(credential).get(keysPath(workspaceId, `/${spare.id}`)), 1],
      ["POST rotate", (credential) => as(credential).postEmpty(keysPath(workspaceId, `/${spare.id}/rotate`)), 2],
      ["DELETE revoke", (credential) => as(credential).delete(keysPath(workspaceId, `/${spare.id}`)), 1],
    ];
    for (const [name, send, own] of endpoints) {
      for (const [credential, access] of [[manager.key, 0], [owner.accessToken, 1]] as const) {
        const { result, roundTrips } = await countDatabaseRoundTrips(() => send(credential));
        expect(result.status, name).toBeLessThan(300);
        expect(roundTrips, `${name} with ${access ? "an access token" : "a key"}`).toBe(own + access);
      }
    }
  });
});
