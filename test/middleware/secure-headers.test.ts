import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { url } from "../helpers/app";

describe("secure headers", () => {
  it.each(["/health", "/v1/openapi.json", "/v1/missing"])("sets API-appropriate security headers on %s", async (path) => {
    const response = await SELF.fetch(url(path));
    expect(response.headers.get("Content-Security-Policy")).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(response.headers.get("X-Frame-Options")).toBe("DENY");
    expect(response.headers.get("Strict-Transport-Security")).toContain("max-age=");
    expect(response.headers.get("Referrer-Policy")).toBe("no-referrer");
    expect(response.headers.get("X-Powered-By")).toBeNull();
  });

  it("marks errors as not cacheable", async () => {
    expect((await SELF.fetch(url("/v1/missing"))).headers.get("Cache-Control")).toBe("no-store");
  });
});
