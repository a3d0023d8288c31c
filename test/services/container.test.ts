import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/env";
import { systemClock } from "../../src/lib/clock";
import { AppScope } from "../../src/services/app-scope";
import { createServices } from "../../src/services/container";

function config(overrides: Record<string, string | undefined> = {}) {
  const result = loadConfig({ ...env, ...overrides });
  if (!result.ok) throw new Error(`invalid test config: ${result.settings.join(", ")}`);
  return result.config;
}

describe("the services of a request", () => {
  it("builds each client once, on first use", () => {
    const services = createServices(config(), new AppScope(systemClock));
    expect(services.db).toBe(services.db);
    expect(services.redis).toBeDefined();
    expect(services.redis).toBe(services.redis);
  });

  it("has no Redis client when Upstash is not configured", () => {
    const services = createServices(config({ UPSTASH_REDIS_REST_URL: undefined, UPSTASH_REDIS_REST_TOKEN: undefined }), new AppScope(systemClock));
    expect(services.redis).toBeUndefined();
  });
});
