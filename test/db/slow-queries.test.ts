import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { workerBindings } from "../../dev/stack-info.ts";
import { call, testApp } from "../helpers/app";
import { clearFaults, faultStack, setFault } from "../helpers/stack";

const stack = faultStack("slow-queries");
const SLOW_QUERY_MS = 500;
/** The local stack's injected latency: every query takes at least this long, well past the threshold. */
const LATENCY_MS = 800;
const PARAMETER = "ada@example.com";
const LITERAL = "inline-secret";

let warn: MockInstance<typeof console.warn>;

beforeEach(() => {
  warn = vi.spyOn(console, "warn").mockImplementation(() => {});
});
afterEach(async () => {
  vi.restoreAllMocks();
  await clearFaults(stack);
});

const app = testApp((app) => {
  app.get("/v1/test/query", async (c) => {
    await c.var.services.db.http.execute(sql`select ${PARAMETER}::text as email, ${sql.raw(`'${LITERAL}'`)} as note, 4242 as answer`);
    return c.json({});
  });
  app.get("/v1/test/batch", async (c) => {
    const { http } = c.var.services.db;
    await http.batch([http.execute(sql`select ${PARAMETER}::text as email`), http.execute(sql`select 2 as two`)]);
    return c.json({});
  });
});

const get = (path: string) => call(app, path, { headers: { "X-Request-Id": "slow-1" } }, { ...workerBindings(stack), SLOW_QUERY_MS: String(SLOW_QUERY_MS) });

const slowLines = () =>
  warn.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>).filter((line) => line.msg === "slow query");

describe("slow-query log", () => {
  it("logs a query slower than SLOW_QUERY_MS once, with its duration and statement and without any value", async () => {
    await setFault("neonHttp", { latencyMs: LATENCY_MS }, stack);
    expect((await get("/v1/test/query")).status).toBe(200);

    const lines = slowLines();
    expect(lines).toEqual([
      expect.objectContaining({
        level: "warn",
        requestId: "slow-1",
        thresholdMs: SLOW_QUERY_MS,
        failed: false,
        statements: ["select $1::text as email, ? as note, ? as answer"],
      }),
    ]);
    expect(lines[0]!.durationMs).toBeGreaterThanOrEqual(LATENCY_MS);
    const logged = JSON.stringify(warn.mock.calls);
    expect(logged).not.toContain(PARAMETER);
    expect(logged).not.toContain(LITERAL);
    expect(logged).not.toContain("4242");
  });

  it("logs a slow batch as one line naming each statement", async () => {
    await setFault("neonHttp", { latencyMs: LATENCY_MS }, stack);
    expect((await get("/v1/test/batch")).status).toBe(200);
    expect(slowLines()).toEqual([expect.objectContaining({ statements: ["select $1::text as email", "select ? as two"] })]);
    expect(JSON.stringify(warn.mock.calls)).not.toContain(PARAMETER);
  });

  it("logs nothing for a query under the threshold", async () => {
    expect((await get("/v1/test/query")).status).toBe(200);
    expect(slowLines()).toEqual([]);
  });
});
