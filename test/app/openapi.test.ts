import { SELF } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { API_VERSION } from "../../src/app";
import { call, testApp, url } from "../helpers/app";

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
    const first = await (await call(app, "/v1/openapi.json")).text();
    const second = await (await call(app, "/v1/openapi.json")).text();
    expect(second).toBe(first);
    expect(build).toHaveBeenCalledTimes(1);
  });
});
