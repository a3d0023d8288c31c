import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call, testApp, url } from "../helpers/app";

/** Headers that only guard HTML documents: a JSON API has no use for them (see secure-headers.ts). */
const DOCUMENT_ONLY_HEADERS = [
  "Referrer-Policy",
  "Permissions-Policy",
  "Cross-Origin-Opener-Policy",
  "Origin-Agent-Cluster",
  "X-XSS-Protection",
  "X-DNS-Prefetch-Control",
  "X-Download-Options",
  "X-Permitted-Cross-Domain-Policies",
];

describe("secure headers", () => {
  it.each(["/health", "/v1/openapi.json", "/v1/missing"])("sets the security headers OWASP asks of every API response on %s", async (path) => {
    const response = await SELF.fetch(url(path));
    expect(response.headers.get("Content-Security-Policy")).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(response.headers.get("X-Frame-Options")).toBe("DENY");
    expect(response.headers.get("Strict-Transport-Security")).toContain("max-age=");
    // The OpenAPI document is public and says so itself (see public-cache.test.ts); the others may not be stored.
    expect(response.headers.get("Cache-Control")).toBe(path === "/v1/openapi.json" ? "public, max-age=300" : "no-store");
    expect(response.headers.get("Content-Type")).toMatch(/^application\/(problem\+)?json/);
    expect(response.headers.get("X-Powered-By")).toBeNull();
  });

  it.each(["/health", "/v1/missing"])("sends none of the headers that only guard HTML documents on %s", async (path) => {
    const response = await SELF.fetch(url(path));
    for (const name of DOCUMENT_ONLY_HEADERS) expect(response.headers.get(name), name).toBeNull();
  });

  it("marks errors as not cacheable", async () => {
    expect((await SELF.fetch(url("/v1/missing"))).headers.get("Cache-Control")).toBe("no-store");
  });

  it("keeps the Cache-Control a route sets for itself, and sets the others anyway", async () => {
    const app = testApp((app) => app.get("/v1/test/cacheable", (c) => c.json({}, 200, { "Cache-Control": "public, max-age=60" })));
    const response = await call(app, "/v1/test/cacheable");
    expect(response.headers.get("Cache-Control")).toBe("public, max-age=60");
    expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
  });

  it("sets them on a response the handler built itself", async () => {
    const app = testApp((app) => app.get("/v1/test/raw", () => new Response("{}", { headers: { "Content-Type": "application/json" } })));
    const response = await call(app, "/v1/test/raw");
    expect(response.headers.get("X-Frame-Options")).toBe("DENY");
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    expect(response.headers.get("X-Request-Id")).toBeTruthy();
  });
});
