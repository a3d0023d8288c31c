import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { createApp } from "../../../src/app";
import { apiKeys, workspaces } from "../../../src/db/schema";
import { generateApiKey } from "../../../src/lib/tokens";
import { requireUser } from "../../../src/middleware/require-user";
import { requirePermission, workspaceAccess } from "../../../src/middleware/workspace-access";
import { API_KEY_CACHE_TTL_MS, API_KEY_LAST_USED_INTERVAL_MS, API_KEY_UNKNOWN_TTL_MS } from "../../../src/services/workspaces/api-key-cache";
import { issueKey, keysPath, mistype } from "../../helpers/api-keys";
import { db } from "../../helpers/accounts";
import { call, type TestApp } from "../../helpers/app";
import { manualClock } from "../../helpers/clock";
import { bearer } from "../../helpers/identity";
import { expectProblem } from "../../helpers/problem";
import { countDatabaseRoundTrips } from "../../helpers/round-trips";
import { createWorkspace, signedInUser } from "../../helpers/workspaces";

const MINUTE = 60_000;
const CHALLENGE = 'Bearer realm="api", error="invalid_token"';

/**
 * An app standing for one isolate, with two test routes a key may reach: a read inside a workspace
 * that needs `project:read` and touches no database itself (so a request's round trips are
 * authentication's), and a route that needs a signed-in user, as creating a workspace does.
 */
function isolate(time: ReturnType<typeof manualClock>): TestApp {
  const app = createApp({ clock: time.clock });
  app.get("/v1/workspaces/:workspaceId/test/projects", workspaceAccess(), requirePermission("project:read"), (c) => c.json({ workspaceId: c.var.workspace!.workspaceId }));
  app.post("/v1/workspaces/test/user-only", requireUser(), (c) => c.json({ ok: true }));
  return app;
}

/** A workspace, its owner, and two isolates on one clock: what one caches, the other does not know. */
async function setUp() {
  const time = manualClock();
  const [first, second] = [isolate(time), isolate(time)];
  const owner = await signedInUser();
  const workspaceId = await createWorkspace(owner);
  const issue = (body: Record<string, unknown> = {}) => issueKey(first, owner.accessToken, workspaceId, { scopes: ["project:read", "apikey:manage"], ...body });
  const read = (app: TestApp, key: string, headers: Record<string, string> = {}) => call(app, `/v1/workspaces/${workspaceId}/test/projects`, { headers: bearer(key, headers) });
  return { time, first, second, owner, workspaceId, issue, read };
}

async function expectRefused(response: Response): Promise<void> {
  await expectProblem(response, { status: 401, code: "UNAUTHORIZED" });
  expect(response.headers.get("WWW-Authenticate")).toBe(CHALLENGE);
}

describe("authenticating with an API key", () => {
  it("acts as its workspace with its scopes", async () => {
    const { first, workspaceId, issue, read } = await setUp();
    const { key } = await issue();
    const response = await read(first, key);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ workspaceId });
  });

  it("costs one database round trip cold (and its last-used write after the response), none while the isolate holds it: a hot key", async () => {
    const { first, issue, read } = await setUp();
    const { key, id } = await issue();
    const cold = await countDatabaseRoundTrips(() => read(first, key));
    expect(cold.result.status).toBe(200);
    // The key's lookup, and its last use written through waitUntil (which `call` waits for).
    expect(cold.statements).toEqual([expect.stringMatching(/^select .* from "api_keys" inner join "workspaces"/), expect.stringMatching(/^update "api_keys" set "last_used_at"/)]);
    const hot = await countDatabaseRoundTrips(() => read(first, key));
    expect(hot.result.status).toBe(200);
    expect(hot.roundTrips).toBe(0);
    expect((await db.select({ lastUsedAt: apiKeys.lastUsedAt }).from(apiKeys).where(eq(apiKeys.id, id)))[0]!.lastUsedAt).not.toBeNull();
  });

  it("writes last use at most once per key per minute per isolate", async () => {
    const { time, first, issue, read } = await setUp();
    const { key, id } = await issue();
    const startedAt = time.clock();
    const lastUsedWrites = async (requests: number) => {
      const { statements } = await countDatabaseRoundTrips(async () => {
        for (let request = 0; request < requests; request++) {
          expect((await read(first, key)).status).toBe(200);
          time.advance(1000);
        }
      });
      return statements.filter((statement) => statement.startsWith('update "api_keys" set "last_used_at"')).length;
    };
    expect(await lastUsedWrites(50)).toBe(1);
    const stored = async () => (await db.select({ lastUsedAt: apiKeys.lastUsedAt }).from(apiKeys).where(eq(apiKeys.id, id)))[0]!.lastUsedAt;
    expect(await stored()).toEqual(new Date(startedAt));
    time.advance(API_KEY_LAST_USED_INTERVAL_MS - 50_000);
    expect(await lastUsedWrites(10)).toBe(1);
    expect((await stored())!.getTime()).toBeGreaterThan(startedAt + MINUTE - 1);
  });

  it.each<[string, (key: string) => string]>([
    ["a typo in its secret", (key) => mistype(key, 30)],
    ["a typo in its checksum", (key) => mistype(key, key.length - 2)],
    ["a key of another environment", () => generateApiKey("live").key],
    ["a key cut short", (key) => key.slice(0, -1)],
  ])("refuses %s with 401 without a database round trip", async (_, spoil) => {
    const { first, issue, read } = await setUp();
    const { key } = await issue();
    const { result, roundTrips } = await countDatabaseRoundTrips(() => read(first, spoil(key)));
    await expectRefused(result);
    expect(roundTrips).toBe(0);
  });

  it("refuses an unknown prefix with 401, and remembers it briefly", async () => {
    const { time, first, read } = await setUp();
    const unknown = generateApiKey("test").key;
    const cold = await countDatabaseRoundTrips(() => read(first, unknown));
    await expectRefused(cold.result);
    expect(cold.roundTrips).toBe(1);
    const remembered = await countDatabaseRoundTrips(() => read(first, unknown));
    await expectRefused(remembered.result);
    expect(remembered.roundTrips).toBe(0);
    time.advance(API_KEY_UNKNOWN_TTL_MS);
    expect((await countDatabaseRoundTrips(() => read(first, unknown))).roundTrips).toBe(1);
  });

  it("refuses the right prefix with a wrong secret", async () => {
    const { first, issue, read } = await setUp();
    const { prefix } = await issue();
    await expectRefused(await read(first, generateApiKey("test", prefix).key));
  });

  it("refuses an expired key from the moment it expires, in an isolate that holds it too", async () => {
    const { time, first, issue, read } = await setUp();
    const { key } = await issue({ expiresAt: new Date(time.clock() + MINUTE).toISOString() });
    expect((await read(first, key)).status).toBe(200);
    time.advance(MINUTE - 1);
    expect((await read(first, key)).status).toBe(200);
    time.advance(1);
    await expectRefused(await read(first, key));
  });

  it("refuses a key outside its CIDRs, and one with CIDRs on a request with no address", async () => {
    const { first, second, issue, read } = await setUp();
    const { key } = await issue({ allowedCidrs: ["203.0.113.0/24", "2001:db8::/32"] });
    expect((await read(first, key, { "CF-Connecting-IP": "203.0.113.9" })).status).toBe(200);
    expect((await read(first, key, { "CF-Connecting-IP": "2001:db8:1::5" })).status).toBe(200);
    // Held by the isolate now: the address is checked on every request all the same.
    await expectRefused(await read(first, key, { "CF-Connecting-IP": "198.51.100.1" }));
    await expectRefused(await read(first, key));
    await expectRefused(await read(second, key, { "CF-Connecting-IP": "198.51.100.1" }));
    await expectRefused(await read(second, key, { "X-Forwarded-For": "203.0.113.9" }));
  });

  it("refuses a key whose workspace was deleted", async () => {
    const { first, workspaceId, issue, read } = await setUp();
    const { key } = await issue();
    await db.update(workspaces).set({ deletedAt: new Date() }).where(eq(workspaces.id, workspaceId));
    await expectRefused(await read(first, key));
  });

  it("logs why it refused a key, and never the key", async () => {
    const { first, owner, workspaceId, issue, read } = await setUp();
    const { key, id } = await issue();
    await call(first, keysPath(workspaceId, `/${id}`), { method: "DELETE", headers: bearer(owner.accessToken) });
    const log = vi.spyOn(console, "log");
    try {
      await expectRefused(await read(first, key));
      const lines = log.mock.calls.map(([line]) => String(line));
      expect(lines.find((line) => line.includes('"msg":"api key refused"'))).toMatch(new RegExp(`"reason":"revoked".*"keyId":"${id}"`));
      for (const line of lines) expect(line).not.toContain(key.slice(14));
    } finally {
      log.mockRestore();
    }
  });

  it("answers 403 to a key without the route's scope", async () => {
    const { first, workspaceId, issue, read } = await setUp();
    const { key } = await issue({ scopes: ["apikey:manage"] });
    const problem = await expectProblem(await read(first, key), { status: 403, code: "FORBIDDEN" });
    expect(problem.detail).toContain("project:read");
    // And the other way round: a key that may read projects may not manage keys.
    const reader = await issue({ scopes: ["project:read"] });
    await expectProblem(await call(first, keysPath(workspaceId), { headers: bearer(reader.key) }), { status: 403, code: "FORBIDDEN" });
  });

  it("answers 404 to a key of workspace A in workspace B", async () => {
    const { first, owner, issue } = await setUp();
    const { key } = await issue({ scopes: ["project:read", "apikey:manage"] });
    const other = await createWorkspace(owner);
    await expectProblem(await call(first, `/v1/workspaces/${other}/test/projects`, { headers: bearer(key) }), { status: 404, code: "NOT_FOUND" });
    await expectProblem(await call(first, keysPath(other), { headers: bearer(key) }), { status: 404, code: "NOT_FOUND" });
  });

  it("is refused with 401 outside the workspace routes, and where only a user may act", async () => {
    const { first, owner, issue, read } = await setUp();
    const { key } = await issue();
    expect((await read(first, key)).status).toBe(200);
    const me = await countDatabaseRoundTrips(() => call(first, "/v1/me", { headers: bearer(key) }));
    await expectRefused(me.result);
    expect(me.roundTrips).toBe(0);
    await expectRefused(await call(first, "/v1/auth/sessions", { headers: bearer(key) }));
    await expectRefused(await call(first, "/v1/workspaces/test/user-only", { method: "POST", headers: bearer(key) }));
    expect((await call(first, "/v1/workspaces/test/user-only", { method: "POST", headers: bearer(owner.accessToken) })).status).toBe(200);
  });

  it("leaves a request with an invalid key anonymous on a route that needs nobody", async () => {
    const { first } = await setUp();
    first.get("/v1/test/public", (c) => c.json({ apiKey: c.var.apiKey ?? null }));
    const response = await call(first, "/v1/test/public", { headers: bearer(mistype(generateApiKey("test").key, 30)) });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ apiKey: null });
  });
});

describe("revocation and rotation at the edge", () => {
  it("stops a revoked key at once in the isolate that revoked it, and within the cache's bound in one that held it", async () => {
    const { time, first, second, owner, workspaceId, issue, read } = await setUp();
    const { key, id } = await issue();
    expect((await read(second, key)).status).toBe(200);
    expect((await read(first, key)).status).toBe(200);
    expect((await call(first, keysPath(workspaceId, `/${id}`), { method: "DELETE", headers: bearer(owner.accessToken) })).status).toBe(204);
    await expectRefused(await read(first, key));

    time.advance(API_KEY_CACHE_TTL_MS - 1);
    expect((await read(second, key)).status).toBe(200);
    time.advance(1);
    await expectRefused(await read(second, key));
    expect(API_KEY_CACHE_TTL_MS).toBeLessThanOrEqual(30_000);
  });

  it("takes the new secret at once everywhere, keeps the old one through the overlap, and stops it after", async () => {
    const { time, first, second, owner, workspaceId, issue, read } = await setUp();
    const old = await issue();
    expect((await read(second, old.key)).status).toBe(200);
    const rotate = await call(first, keysPath(workspaceId, `/${old.id}/rotate`), { method: "POST", headers: bearer(owner.accessToken, { "Content-Type": "application/json" }), body: JSON.stringify({ overlapSeconds: 600 }) });
    const { key: renewed } = await rotate.json<{ key: string }>();
    // The second isolate still holds the record from before the rotation: the new secret makes it read again.
    for (const app of [first, second]) {
      expect((await read(app, renewed)).status).toBe(200);
      expect((await read(app, old.key)).status).toBe(200);
    }
    time.advance(600_000 - 1);
    for (const app of [first, second]) expect((await read(app, old.key)).status).toBe(200);
    time.advance(1);
    for (const app of [first, second]) {
      await expectRefused(await read(app, old.key));
      expect((await read(app, renewed)).status).toBe(200);
    }
  });

  it("stops the old secret of a rotation without overlap at once where it rotated, and within the cache's bound elsewhere", async () => {
    const { time, first, second, owner, workspaceId, issue, read } = await setUp();
    const old = await issue();
    expect((await read(second, old.key)).status).toBe(200);
    const rotate = await call(first, keysPath(workspaceId, `/${old.id}/rotate`), { method: "POST", headers: bearer(owner.accessToken, { "Content-Type": "application/json" }), body: "{\"overlapSeconds\":0}" });
    expect(rotate.status).toBe(200);
    await expectRefused(await read(first, old.key));
    expect((await read(second, old.key)).status).toBe(200);
    time.advance(API_KEY_CACHE_TTL_MS);
    await expectRefused(await read(second, old.key));
  });
});
