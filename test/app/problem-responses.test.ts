import { SELF } from "cloudflare:test";
import { HTTPException } from "hono/http-exception";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../../src/lib/errors";
import { call, testApp, url } from "../helpers/app";
import { expectNoLeak, expectProblem } from "../helpers/problem";

/** Test-only endpoints: one per way a request can fail, all rendered by the app's one onError. */
const app = testApp((app) => {
  app.post("/v1/test/items", async (c) => c.json(await c.req.json(), 201));
  app.get("/v1/test/unauthorized", () => {
    throw new ApiError("UNAUTHORIZED", { headers: { "WWW-Authenticate": 'Bearer realm="api"' } });
  });
  app.get("/v1/test/forbidden", () => {
    throw new ApiError("FORBIDDEN");
  });
  app.get("/v1/test/rate-limited", () => {
    throw new ApiError("RATE_LIMITED", { detail: "rateLimited", params: { seconds: 30 }, retryAfter: 30 });
  });
  app.get("/v1/test/unavailable", () => {
    throw new ApiError("SERVICE_UNAVAILABLE", { retryAfter: 5 });
  });
  app.get("/v1/test/crash", () => {
    throw new Error("secret internal detail at db.ts:42");
  });
  app.get("/v1/test/hono-exception/:status", (c) => {
    throw new HTTPException(Number(c.req.param("status")) as 401, { message: "secret internal detail" });
  });
  app.get("/v1/test/extension-clash", () => {
    throw new ApiError("CONFLICT", { extensions: { status: 200, code: "OK", resource: "task" } });
  });
});

const json = (body: string, headers: Record<string, string> = {}): RequestInit => ({
  method: "POST",
  body,
  headers: { "Content-Type": "application/json", ...headers },
});

describe("problem+json for every error status", () => {
  const cases: Array<[status: number, code: string, respond: () => Promise<Response>]> = [
    [400, "MALFORMED_JSON", () => call(app, "/v1/test/items", json("{not json"))],
    [401, "UNAUTHORIZED", () => call(app, "/v1/test/unauthorized")],
    [403, "FORBIDDEN", () => call(app, "/v1/test/forbidden")],
    [404, "NOT_FOUND", () => SELF.fetch(url("/v1/no-such-thing"))],
    [405, "METHOD_NOT_ALLOWED", () => SELF.fetch(url("/v1/openapi.json"), { method: "DELETE" })],
    [413, "PAYLOAD_TOO_LARGE", () => call(app, "/v1/test/items", json(JSON.stringify({ pad: "x".repeat(2048) })), { MAX_BODY_BYTES: "1024" })],
    [415, "UNSUPPORTED_MEDIA_TYPE", () => call(app, "/v1/test/items", { method: "POST", body: "hello", headers: { "Content-Type": "text/plain" } })],
    [429, "RATE_LIMITED", () => call(app, "/v1/test/rate-limited")],
    [500, "INTERNAL_ERROR", () => call(app, "/v1/test/crash")],
    [503, "SERVICE_UNAVAILABLE", () => call(app, "/v1/test/unavailable")],
  ];

  it.each(cases)("answers %i as %s problem+json with the request id in header and body", async (status, code, respond) => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const problem = await expectProblem(await respond(), { status, code });
    expect(problem.title).not.toBe("");
    errors.mockRestore();
  });
});

describe("the error renderer", () => {
  it("names the request path as the problem instance", async () => {
    const problem = await expectProblem(await call(app, "/v1/test/forbidden?x=1"), { status: 403, code: "FORBIDDEN" });
    expect(problem.instance).toBe("/v1/test/forbidden");
  });

  it("sends Retry-After on 429 and 503 when the retry time is known", async () => {
    const limited = await call(app, "/v1/test/rate-limited");
    expect(limited.headers.get("Retry-After")).toBe("30");
    expect((await limited.json<{ detail: string }>()).detail).toContain("30 seconds");
    expect((await call(app, "/v1/test/unavailable")).headers.get("Retry-After")).toBe("5");
  });

  it("keeps headers an ApiError asks for, such as a 401's WWW-Authenticate", async () => {
    const response = await call(app, "/v1/test/unauthorized");
    expect(response.headers.get("WWW-Authenticate")).toBe('Bearer realm="api"');
  });

  it("answers an unexpected error with a 500 that reveals nothing and logs it with the request id", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const response = await call(app, "/v1/test/crash", { headers: { "X-Request-Id": "crash-1" } });
    await expectNoLeak(response);
    const problem = await expectProblem(response, { status: 500, code: "INTERNAL_ERROR" });
    expect(problem.requestId).toBe("crash-1");

    expect(errors).toHaveBeenCalledTimes(1);
    const logged = JSON.parse(String(errors.mock.calls[0]?.[0]));
    expect(logged).toMatchObject({ level: "error", requestId: "crash-1", error: { name: "Error", message: "secret internal detail at db.ts:42" } });
    expect(logged.error.frames).toEqual(expect.arrayContaining([expect.stringMatching(/^at /)]));
    errors.mockRestore();
  });

  it.each([
    [401, "UNAUTHORIZED"],
    [403, "FORBIDDEN"],
    [404, "NOT_FOUND"],
    [413, "PAYLOAD_TOO_LARGE"],
    [418, "BAD_REQUEST"],
    [429, "RATE_LIMITED"],
    [503, "SERVICE_UNAVAILABLE"],
  ])("maps Hono's HTTPException %i to %s without showing its message", async (status, code) => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    await expectProblem(await call(app, `/v1/test/hono-exception/${status}`), { status: code === "BAD_REQUEST" ? 400 : status, code });
    errors.mockRestore();
  });

  it("does not let problem extensions override the standard members", async () => {
    const problem = await expectProblem(await call(app, "/v1/test/extension-clash"), { status: 409, code: "CONFLICT" });
    expect(problem.resource).toBe("task");
  });

  it("keeps the security headers on error responses", async () => {
    const response = await SELF.fetch(url("/v1/no-such-thing"));
    expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(response.headers.get("Content-Security-Policy")).toContain("default-src 'none'");
  });
});
