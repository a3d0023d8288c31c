import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { workerBindings } from "../../dev/stack-info.ts";
import { workspaces } from "../../src/db/schema";
import { call, testApp } from "../helpers/app";
import { expectProblem } from "../helpers/problem";
import { clearFaults, faultStack, setFault } from "../helpers/stack";

const stack = faultStack("timeouts");
const TIMEOUT_MS = 300;
/** Far longer than the bound: a request that waits for it has not been bounded. */
const STALL_MS = 20_000;

/**
 * The app with this file's routes: a new one per test, i.e. a new isolate, so the failures of one
 * test do not open the database circuit breaker for the next (test/app/breakers.test.ts covers it).
 */
const appWithRoutes = () => testApp((app) => {
  app.get("/v1/test/query", async (c) => c.json((await c.var.services.db.http.execute(sql`select 1 as one`)).rows));
  app.get("/v1/test/batch", async (c) => {
    const { http } = c.var.services.db;
    await http.batch([http.execute(sql`select 1`), http.execute(sql`select 2`)]);
    return c.json({});
  });
  app.get("/v1/test/transaction", async (c) =>
    c.json((await c.var.services.db.transaction(async (tx) => tx.execute(sql`select 1 as one`))).rows),
  );
  app.get("/v1/test/slow-statement", async (c) =>
    c.json(await c.var.services.db.transaction(async (tx) => tx.execute(sql`select pg_sleep(20)`))),
  );
  app.get("/v1/test/duplicate", async (c) => {
    const row = { id: `ws_${crypto.randomUUID().replaceAll("-", "")}`, name: "Twice", slug: `t-${crypto.randomUUID().slice(0, 8)}` };
    await c.var.services.db.http.insert(workspaces).values([row, { ...row, id: `${row.id}x` }]);
    return c.json({});
  });
});

let app: ReturnType<typeof appWithRoutes>;

/** The app bound to this file's fault stack, with a short database timeout. */
function get(path: string): Promise<Response> {
  return call(app, path, undefined, { ...workerBindings(stack), DATABASE_TIMEOUT_MS: String(TIMEOUT_MS) });
}

/** Answers within a fraction of the injected stall, or the bound did not hold. */
async function timed(path: string): Promise<{ response: Response; elapsedMs: number }> {
  const started = Date.now();
  const response = await get(path);
  return { response, elapsedMs: Date.now() - started };
}

beforeEach(() => {
  app = appWithRoutes();
  vi.spyOn(console, "error").mockImplementation(() => {});
  vi.spyOn(console, "warn").mockImplementation(() => {});
});
afterEach(async () => {
  vi.restoreAllMocks();
  await clearFaults(stack);
});

describe("database timeouts", () => {
  it("answers a stalled query with 503 and Retry-After within the bound", async () => {
    await setFault("neonHttp", { latencyMs: STALL_MS }, stack);
    const { response, elapsedMs } = await timed("/v1/test/query");
    const problem = await expectProblem(response, { status: 503, code: "SERVICE_UNAVAILABLE" });
    expect(response.headers.get("Retry-After")).toBe("5");
    expect(problem.detail).not.toMatch(/database|neon|timed out/i);
    expect(elapsedMs).toBeLessThan(STALL_MS / 4);
  });

  it("answers a stalled batch with 503 within the bound", async () => {
    await setFault("neonHttp", { latencyMs: STALL_MS }, stack);
    const { response, elapsedMs } = await timed("/v1/test/batch");
    await expectProblem(response, { status: 503, code: "SERVICE_UNAVAILABLE" });
    expect(elapsedMs).toBeLessThan(STALL_MS / 4);
  });

  it("answers 503 when the database endpoint drops the connection", async () => {
    await setFault("neonHttp", { drop: true }, stack);
    await expectProblem(await get("/v1/test/query"), { status: 503, code: "SERVICE_UNAVAILABLE" });
  });

  it("answers 503 when the database endpoint fails with a server error", async () => {
    await setFault("neonHttp", { errorStatus: 502 }, stack);
    await expectProblem(await get("/v1/test/query"), { status: 503, code: "SERVICE_UNAVAILABLE" });
  });

  it("bounds an interactive transaction whose connection stalls", async () => {
    await setFault("neonWs", { latencyMs: STALL_MS }, stack);
    const { response, elapsedMs } = await timed("/v1/test/transaction");
    await expectProblem(response, { status: 503, code: "SERVICE_UNAVAILABLE" });
    expect(elapsedMs).toBeLessThan(STALL_MS / 4);
  });

  it("bounds a statement that runs too long inside a transaction", async () => {
    const { response, elapsedMs } = await timed("/v1/test/slow-statement");
    await expectProblem(response, { status: 503, code: "SERVICE_UNAVAILABLE" });
    expect(elapsedMs).toBeLessThan(STALL_MS / 4);
  });

  it("still answers queries once the database is back", async () => {
    await setFault("neonHttp", { latencyMs: STALL_MS }, stack);
    expect((await get("/v1/test/query")).status).toBe(503);
    await clearFaults(stack);
    expect(await (await get("/v1/test/query")).json()).toEqual([{ one: 1 }]);
    expect(await (await get("/v1/test/transaction")).json()).toEqual([{ one: 1 }]);
  });

  it("keeps a failing statement a 500, not a 503", async () => {
    await expectProblem(await get("/v1/test/duplicate"), { status: 500, code: "INTERNAL_ERROR" });
  });
});
