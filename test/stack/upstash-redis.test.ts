import { describe, expect, it } from "vitest";
import { testKey } from "../helpers/redis-keys";
import { upstashClient } from "./upstash-setup";

describe("Upstash REST endpoint with @upstash/redis", () => {
  const redis = upstashClient();

  it("sets, gets, increments and reads several strings", async () => {
    const [a, b, counter] = [testKey("a"), testKey("b"), testKey("counter")];
    expect(await redis.set(a, "alpha")).toBe("OK");
    expect(await redis.get(a)).toBe("alpha");
    expect(await redis.incrby(counter, 5)).toBe(5);
    expect(await redis.incr(counter)).toBe(6);
    await redis.mset({ [b]: "beta" });
    expect(await redis.mget(a, b, testKey("missing"))).toEqual(["alpha", "beta", null]);
  });

  it("stores unicode and binary-safe values unchanged", async () => {
    const key = testKey("unicode");
    const value = "héllo wörld 😀 \u0000 end\r\n\"quoted\"";
    await redis.set(key, value);
    expect(await redis.get(key)).toBe(value);
    expect(await redis.strlen(key)).toBe(new TextEncoder().encode(value).length);
  });

  it("round-trips JSON values the SDK serialises", async () => {
    const key = testKey("json");
    await redis.set(key, { nested: { list: [1, "two", null] }, flag: true });
    expect(await redis.get(key)).toEqual({ nested: { list: [1, "two", null] }, flag: true });
  });

  it("works with hashes, keeping field order and values", async () => {
    const key = testKey("hash");
    expect(await redis.hset(key, { name: "Ada", visits: 1 })).toBe(2);
    expect(await redis.hincrby(key, "visits", 2)).toBe(3);
    expect(await redis.hgetall(key)).toEqual({ name: "Ada", visits: 3 });
    expect(await redis.hget(key, "missing")).toBeNull();
  });

  it("works with sets and sorted sets, scores included", async () => {
    const set = testKey("set");
    const zset = testKey("zset");
    expect(await redis.sadd(set, "x", "y", "x")).toBe(2);
    expect((await redis.smembers(set)).sort()).toEqual(["x", "y"]);
    expect(await redis.sismember(set, "z")).toBe(0);

    await redis.zadd(zset, { score: 2, member: "two" }, { score: 1.5, member: "one-and-a-half" });
    expect(await redis.zrange(zset, 0, -1, { withScores: true })).toEqual(["one-and-a-half", 1.5, "two", 2]);
    expect(await redis.zscore(zset, "two")).toBe(2);
    expect(await redis.zrange(zset, 1.6, 3, { byScore: true })).toEqual(["two"]);
  });

  it("expires keys", async () => {
    const key = testKey("expiring");
    await redis.set(key, "soon", { ex: 100 });
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(90);
    expect(ttl).toBeLessThanOrEqual(100);
    await redis.pexpire(key, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await redis.get(key)).toBeNull();
    expect(await redis.ttl(testKey("never-set"))).toBe(-2);
  });

  it("answers a pipeline with one entry per command, in order", async () => {
    const key = testKey("pipeline");
    const results = await redis.pipeline().set(key, 1).incr(key).get(key).del(key).exec();
    expect(results).toEqual(["OK", 2, 2, 1]);
  });

  it("runs multi-exec atomically", async () => {
    const key = testKey("multi");
    const results = await redis.multi().set(key, "v").append(key, "w").get(key).exec();
    expect(results).toEqual(["OK", 2, "vw"]);
  });

  it("raises Redis errors with Redis's message", async () => {
    const key = testKey("wrongtype");
    await redis.set(key, "text");
    await expect(redis.incr(key)).rejects.toThrow(/ERR value is not an integer/);
    await expect(redis.hget(key, "field")).rejects.toThrow(/WRONGTYPE/);
  });

  it("runs scripts, loading them by SHA-1 and answering NOSCRIPT for unknown ones", async () => {
    const key = testKey("script");
    const script = "return redis.call('INCRBY', KEYS[1], ARGV[1])";
    expect(await redis.eval(script, [key], ["3"])).toBe(3);
    const sha = await redis.scriptLoad(script);
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(await redis.evalsha(sha, [key], ["4"])).toBe(7);
    await expect(redis.evalsha("0".repeat(40), [key], [])).rejects.toThrow(/NOSCRIPT/);
  });
});
