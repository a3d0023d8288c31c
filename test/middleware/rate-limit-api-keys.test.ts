import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { requirePermission, workspaceAccess } from "../../src/middleware/workspace-access";
import { rateLimit } from "../../src/middleware/rate-limit";
import { generateApiKey } from "../../src/lib/tokens";
import { issueKey } from "../helpers/api-keys";
import { bearer } from "../helpers/identity";
import { countDatabaseRoundTrips } from "../helpers/round-trips";
import { expectRateLimited, from, rateLimits, uniqueIpv4, WITHOUT_UPSTASH } from "../helpers/rate-limits";
import { createWorkspace, signedInUser } from "../helpers/workspaces";

const HOUR = 3_600_000;
const tight = (limit: number) => ({ policy: { algorithm: "fixed-window" as const, limit, windowMs: HOUR } });

/**
 * One isolate with a read inside a workspace, guarded as workspaceRoute guards (access, then the
 * workspace limit, then the permission), and two workspaces of one owner with a key each, and a
 * second key in the first. Each key has made one request (with the suite's limits), so the isolate
 * holds it and the global pass knows it before the `api` limit counts.
 */
async function setUp() {
  const app = createApp();
  app.get("/v1/workspaces/:workspaceId/test/projects", workspaceAccess(), rateLimit({ group: "workspace" }), requirePermission("project:read"), (c) => c.json({ ok: true }));
  const owner = await signedInUser();
  const [alpha, beta] = await Promise.all([createWorkspace(owner), createWorkspace(owner)]);
  const keyIn = (workspaceId: string) => issueKey(app, owner.accessToken, workspaceId, { scopes: ["project:read"] }).then((issued) => issued.key);
  const [alphaKey, alphaOtherKey, betaKey] = await Promise.all([keyIn(alpha), keyIn(alpha), keyIn(beta)]);
  const send = (bindings: Record<string, unknown>, ip: string, credential: string, workspaceId = alpha) =>
    from(app, ip, bindings, `/v1/workspaces/${workspaceId}/test/projects`, { headers: bearer(credential) });
  for (const [key, workspaceId] of [[alphaKey, alpha], [alphaOtherKey, alpha], [betaKey, beta]] as const) {
    expect((await send(WITHOUT_UPSTASH, uniqueIpv4(), key, workspaceId)).status).toBe(200);
  }
  return { owner, alpha, beta, alphaKey, alphaOtherKey, betaKey, send };
}

describe("the api rate limit with API keys", () => {
  it("counts a key's requests per key, whatever their address, apart from its address's other requests", async () => {
    const { alphaKey, alphaOtherKey, send } = await setUp();
    const bindings = { ...WITHOUT_UPSTASH, ...rateLimits({ api: tight(2) }) };
    const ip = uniqueIpv4();
    expect((await send(bindings, ip, alphaKey)).status).toBe(200);
    expect((await send(bindings, uniqueIpv4(), alphaKey)).status).toBe(200);
    await expectRateLimited(await send(bindings, uniqueIpv4(), alphaKey));
    // Another key of the same workspace, from the same address, has a count of its own.
    expect((await send(bindings, ip, alphaOtherKey)).status).toBe(200);
  });

  it("counts a key the isolate does not hold yet per client, and reads it only after the limit: made-up keys buy no round trip", async () => {
    const { alpha, send } = await setUp();
    const bindings = { ...WITHOUT_UPSTASH, ...rateLimits({ api: tight(1) }) };
    const ip = uniqueIpv4();
    // Well-formed, with a valid checksum (which is no secret), and a prefix nobody has.
    const madeUp = () => generateApiKey("test").key;
    const first = await countDatabaseRoundTrips(() => send(bindings, ip, madeUp(), alpha));
    expect(first.result.status).toBe(401);
    expect(first.roundTrips).toBe(1);
    const second = await countDatabaseRoundTrips(() => send(bindings, ip, madeUp(), alpha));
    await expectRateLimited(second.result);
    expect(second.roundTrips).toBe(0);
  });
});

describe("the workspace rate limit", () => {
  it("counts everyone acting in one workspace together, members and keys, and each workspace apart", async () => {
    const { owner, beta, alphaKey, alphaOtherKey, betaKey, send } = await setUp();
    const bindings = { ...WITHOUT_UPSTASH, ...rateLimits({ workspace: tight(3) }) };
    const first = await send(bindings, uniqueIpv4(), alphaKey);
    expect(first.status).toBe(200);
    expect(first.headers.get("RateLimit-Policy")).toMatch(/^"api";q=\d+;w=1, "workspace";q=3;w=3600$/);
    expect(first.headers.get("RateLimit")).toMatch(/, "workspace";r=2;t=3600$/);
    expect((await send(bindings, uniqueIpv4(), alphaOtherKey)).status).toBe(200);
    expect((await send(bindings, uniqueIpv4(), owner.accessToken)).status).toBe(200);
    const refused = await send(bindings, uniqueIpv4(), alphaKey);
    await expectRateLimited(refused);
    expect(refused.headers.get("RateLimit-Policy")).toBe('"workspace";q=3;w=3600');
    expect((await send(bindings, uniqueIpv4(), betaKey, beta)).status).toBe(200);
    expect((await send(bindings, uniqueIpv4(), owner.accessToken, beta)).status).toBe(200);
  });

  it("counts nothing for a caller who is refused the workspace: nobody spends another tenant's budget", async () => {
    const { alpha, alphaKey, betaKey, send } = await setUp();
    const bindings = { ...WITHOUT_UPSTASH, ...rateLimits({ workspace: tight(2) }) };
    const stranger = await signedInUser();
    for (let attempt = 0; attempt < 5; attempt++) {
      expect((await send(bindings, uniqueIpv4(), stranger.accessToken, alpha)).status).toBe(404);
      expect((await send(bindings, uniqueIpv4(), betaKey, alpha)).status).toBe(404);
    }
    expect((await send(bindings, uniqueIpv4(), alphaKey)).status).toBe(200);
    expect((await send(bindings, uniqueIpv4(), alphaKey)).status).toBe(200);
    await expectRateLimited(await send(bindings, uniqueIpv4(), alphaKey));
  });

  it("is off when RATE_LIMITS says so", async () => {
    const { alphaKey, send } = await setUp();
    const bindings = { ...WITHOUT_UPSTASH, ...rateLimits({ workspace: "off" }) };
    const response = await send(bindings, uniqueIpv4(), alphaKey);
    expect(response.status).toBe(200);
    expect(response.headers.get("RateLimit-Policy")).toMatch(/^"api";[^,]*$/);
  });

  it("guards every route made with workspaceRoute", async () => {
    const app = createApp();
    const owner = await signedInUser();
    const workspaceId = await createWorkspace(owner);
    const bindings = { ...WITHOUT_UPSTASH, ...rateLimits({ workspace: tight(1) }) };
    const list = () => from(app, uniqueIpv4(), bindings, `/v1/workspaces/${workspaceId}/api-keys`, { headers: bearer(owner.accessToken) });
    expect((await list()).status).toBe(200);
    await expectRateLimited(await list());
  });
});
