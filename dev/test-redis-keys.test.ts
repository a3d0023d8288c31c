import { afterEach, describe, expect, it } from "vitest";
import { createTestKeyPrefix, deleteKeysUnder } from "./test-redis-keys.ts";
import { parseRedisUrl, RedisConnection } from "./upstash/resp-client.ts";
import { TEST_REDIS_URL } from "./test-services.ts";

const opened: RedisConnection[] = [];
const prefixes: Array<{ clean(): Promise<number> }> = [];
afterEach(async () => {
  // Even when a test failed half-way, it leaves no key behind.
  await Promise.allSettled(prefixes.splice(0).map((prefix) => prefix.clean()));
  for (const connection of opened.splice(0)) connection.destroy();
});

function prefix() {
  const created = createTestKeyPrefix(TEST_REDIS_URL);
  prefixes.push(created);
  return created;
}

async function redis(): Promise<RedisConnection> {
  const connection = await RedisConnection.open(parseRedisUrl(TEST_REDIS_URL), () => {});
  opened.push(connection);
  return connection;
}

describe("a test run's Redis keys", () => {
  it("get a prefix of their own per run", () => {
    const [first, second] = [prefix(), prefix()];
    expect(first.prefix).toMatch(/^test:[\w]+:$/);
    expect(second.prefix).not.toBe(first.prefix);
  });

  it("are all deleted, over several SCAN pages, and no key of another run is", async () => {
    const connection = await redis();
    const run = prefix();
    const other = prefix();
    const keys = Array.from({ length: 2500 }, (_, index) => `${run.prefix}key:${index}`);
    await connection.exec([["MSET", ...keys.flatMap((key) => [key, "v"])], ["SET", `${other.prefix}kept`, "v"]]);

    expect(await run.clean()).toBe(2500);
    expect(await connection.exec([["EXISTS", ...keys]])).toEqual([0]);
    expect(await connection.exec([["EXISTS", `${other.prefix}kept`]])).toEqual([1]);
    expect(await other.clean()).toBe(1);
  });

  it("refuses a prefix that would match other keys as a glob", async () => {
    await expect(deleteKeysUnder(TEST_REDIS_URL, "test:*")).rejects.toThrow(/glob/);
  });
});
