import { SELF } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { workerBindings } from "../../dev/stack-info.ts";
import { createApp } from "../../src/app";
import { READINESS_CACHE_MS } from "../../src/services/readiness";
import { call } from "../helpers/app";
import { expectProblem } from "../helpers/problem";
import { clearFaults, faultStack, setFault } from "../helpers/stack";

const stack = faultStack("ready");

/** A clock the test moves by hand. */
function manualClock(start = Date.UTC(2026, 10, 30)) {
  let now = start;
  return { clock: () => now, advance: (ms: number) => (now += ms) };
}

/** The app bound to this file's fault stack, whose faults no other test file sees, on a manual clock. */
function appOnFaultStack() {
  const time = manualClock();
  const app = createApp({ clock: time.clock });
  return { ready: (init?: RequestInit) => call(app, "/ready", init, workerBindings(stack)), advance: time.advance };
}

let warn: MockInstance<typeof console.warn>;
const warnings = () => warn.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>);

beforeEach(() => {
  warn = vi.spyOn(console, "warn").mockImplementation(() => {});
});
afterEach(async () => {
  vi.restoreAllMocks();
  await clearFaults(stack);
});

describe("GET /ready", () => {
  it("answers 200 with nothing but its status when PostgreSQL and Redis answer", async () => {
    const response = await SELF.fetch("http://api.test/ready");
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    expect(await response.json()).toEqual({ status: "ready" });
  });

  it("is ready without Redis when Redis is not configured", async () => {
    const response = await call(createApp(), "/ready", {}, { UPSTASH_REDIS_REST_URL: undefined, UPSTASH_REDIS_REST_TOKEN: undefined });
    expect(response.status).toBe(200);
  });

  it("answers 503 naming nothing internal while PostgreSQL is unreachable, logs which, and 200 once it returns", async () => {
    const { ready, advance } = appOnFaultStack();
    await setFault("neonHttp", { drop: true }, stack);

    const response = await ready({ headers: { "accept-language": "en" } });
    const problem = await expectProblem(response, { status: 503, code: "SERVICE_UNAVAILABLE" });
    expect(response.headers.get("Retry-After")).toBe("5");
    expect(JSON.stringify(problem)).not.toMatch(/database|redis|latency|checks/i);
    expect(warnings()).toEqual([expect.objectContaining({ msg: "not ready", failing: ["database"] })]);

    await clearFaults(stack);
    advance(READINESS_CACHE_MS);
    expect((await ready()).status).toBe(200);
  });

  it("answers 503 and logs Redis while the Upstash endpoint fails", async () => {
    const { ready } = appOnFaultStack();
    await setFault("upstash", { errorStatus: 500 }, stack);
    await expectProblem(await ready(), { status: 503, code: "SERVICE_UNAVAILABLE" });
    expect(warnings()).toEqual([expect.objectContaining({ msg: "not ready", failing: ["redis"] })]);
  });

  it("answers 503 when the database is slower than the readiness timeout", async () => {
    const { ready } = appOnFaultStack();
    await setFault("neonHttp", { latencyMs: 5000 }, stack);
    await expectProblem(await ready(), { status: 503, code: "SERVICE_UNAVAILABLE" });
    expect(warnings()).toEqual([expect.objectContaining({ failing: ["database"] })]);
  });

  it("reuses its result for a few seconds, so calling it in a loop cannot load the database", async () => {
    const { ready, advance } = appOnFaultStack();
    expect((await ready()).status).toBe(200);

    await setFault("neonHttp", { drop: true }, stack);
    advance(READINESS_CACHE_MS - 1);
    expect((await ready()).status).toBe(200);

    advance(1);
    expect((await ready()).status).toBe(503);
    expect((await ready()).status).toBe(503);
    expect(warnings()).toHaveLength(1);
  });
});
