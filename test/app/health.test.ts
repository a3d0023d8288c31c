import { SELF } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { call, testApp, url } from "../helpers/app";

describe("GET /health", () => {
  it("answers 200 {status: ok}", async () => {
    const response = await SELF.fetch(url("/health"));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
    expect(response.headers.get("X-Request-Id")).toBeTruthy();
  });

  it("answers 200 even when the configuration is broken, because liveness touches nothing", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const response = await call(testApp(), "/health", undefined, { DATABASE_URL: undefined, APP_ENV: "nonsense" });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
    expect(errors).not.toHaveBeenCalled();
    errors.mockRestore();
  });
});
