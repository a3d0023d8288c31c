import { env, SELF } from "cloudflare:test";
import { afterEach, describe, expect, inject, it } from "vitest";
import { createApp } from "../../src/app";
import { expectProblem } from "../helpers/problem";
import { clearFaults, setFault } from "../helpers/stack";

/** The app bound to the fault stack, whose faults no other test file sees. */
function appOnFaultStack() {
  const stack = inject("faultStack");
  const faultEnv = {
    ...env,
    DATABASE_URL: stack.databaseUrl,
    NEON_HTTP_ENDPOINT: stack.neonHttpUrl,
    NEON_WS_PROXY: stack.neonWsProxy,
    UPSTASH_REDIS_REST_URL: stack.upstashUrl!,
    UPSTASH_REDIS_REST_TOKEN: stack.upstashToken!,
  };
  const app = createApp();
  return (init?: RequestInit) => app.request("/ready", init, faultEnv);
}

describe("GET /ready", () => {
  afterEach(() => clearFaults(inject("faultStack")));

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
    const app = createApp();
    const response = await app.request("/ready", {}, { ...env, UPSTASH_REDIS_REST_URL: undefined, UPSTASH_REDIS_REST_TOKEN: undefined });
    expect(response.status).toBe(200);
    const body = await response.json<{ checks: Array<{ name: string }> }>();
    expect(body.checks.map((check) => check.name)).toEqual(["database"]);
  });

  it("answers 503 naming the database while PostgreSQL is unreachable, and 200 once it returns", async () => {
    const ready = appOnFaultStack();
    await setFault("neonHttp", { drop: true }, inject("faultStack"));

    const problem = await expectProblem(await ready({ headers: { "accept-language": "en" } }), { status: 503, code: "SERVICE_UNAVAILABLE" });
    expect(problem.detail).toContain("database");
    expect(problem.detail).not.toContain("redis");

    await clearFaults(inject("faultStack"));
    expect((await ready()).status).toBe(200);
  });

  it("answers 503 naming Redis while the Upstash endpoint fails", async () => {
    const ready = appOnFaultStack();
    await setFault("upstash", { errorStatus: 500 }, inject("faultStack"));
    const problem = await expectProblem(await ready(), { status: 503, code: "SERVICE_UNAVAILABLE" });
    expect(problem.detail).toContain("redis");
    expect(problem.detail).not.toContain("database");
  });

  it("answers 503 when the database is slower than the readiness timeout", async () => {
    const ready = appOnFaultStack();
    await setFault("neonHttp", { latencyMs: 5000 }, inject("faultStack"));
    const problem = await expectProblem(await ready(), { status: 503, code: "SERVICE_UNAVAILABLE" });
    expect(problem.detail).toContain("database");
  });
});
