import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call, testApp, url } from "../helpers/app";

const ALLOWED = "https://app.example.com";
const OTHER = "https://evil.example.net";
const app = testApp((app) => app.post("/v1/test/items", (c) => c.json({ ok: true }, 201)));
const bindings = { CORS_ORIGINS: `${ALLOWED}, https://admin.example.com` };

describe("CORS", () => {
  it("echoes an allowed origin with credentials and exposes X-Request-Id", async () => {
    const api = await call(app, "/v1/openapi.json", { headers: { Origin: ALLOWED } }, bindings);
    expect(api.headers.get("Access-Control-Allow-Origin")).toBe(ALLOWED);
    expect(api.headers.get("Access-Control-Allow-Credentials")).toBe("true");
    expect(api.headers.get("Access-Control-Expose-Headers")).toContain("X-Request-Id");
    expect(api.headers.get("Vary")).toContain("Origin");
  });

  it("gives a disallowed origin no CORS headers at all", async () => {
    const response = await call(app, "/v1/openapi.json", { headers: { Origin: OTHER } }, bindings);
    expect(response.status).toBe(200);
    const cors = [...response.headers.keys()].filter((name) => name.startsWith("access-control-"));
    expect(cors).toEqual([]);
    expect(response.headers.get("Vary")).toContain("Origin");
  });

  it("answers a preflight from an allowed origin", async () => {
    const response = await call(
      app,
      "/v1/test/items",
      { method: "OPTIONS", headers: { Origin: ALLOWED, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type, x-request-id" } },
      bindings,
    );
    expect(response.status).toBe(204);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe(ALLOWED);
    expect(response.headers.get("Access-Control-Allow-Methods")).toContain("POST");
    expect(response.headers.get("Access-Control-Allow-Headers")?.toLowerCase()).toContain("content-type");
    expect(response.headers.get("Access-Control-Allow-Credentials")).toBe("true");
    expect(response.headers.get("Access-Control-Max-Age")).toBe("600");
  });

  it("answers a preflight from a disallowed origin without granting anything", async () => {
    const response = await call(app, "/v1/test/items", { method: "OPTIONS", headers: { Origin: OTHER, "Access-Control-Request-Method": "POST" } }, bindings);
    expect(response.status).toBe(204);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBeNull();
    expect(response.headers.get("Access-Control-Allow-Methods")).toBeNull();
  });

  it("adds CORS headers to error responses for allowed origins, so browsers can read the problem", async () => {
    const response = await call(app, "/v1/missing", { headers: { Origin: ALLOWED } }, bindings);
    expect(response.status).toBe(404);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe(ALLOWED);
  });

  it("uses the Worker's own CORS_ORIGINS allowlist", async () => {
    const [origin] = String(env.CORS_ORIGINS).split(",").map((item) => item.trim());
    const allowed = await SELF.fetch(url("/v1/openapi.json"), { headers: { Origin: origin! } });
    expect(allowed.headers.get("Access-Control-Allow-Origin")).toBe(origin);
    const other = await SELF.fetch(url("/v1/openapi.json"), { headers: { Origin: OTHER } });
    expect(other.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });
});
