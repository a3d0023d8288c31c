import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { loadConfig } from "../../src/env";
import { DEFAULT_RATE_LIMITS, RateLimitsSettingSchema } from "../../src/lib/rate-limit-settings";
import { call, testApp } from "../helpers/app";
import { expectProblem } from "../helpers/problem";
import { testConfig } from "../helpers/identity";

const parse = (value: unknown) => RateLimitsSettingSchema.safeParse(value);

describe("RATE_LIMITS", () => {
  it.each([undefined, ""])("is the defaults when unset (%o)", (value) => {
    expect(parse(value)).toEqual({ success: true, data: DEFAULT_RATE_LIMITS });
  });

  it("keeps the defaults of whatever a partial setting leaves out", () => {
    const policy = { algorithm: "fixed-window", limit: 100, windowMs: 60_000 };
    const parsed = parse(JSON.stringify({ api: { policy } }));
    expect(parsed.data).toEqual({ ...DEFAULT_RATE_LIMITS, api: { ...DEFAULT_RATE_LIMITS.api, policy } });
  });

  it("takes a table from wrangler.toml as it arrives, an object", () => {
    expect(parse({ keyPrefix: "rl:staging" }).data).toEqual({ ...DEFAULT_RATE_LIMITS, keyPrefix: "rl:staging" });
  });

  it("may turn the api and workspace groups off, never the auth group", () => {
    expect(parse('{"api":"off"}').data?.api).toBe("off");
    expect(parse('{"workspace":"off"}').data?.workspace).toBe("off");
    expect(parse('{"auth":"off"}').success).toBe(false);
  });

  it.each([
    ["text that is not JSON", "{api: 1}"],
    ["an unknown group", '{"admin":{}}'],
    ["an unknown member of a group", '{"api":{"limit":5}}'],
    ["an invalid policy", '{"api":{"policy":{"algorithm":"fixed-window","limit":0,"windowMs":1000}}}'],
    ["a cost the policy could never allow", '{"api":{"policy":{"algorithm":"fixed-window","limit":3,"windowMs":1000}}}'],
    ["a cost of zero", '{"api":{"cost":{"read":0,"write":1}}}'],
    ["a timeout over 5 s", '{"api":{"timeoutMs":60000}}'],
    ["a key prefix with a glob character", '{"keyPrefix":"rl*"}'],
  ])("refuses %s", (_, value) => {
    expect(parse(value).success).toBe(false);
  });

  it("is part of the configuration: a broken value is a 500 naming RATE_LIMITS, never its value", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    expect(testConfig().RATE_LIMITS.api).not.toBe("off");
    expect(loadConfig({ ...env, RATE_LIMITS: "{secret-ish" })).toEqual({ ok: false, settings: ["RATE_LIMITS"] });
    const app = testApp((app) => app.get("/v1/test/ok", (c) => c.json({ ok: true })));
    const problem = await expectProblem(await call(app, "/v1/test/ok", undefined, { RATE_LIMITS: "{secret-ish" }), { status: 500, code: "CONFIGURATION_ERROR" });
    expect(problem.detail).toContain("RATE_LIMITS");
    expect(JSON.stringify(errors.mock.calls)).not.toContain("secret-ish");
    errors.mockRestore();
  });
});
