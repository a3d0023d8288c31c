import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { loadConfig, type Config } from "../../src/env";
import { errors } from "@upstash/redis/cloudflare";
import { createRedis, isRedisFailure } from "../../src/lib/redis";
import { testKey } from "../helpers/redis-keys";

function config(overrides: Record<string, string | undefined> = {}): Config {
  const result = loadConfig({ ...env, ...overrides });
  if (!result.ok) throw new Error(`invalid test config: ${result.settings.join(", ")}`);
  return result.config;
}

describe("the Redis module", () => {
  it("builds no client when Upstash is not configured", () => {
    expect(createRedis(config({ UPSTASH_REDIS_REST_URL: undefined, UPSTASH_REDIS_REST_TOKEN: undefined }))).toBeUndefined();
  });

  it("reaches the configured Upstash endpoint", async () => {
    const redis = createRedis(config());
    expect(redis).toBeDefined();
    const key = testKey("redis-module");
    await redis!.set(key, "value", { ex: 60 });
    expect(await redis!.get(key)).toBe("value");
  });

  it("refuses a configuration with only one of the URL and the token", () => {
    const result = loadConfig({ ...env, UPSTASH_REDIS_REST_TOKEN: undefined });
    expect(result).toEqual({ ok: false, settings: ["UPSTASH_REDIS_REST_TOKEN"] });
  });

  it("counts every failed request against the breaker but NOSCRIPT, which the rate limiter answers by sending its script", () => {
    expect(isRedisFailure(new errors.UpstashError("NOSCRIPT No matching script. Please use EVAL., command was: …"))).toBe(false);
    expect(isRedisFailure(new errors.UpstashError("ERR internal error, command was: …"))).toBe(true);
    expect(isRedisFailure(new TypeError("Network connection lost."))).toBe(true);
  });
});
