import { SELF } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { workerBindings } from "../../dev/stack-info.ts";
import { call, testApp } from "../helpers/app";
import { expectProblem } from "../helpers/problem";
import { clearFaults, faultStack, setFault } from "../helpers/stack";

const stack = faultStack("ready");

/** GET /ready of the app bound to this file's fault stack. */
function readyOnFaultStack() {
  const app = testApp();
  return (init?: RequestInit) => call(app, "/ready", init, workerBindings(stack));
}

describe("GET /ready", () => {
  afterEach(() => clearFaults(stack));

  it("answers 200 when PostgreSQL and Redis answer", async () => {
    const response = await SELF.fetch("http://api.test/ready");
    expect(response.status).toBe(200);
    const body = await response.json<{ status: string; checks: Array<{ name: string; ok: boolean }> }>();
    expect(body.status).toBe("ready");
    expect(body.checks.map(({ name, ok }) => ({ name, ok }))).toEqual(
      expect.arrayContaining([
        { name: "database", ok: true },
        { name: "redis", ok: true },
      ]),
    );
  });

  it("checks only the database when Redis is not configured, and is ready without it", async () => {
    const response = await call(testApp(), "/ready", {}, { UPSTASH_REDIS_REST_URL: undefined, UPSTASH_REDIS_REST_TOKEN: undefined });
    expect(response.status).toBe(200);
    const body = await response.json<{ checks: Array<{ name: string }> }>();
    expect(body.checks.map((check) => check.name)).toEqual(["database"]);
  });

  it("answers 503 naming the database while PostgreSQL is unreachable, and 200 once it returns", async () => {
    const ready = readyOnFaultStack();
    await setFault("neonHttp", { drop: true }, stack);

    const problem = await expectProblem(await ready({ headers: { "accept-language": "en" } }), { status: 503, code: "SERVICE_UNAVAILABLE" });
    expect(problem.detail).toContain("database");
    expect(problem.detail).not.toContain("redis");

    await clearFaults(stack);
    expect((await ready()).status).toBe(200);
  });

  it("answers 503 naming Redis while the Upstash endpoint fails", async () => {
    const ready = readyOnFaultStack();
    await setFault("upstash", { errorStatus: 500 }, stack);
    const problem = await expectProblem(await ready(), { status: 503, code: "SERVICE_UNAVAILABLE" });
    expect(problem.detail).toContain("redis");
    expect(problem.detail).not.toContain("database");
  });

  it("answers 503 when the database is slower than the readiness timeout", async () => {
    const ready = readyOnFaultStack();
    await setFault("neonHttp", { latencyMs: 5000 }, stack);
    const problem = await expectProblem(await ready(), { status: 503, code: "SERVICE_UNAVAILABLE" });
    expect(problem.detail).toContain("database");
  });
});
