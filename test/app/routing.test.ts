import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { testApp, call, url } from "../helpers/app";
import { expectProblem } from "../helpers/problem";

describe("unknown routes and wrong methods", () => {
  it("answers 404 NOT_FOUND for a path no route has", async () => {
    const problem = await expectProblem(await SELF.fetch(url("/v1/nothing/here")), { status: 404, code: "NOT_FOUND" });
    expect(problem.instance).toBe("/v1/nothing/here");
  });

  it("answers 404 for API paths outside /v1", async () => {
    await expectProblem(await SELF.fetch(url("/openapi.json")), { status: 404, code: "NOT_FOUND" });
  });

  it("answers 405 with an Allow header when the path exists for another method", async () => {
    const response = await SELF.fetch(url("/v1/openapi.json"), { method: "POST", body: "{}", headers: { "Content-Type": "application/json" } });
    const problem = await expectProblem(response, { status: 405, code: "METHOD_NOT_ALLOWED" });
    expect(response.headers.get("Allow")).toBe("GET, HEAD");
    expect(problem.detail).toContain("POST");
    expect(problem.detail).toContain("GET, HEAD");
  });

  it("answers 405 rather than 415 or 413 when the method is wrong, whatever the body", async () => {
    const response = await SELF.fetch(url("/health"), { method: "PUT", body: "x".repeat(10), headers: { "Content-Type": "text/plain" } });
    await expectProblem(response, { status: 405, code: "METHOD_NOT_ALLOWED" });
  });

  it("lists every method a path has in Allow", async () => {
    const app = testApp((app) => {
      app.get("/v1/test/things/:id", (c) => c.json({}));
      app.patch("/v1/test/things/:id", (c) => c.json({}));
      app.delete("/v1/test/things/:id", (c) => c.body(null, 204));
    });
    const response = await call(app, "/v1/test/things/42", { method: "PUT" });
    await expectProblem(response, { status: 405, code: "METHOD_NOT_ALLOWED" });
    expect(response.headers.get("Allow")).toBe("GET, HEAD, PATCH, DELETE");
  });

  it("serves HEAD wherever GET is served", async () => {
    const response = await SELF.fetch(url("/health"), { method: "HEAD" });
    expect(response.status).toBe(200);
  });
});
