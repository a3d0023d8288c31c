import { SELF } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { call, testApp, url } from "../helpers/app";

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
  it("writes one JSON line per request with method, route, path, status, duration and ids", async () => {
    const response = await SELF.fetch(url("/health"), { headers: { "X-Request-Id": "log-1", traceparent: `00-${"a".repeat(32)}-${"b".repeat(16)}-01` } });
    expect(response.status).toBe(200);

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

  it("respects LOG_LEVEL", async () => {
    const app = testApp();
    await call(app, "/v1/openapi.json", undefined, { LOG_LEVEL: "warn" });
    await call(app, "/v1/missing", undefined, { LOG_LEVEL: "warn" });
    expect(requestLines().map((line) => line.status)).toEqual([404]);
  });
});
