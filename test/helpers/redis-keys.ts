import { inject } from "vitest";

/**
 * A Redis key no other test or run shares, under this run's prefix: the test stacks delete every
 * key under it when they close, so tests leave nothing in the machine's Redis.
 * @example await redis.set(testKey("session"), "value")
 */
export function testKey(name: string): string {
  return `${inject("redisKeyPrefix")}${name}:${crypto.randomUUID()}`;
}
