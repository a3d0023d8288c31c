import { SELF } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { workspaces } from "../../src/db/schema";
import { call, testApp, url } from "../helpers/app";
import { testKey } from "../helpers/redis-keys";

let log: MockInstance<typeof console.log>;
let error: MockInstance<typeof console.error>;

beforeEach(() => {
  log = vi.spyOn(console, "log").mockImplementation(() => {});
  error = vi.spyOn(console, "error").mockImplementation(() => {});
});
afterEach(() => vi.restoreAllMocks());

const requestLines = () =>
  log.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>).filter((line) => line.msg === "request");

describe("request log", () => {
  it("writes one JSON line per request with method, route, path, status, duration and ids, its span's among them", async () => {
    const response = await SELF.fetch(url("/health"), { headers: { "X-Request-Id": "log-1", traceparent: `00-${"a".repeat(32)}-${"b".repeat(16)}-01` } });
    expect(response.status).toBe(200);
    const spanId = response.headers.get("traceparent")!.split("-")[2];

    expect(requestLines()).toEqual([
      {
        level: "info",
        msg: "request",
        method: "GET",
        route: "/health",
        path: "/health",
        status: 200,
        durationMs: expect.any(Number),
        requestId: "log-1",
        traceId: "a".repeat(32),
        spanId,
        parentSpanId: "b".repeat(16),
      },
    ]);
  });

  it("logs the route pattern, not the concrete path", async () => {
    const app = testApp((app) => app.get("/v1/test/things/:id", (c) => c.json({ id: c.req.param("id") })));
    await call(app, "/v1/test/things/42");
    expect(requestLines()).toEqual([expect.objectContaining({ route: "/v1/test/things/:id", path: "/v1/test/things/42", status: 200 })]);
  });

  it("logs client errors as warn with no route when nothing matched", async () => {
    await SELF.fetch(url("/v1/missing"), { headers: { "X-Request-Id": "log-404" } });
    expect(requestLines()).toEqual([expect.objectContaining({ level: "warn", status: 404, route: null, requestId: "log-404" })]);
  });

  it("logs server errors as error, and the failure itself on console.error with the same request id", async () => {
    const app = testApp((app) => app.get("/v1/test/crash", () => { throw new TypeError("secret internal detail"); }));
    await call(app, "/v1/test/crash", { headers: { "X-Request-Id": "log-500" } });
    expect(requestLines()).toEqual([expect.objectContaining({ level: "error", status: 500, requestId: "log-500" })]);
    const failure = JSON.parse(String(error.mock.calls[0]?.[0]));
    expect(failure).toMatchObject({ level: "error", requestId: "log-500", error: { name: "TypeError", message: "secret internal detail" } });
  });

  it("includes the user id once authentication has set one", async () => {
    const app = testApp((app) => {
      app.use("/v1/test/me", async (c, next) => {
        c.set("userId", "usr_123");
        await next();
      });
      app.get("/v1/test/me", (c) => c.json({}));
    });
    await call(app, "/v1/test/me");
    expect(requestLines()).toEqual([expect.objectContaining({ userId: "usr_123", route: "/v1/test/me" })]);
  });

  it("never logs the value of a secret path parameter, nor a credential-like segment of an unknown path", async () => {
    const token = "pt_" + "Zm9yZ290LXBhc3N3b3JkLXRva2VuLXZhbHVlLTAxMjM0NTY3".repeat(1);
    const app = testApp((app) => app.get("/v1/test/reset/:token", (c) => c.json({})));
    await call(app, `/v1/test/reset/${token}`);
    await call(app, `/v1/test/unknown/${token}`);
    expect(JSON.stringify(log.mock.calls)).not.toContain(token);
    expect(requestLines().map((line) => line.path)).toEqual(["/v1/test/reset/:token", "/v1/test/unknown/[redacted]"]);
  });

  it("logs a failed Redis command without its key or field", async () => {
    const key = testKey("logger");
    const app = testApp((app) =>
      app.get("/v1/test/redis", async (c) => {
        const redis = c.var.services.redis!;
        await redis.set(key, "plain string", { ex: 60 });
        return c.json(await redis.hget(key, "secret-field"));
      }),
    );
    expect((await call(app, "/v1/test/redis")).status).toBe(500);
    const logged = JSON.stringify(error.mock.calls);
    expect(logged).toContain("WRONGTYPE");
    expect(logged).not.toContain(key);
    expect(logged).not.toContain("secret-field");
  });

  it("logs a failed query without its parameters", async () => {
    const slug = `s-${crypto.randomUUID().slice(0, 8)}`;
    const app = testApp((app) =>
      app.get("/v1/test/insert", async (c) => {
        const row = { id: `ws_${crypto.randomUUID().replaceAll("-", "")}`, name: "hunter2-name", slug };
        await c.var.services.db.http.insert(workspaces).values([row, { ...row, id: `${row.id}x` }]);
        return c.json({});
      }),
    );
    expect((await call(app, "/v1/test/insert")).status).toBe(500);
    const logged = JSON.stringify(error.mock.calls);
    expect(logged).toContain("23505");
    expect(logged).not.toContain(slug);
    expect(logged).not.toContain("hunter2-name");
  });

  it("respects LOG_LEVEL", async () => {
    const app = testApp();
    await call(app, "/v1/openapi.json", undefined, { LOG_LEVEL: "warn" });
    await call(app, "/v1/missing", undefined, { LOG_LEVEL: "warn" });
    expect(requestLines().map((line) => line.status)).toEqual([404]);
  });
});
