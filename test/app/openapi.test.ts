import { SELF } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { API_VERSION } from "../../src/app";
import { call, testApp, url } from "../helpers/app";
import { openApiDocument } from "../helpers/openapi-document";

describe("GET /v1/openapi.json", () => {
  it("serves the OpenAPI 3.1 document generated from the route definitions", async () => {
    const response = await SELF.fetch(url("/v1/openapi.json"));
    expect(response.status).toBe(200);
    const document = await response.json<{ openapi: string; info: { title: string; version: string }; paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } }>();
    expect(document.openapi).toBe("3.1.0");
    expect(document.info).toEqual({ title: "Edge Backend API", version: API_VERSION });
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(["/health", "/ready"]));
    expect(document.components.schemas).toHaveProperty("Problem");
  });

  it("serves the same document again without rebuilding it", async () => {
    const app = testApp();
    const build = vi.spyOn(app, "getOpenAPI31Document");
    // A cookie keeps the requests away from the shared cache, which another test may have filled.
    const init = { headers: { Cookie: "session=x" } };
    const first = await (await call(app, "/v1/openapi.json", init)).text();
    const second = await (await call(app, "/v1/openapi.json", init)).text();
    expect(second).toBe(first);
    expect(build).toHaveBeenCalledTimes(1);
  });

  it("tags the document once, so a request the Cache API cannot answer does not hash the whole document again", async () => {
    const app = testApp();
    // A cookie keeps the request away from the shared cache: the handler answers every time.
    const init = { headers: { Cookie: "session=x" } };
    const first = await call(app, "/v1/openapi.json", init);
    await first.text();
    const digest = vi.spyOn(crypto.subtle, "digest");
    const second = await call(app, "/v1/openapi.json", init);
    await second.text();
    // The rate limit digests its short key on every request; the document is tens of kilobytes.
    const hashedSizes = digest.mock.calls.map(([, data]) => data.byteLength);
    expect(hashedSizes.filter((size) => size > 10_000)).toEqual([]);
    expect(second.headers.get("ETag")).toMatch(/^"[0-9a-f]{32}"$/);
    expect(second.headers.get("ETag")).toBe(first.headers.get("ETag"));

    const conditional = await call(app, "/v1/openapi.json", { headers: { ...init.headers, "If-None-Match": first.headers.get("ETag")! } });
    expect(conditional.status).toBe(304);
  });
});

/**
 * Routes the app serves that are not API operations: the document itself, the page that shows it,
 * and the outbox of development and test (refused elsewhere).
 */
const UNDOCUMENTED = ["GET /v1/openapi.json", "GET /docs", "GET /dev/outbox"];
/** Liveness answers before anything that could refuse it: it has no error to list. */
const NEVER_REFUSED = ["GET /health"];
const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"];

describe("the OpenAPI document against the app", () => {
  it("describes exactly the routes the app serves, but the document and its page", async () => {
    const app = testApp();
    const served = [...new Set(app.routes.filter((route) => route.method !== "ALL").map((route) => `${route.method} ${route.path}`))];
    const { document } = await openApiDocument();
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations)
        .filter((method) => METHODS.includes(method))
        .map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`),
    );
    expect(documented.sort()).toEqual(served.filter((route) => !UNDOCUMENTED.includes(route)).sort());
  });

  it("gives every operation its security and its error answers as problems", async () => {
    const { document } = await openApiDocument();
    const missing: string[] = [];
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const name = `${method.toUpperCase()} ${path}`;
        if (!Array.isArray(operation.security)) missing.push(`${name}: security`);
        const errors = Object.entries(operation.responses).filter(([status]) => Number(status) >= 400);
        if (errors.length === 0 && !NEVER_REFUSED.includes(name)) missing.push(`${name}: error responses`);
        for (const [status, response] of errors) {
          if (!response.content?.["application/problem+json"]) missing.push(`${name}: ${status} is not a problem`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});
