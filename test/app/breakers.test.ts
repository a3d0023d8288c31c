import { eq, sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { workerBindings } from "../../dev/stack-info.ts";
import { createApp } from "../../src/app";
import { users, workspaces } from "../../src/db/schema";
import { BREAKER_COOL_DOWN_MS, BREAKER_FAILURE_THRESHOLD } from "../../src/services/app-scope";
import { db, json } from "../helpers/accounts";
import { call } from "../helpers/app";
import { manualClock } from "../helpers/clock";
import { bearer, createUser, signIn, testConfig, uniqueEmail } from "../helpers/identity";
import { expectProblem } from "../helpers/problem";
import { from, limitedApp, rateLimits, uniqueIpv4 } from "../helpers/rate-limits";
import { countDatabaseRoundTrips } from "../helpers/round-trips";
import { clearFaults, faultStack, setFault } from "../helpers/stack";

const stack = faultStack("breakers");
/** Far longer than the test's own time limit: a request that waited for it would fail the test. */
const STALL_MS = 20_000;
const TEST_TIMEOUT_MS = 10_000;
const bindings = { ...workerBindings(stack), DATABASE_TIMEOUT_MS: "300" };

/** An app (one isolate) on a clock the test moves, with routes that reach the database. */
function isolate() {
  const time = manualClock();
  const app = createApp({ clock: time.clock });
  app.get("/v1/test/query", async (c) => c.json((await c.var.services.db.http.execute(sql`select 1 as one`)).rows));
  app.post("/v1/test/duplicate", async (c) => {
    const row = { id: `ws_${crypto.randomUUID().replaceAll("-", "")}`, name: "Twice", slug: `t-${crypto.randomUUID().slice(0, 8)}` };
    await c.var.services.db.http.insert(workspaces).values([row, { ...row, id: `${row.id}x` }]);
    return c.json({});
  });
  app.post("/v1/test/bad-statement", async (c) => c.json(await c.var.services.db.http.execute(sql`select no_such_column from workspaces`)));
  app.post("/v1/test/duplicate-in-transaction", async (c) => {
    const row = { id: `ws_${crypto.randomUUID().replaceAll("-", "")}`, name: "Twice", slug: `t-${crypto.randomUUID().slice(0, 8)}` };
    await c.var.services.db.transaction(async (tx) => tx.insert(workspaces).values([row, { ...row, id: `${row.id}x` }]));
    return c.json({});
  });
  // Writes a row, then stalls past the bound before it could commit.
  app.post("/v1/test/half-write/:slug", async (c) => {
    const slug = c.req.param("slug");
    await c.var.services.db.transaction(async (tx) => {
      await tx.insert(workspaces).values({ id: `ws_${crypto.randomUUID().replaceAll("-", "")}`, name: "Half", slug });
      await tx.execute(sql`select pg_sleep(20)`);
    });
    return c.json({});
  });
  const request = (path: string, init?: RequestInit, overrides: Record<string, unknown> = {}) => call(app, path, init, { ...bindings, ...overrides });
  return { app, request, advance: time.advance };
}

let warn: MockInstance<typeof console.warn>;
let errors: MockInstance<typeof console.error>;
const logLines = () => warn.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>);
const breakerLines = () => logLines().filter((line) => String(line.msg).startsWith("circuit breaker"));

beforeEach(() => {
  warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  // Every 503 that reached a failing database logs "dependency unavailable".
  errors = vi.spyOn(console, "error").mockImplementation(() => {});
});
afterEach(async () => {
  vi.restoreAllMocks();
  await clearFaults(stack);
});

async function expectUnavailable(response: Response): Promise<void> {
  await expectProblem(response, { status: 503, code: "SERVICE_UNAVAILABLE" });
  expect(response.headers.get("Retry-After")).toBe("5");
}

describe("the database unavailable", () => {
  it.each([
    ["stalls", { latencyMs: STALL_MS }],
    ["drops the connection", { drop: true }],
  ])(
    "answers a read with 503 and Retry-After when the database %s, well before the stall would end",
    async (_, fault) => {
      const user = await createUser({ stack });
      const { accessToken } = await signIn(user, Date.now, stack);
      await setFault("neonHttp", fault, stack);
      // The session check is the request's first database call: it fails within the bound and the request ends.
      await expectUnavailable(await isolate().request("/v1/me", { headers: bearer(accessToken) }));
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "answers 503 within the default bound too",
    async () => {
      // The default leaves room under 3 s for the rest of the request.
      expect(testConfig({ DATABASE_TIMEOUT_MS: undefined }).DATABASE_TIMEOUT_MS).toBeLessThanOrEqual(2000);
      await setFault("neonHttp", { latencyMs: STALL_MS }, stack);
      await expectUnavailable(await isolate().request("/v1/test/query", undefined, { DATABASE_TIMEOUT_MS: undefined }));
    },
    TEST_TIMEOUT_MS,
  );

  it("makes no second database call in a request whose first one failed", async () => {
    const { app } = isolate();
    app.get("/v1/test/two-reads", async (c) => {
      const { http } = c.var.services.db;
      await http.execute(sql`select 1`).catch(() => {});
      await http.execute(sql`select 2`);
      return c.json({});
    });
    await setFault("neonHttp", { drop: true }, stack);
    const { result, roundTrips } = await countDatabaseRoundTrips(() => call(app, "/v1/test/two-reads", undefined, bindings), stack);
    await expectUnavailable(result);
    expect(roundTrips).toBe(1);
  });

  it("leaves no account behind when registration meets a dropped connection, and the address registers once it is back", async () => {
    const email = uniqueEmail("outage");
    const { request } = isolate();
    await setFault("neonHttp", { latencyMs: 100, drop: true }, stack);
    await expectUnavailable(await request("/v1/auth/register", json("POST", { email, password: "correct horse battery staple" })));
    await clearFaults(stack);

    expect(await db.select().from(users).where(eq(users.email, email))).toEqual([]);
    expect((await request("/v1/auth/register", json("POST", { email, password: "correct horse battery staple" }))).status).toBe(202);
    expect(await db.select({ email: users.email }).from(users).where(eq(users.email, email))).toEqual([{ email }]);
  });

  it("leaves a profile unchanged when its update fails", async () => {
    const user = await createUser({ stack, name: "Before" });
    const { accessToken } = await signIn(user, Date.now, stack);
    const { request } = isolate();
    // The isolate now trusts the session for a while: the PATCH's one database call is its update.
    expect((await request("/v1/me", { headers: bearer(accessToken) })).status).toBe(200);
    await setFault("neonHttp", { drop: true }, stack);
    await expectUnavailable(await request("/v1/me", json("PATCH", { name: "After" }, bearer(accessToken))));
    await clearFaults(stack);
    expect(await (await request("/v1/me", { headers: bearer(accessToken) })).json()).toMatchObject({ name: "Before" });
  });

  it("rolls back an interactive transaction that stalls after its first write", async () => {
    const slug = `h-${crypto.randomUUID().slice(0, 8)}`;
    await expectUnavailable(await isolate().request(`/v1/test/half-write/${slug}`, { method: "POST" }));
    expect(await db.select().from(workspaces).where(eq(workspaces.slug, slug))).toEqual([]);
  });
});

describe("the database circuit breaker", () => {
  it(
    "opens after repeated failures, then answers 503 with no call reaching the database; after the cool-down one probe goes through",
    async () => {
      const { request, advance } = isolate();
      await setFault("neonHttp", { drop: true }, stack);
      for (let i = 0; i < BREAKER_FAILURE_THRESHOLD; i++) await expectUnavailable(await request("/v1/test/query"));
      expect(breakerLines()).toEqual([{ level: "warn", msg: "circuit breaker opened", dependency: "database" }]);

      // Open: nothing reaches the endpoint, not even once the database is back.
      await clearFaults(stack);
      errors.mockClear();
      const refused = await countDatabaseRoundTrips(() => request("/v1/test/query"), stack);
      await expectUnavailable(refused.result);
      expect(refused.roundTrips).toBe(0);
      // The opening was logged once; the requests it refuses add no error line each.
      expect(errors).not.toHaveBeenCalled();

      // A failing probe opens it again for another cool-down.
      await setFault("neonHttp", { latencyMs: STALL_MS }, stack);
      advance(BREAKER_COOL_DOWN_MS);
      const probe = await countDatabaseRoundTrips(() => request("/v1/test/query"), stack);
      await expectUnavailable(probe.result);
      expect(probe.roundTrips).toBe(1);
      expect((await countDatabaseRoundTrips(() => request("/v1/test/query"), stack)).roundTrips).toBe(0);

      // With the database back, the next probe closes it and traffic flows.
      await clearFaults(stack);
      advance(BREAKER_COOL_DOWN_MS);
      const recovered = await countDatabaseRoundTrips(() => request("/v1/test/query"), stack);
      expect(await recovered.result.json()).toEqual([{ one: 1 }]);
      expect(recovered.roundTrips).toBe(1);
      expect((await request("/v1/test/query")).status).toBe(200);
      expect(breakerLines()).toEqual([
        { level: "warn", msg: "circuit breaker opened", dependency: "database" },
        { level: "warn", msg: "circuit breaker closed", dependency: "database" },
      ]);
      expect(JSON.stringify(logLines())).not.toContain(stack.neonHttpUrl);
    },
    TEST_TIMEOUT_MS,
  );

  it("refuses an interactive transaction at once while open", { timeout: TEST_TIMEOUT_MS }, async () => {
    const { request } = isolate();
    await setFault("neonHttp", { drop: true }, stack);
    for (let i = 0; i < BREAKER_FAILURE_THRESHOLD; i++) await request("/v1/test/query");
    await clearFaults(stack);
    // With the WebSocket proxy stalled, a transaction that tried to connect would wait for the bound.
    await setFault("neonWs", { latencyMs: STALL_MS }, stack);
    const slug = `o-${crypto.randomUUID().slice(0, 8)}`;
    const response = await request(`/v1/test/half-write/${slug}`, { method: "POST" }, { DATABASE_TIMEOUT_MS: "30000" });
    await expectUnavailable(response);
  });

  it("never opens on SQL errors: a unique violation or a bad statement is the caller's problem", async () => {
    const { request } = isolate();
    for (let i = 0; i < BREAKER_FAILURE_THRESHOLD; i++) {
      await expectProblem(await request("/v1/test/duplicate", { method: "POST" }), { status: 500, code: "INTERNAL_ERROR" });
      await expectProblem(await request("/v1/test/bad-statement", { method: "POST" }), { status: 500, code: "INTERNAL_ERROR" });
    }
    for (let i = 0; i < BREAKER_FAILURE_THRESHOLD; i++) {
      await expectProblem(await request("/v1/test/duplicate-in-transaction", { method: "POST" }), { status: 500, code: "INTERNAL_ERROR" });
    }
    const after = await countDatabaseRoundTrips(() => request("/v1/test/query"), stack);
    expect(await after.result.json()).toEqual([{ one: 1 }]);
    expect(after.roundTrips).toBe(1);
    expect(breakerLines()).toEqual([]);
  });

  it("belongs to its isolate: another app still reaches the database", async () => {
    const first = isolate();
    await setFault("neonHttp", { drop: true }, stack);
    for (let i = 0; i < BREAKER_FAILURE_THRESHOLD; i++) await first.request("/v1/test/query");
    await clearFaults(stack);
    expect((await first.request("/v1/test/query")).status).toBe(503);
    expect((await isolate().request("/v1/test/query")).status).toBe(200);
  });
});

describe("Redis unavailable", () => {
  /** Runs `work`, counting the requests that reach this stack's Upstash endpoint. */
  async function countUpstashCalls<T>(work: () => Promise<T>): Promise<{ result: T; calls: number }> {
    const spy = vi.spyOn(globalThis, "fetch");
    try {
      const result = await work();
      const calls = spy.mock.calls.filter(([input]) => String(input instanceof Request ? input.url : input).startsWith(stack.upstashUrl!));
      return { result, calls: calls.length };
    } finally {
      spy.mockRestore();
    }
  }

  it.each([
    ["fails", { errorStatus: 500 }],
    ["drops the connection", { drop: true }],
  ])("keeps answering rate-limited requests when Upstash %s; the Redis breaker opens, refuses without a call, and recovers", async (_, fault) => {
    const { app, time } = limitedApp();
    const limits = { ...workerBindings(stack), ...rateLimits({ api: { policy: { algorithm: "fixed-window", limit: 1000, windowMs: 3_600_000 }, timeoutMs: 2000 } }) };
    const ip = uniqueIpv4();
    const send = () => countUpstashCalls(() => from(app, ip, limits));
    await setFault("upstash", fault, stack);

    for (let i = 0; i < BREAKER_FAILURE_THRESHOLD; i++) {
      const { result } = await send();
      expect(result.status).toBe(200);
      expect(await result.json()).toEqual({ ok: true });
    }
    const failures = logLines().filter((line) => line.msg === "rate limit failed open");
    expect(failures.map((line) => line.failOpens)).toEqual(Array.from({ length: BREAKER_FAILURE_THRESHOLD }, (_, index) => index + 1));
    expect(breakerLines()).toEqual([{ level: "warn", msg: "circuit breaker opened", dependency: "redis" }]);

    const open = await send();
    expect(open.result.status).toBe(200);
    expect(open.calls).toBe(0);

    await clearFaults(stack);
    time.advance(BREAKER_COOL_DOWN_MS);
    const probe = await send();
    expect(probe.result.status).toBe(200);
    expect(probe.calls).toBeGreaterThanOrEqual(1);
    expect(breakerLines().at(-1)).toEqual({ level: "warn", msg: "circuit breaker closed", dependency: "redis" });

    // Upstash counts again: the limit's remaining falls with each request.
    const [first, second] = [await from(app, ip, limits), await from(app, ip, limits)];
    const remaining = (response: Response) => Number(/;r=(\d+);/.exec(response.headers.get("RateLimit") ?? "")?.[1]);
    expect(remaining(second)).toBe(remaining(first) - 1);
    expect(JSON.stringify(logLines())).not.toContain(stack.upstashToken!);
  });
});
