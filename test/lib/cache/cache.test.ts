import { describe, expect, inject, it } from "vitest";
import { z } from "zod";
import { CacheState, createCache, familyKeys, type FillSettings } from "../../../src/lib/cache";
import type { ScriptRunner } from "../../../src/lib/cache/redis-tier";
import { createLogger } from "../../../src/lib/logger";
import { upstashClient } from "../../stack/upstash-setup";

const FILL: FillSettings = { lockMs: 5000, pollMs: 1, polls: 3 };

/** One isolate's cache on a hand-moved clock, over the run's Redis (or none), under a prefix of the test's own. */
function isolate(options: { redis?: ScriptRunner | null; prefix?: string; sleep?: () => Promise<void>; time?: { now: number } } = {}) {
  const time = options.time ?? { now: 1_000_000 };
  const lines: Array<Record<string, unknown>> = [];
  const state = new CacheState(() => time.now, FILL, options.sleep ?? (async () => {}));
  const kept: Promise<unknown>[] = [];
  const cache = createCache(state, {
    redis: options.redis === null ? undefined : (options.redis ?? upstashClient()),
    prefix: options.prefix ?? prefix(),
    keepAlive: (work) => kept.push(work),
    log: () => createLogger({ level: "debug", write: (_, line) => lines.push(JSON.parse(line) as Record<string, unknown>) }),
  });
  return { cache, state, time, lines, settled: () => Promise.all(kept) };
}

const prefix = () => `${inject("redisKeyPrefix")}cache-unit-${crypto.randomUUID()}:`;
const raw = () => upstashClient({ automaticDeserialization: false });

/** A load the test counts and, when asked, holds until it lets go. */
function loader<T>(value: T) {
  let release: () => void = () => {};
  let begin: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  /** Resolves when the first load begins: the read has been to Redis by then. */
  const started = new Promise<void>((resolve) => (begin = resolve));
  const calls = { count: 0, hold: false };
  const load = async () => {
    calls.count++;
    begin();
    if (calls.hold) await held;
    return value;
  };
  return { load, calls, release, started };
}

const asText = (json: unknown) => z.string().parse(json);
const redisOnly = { ttlSeconds: 60, tiers: ["redis"] as const, decode: asText };
const isolateOnly = { ttlSeconds: 60, tiers: ["isolate"] as const };

describe("the cache's isolate tier", () => {
  it("serves a value until its TTL has passed on the clock, then loads it again", async () => {
    const { cache, time } = isolate({ redis: null });
    const { load, calls } = loader("a");
    expect(await cache.read("fam", "k", load, isolateOnly)).toBe("a");
    time.now += 59_999;
    expect(await cache.read("fam", "k", load, isolateOnly)).toBe("a");
    expect(calls.count).toBe(1);
    time.now += 1;
    await cache.read("fam", "k", load, isolateOnly);
    expect(calls.count).toBe(2);
  });

  it("drops a whole family on invalidate, and only that family", async () => {
    const { cache } = isolate({ redis: null });
    const one = loader(1);
    const other = loader(2);
    await cache.read("user:a", "x", one.load, isolateOnly);
    await cache.read("user:a", "y", one.load, isolateOnly);
    await cache.read("user:b", "x", other.load, isolateOnly);
    await cache.invalidate("user:a");
    await cache.read("user:a", "x", one.load, isolateOnly);
    await cache.read("user:a", "y", one.load, isolateOnly);
    await cache.read("user:b", "x", other.load, isolateOnly);
    expect([one.calls.count, other.calls.count]).toEqual([4, 1]);
  });

  it("lets concurrent readers of a key share one load", async () => {
    const { cache } = isolate({ redis: null });
    const { load, calls, release } = loader("v");
    calls.hold = true;
    const reads = Array.from({ length: 5 }, () => cache.read("fam", "k", load, isolateOnly));
    release();
    expect(await Promise.all(reads)).toEqual(["v", "v", "v", "v", "v"]);
    expect(calls.count).toBe(1);
  });

  it("does not keep a value loaded across an invalidation: it may predate the write", async () => {
    const { cache } = isolate({ redis: null });
    const { load, calls, release } = loader("old");
    calls.hold = true;
    const reading = cache.read("fam", "k", load, isolateOnly);
    await cache.invalidate("fam");
    release();
    expect(await reading).toBe("old");
    calls.hold = false;
    await cache.read("fam", "k", load, isolateOnly);
    expect(calls.count).toBe(2);
  });

  it("refuses families and keys that are not ours, and TTLs out of bounds", () => {
    const { cache } = isolate({ redis: null });
    expect(() => cache.read("a b", "k", async () => 1, isolateOnly)).toThrow(/family/);
    expect(() => cache.read("fam", "k:1", async () => 1, isolateOnly)).toThrow(/key/);
    expect(() => cache.read("fam", "k", async () => 1, { ttlSeconds: 0, tiers: ["isolate"] })).toThrow(/ttlSeconds/);
    expect(() => cache.read("fam", "k", async () => "x", { ttlSeconds: 60, tiers: ["redis"] })).toThrow(/decode/);
  });
});

describe("the cache's Redis tier", () => {
  it("serves another isolate the value one isolate loaded, with no load", async () => {
    const shared = prefix();
    const first = isolate({ prefix: shared });
    const { load, calls } = loader("v");
    expect(await first.cache.read("fam", "k", load, redisOnly)).toBe("v");
    await first.settled();
    expect(await isolate({ prefix: shared }).cache.read("fam", "k", load, redisOnly)).toBe("v");
    expect(calls.count).toBe(1);
  });

  it("keeps values under versioned keys and invalidates a family with one INCR of its version", async () => {
    const shared = prefix();
    const keys = familyKeys(shared, "user:u1");
    const { cache, settled } = isolate({ prefix: shared });
    await cache.read("user:u1", "profile", async () => "p0", redisOnly);
    await cache.read("user:u1", "other", async () => "o0", redisOnly);
    await settled();
    expect(await raw().get(`${keys.valueBase}0:profile`)).toBe('"p0"');
    expect(await raw().ttl(`${keys.valueBase}0:profile`)).toBeGreaterThan(50);

    await cache.invalidate("user:u1");
    expect(await raw().get(keys.version)).toBe("1");
    const again = isolate({ prefix: shared });
    const { load, calls } = loader("p1");
    expect(await again.cache.read("user:u1", "profile", load, redisOnly)).toBe("p1");
    expect(await again.cache.read("user:u1", "other", async () => "o1", redisOnly)).toBe("o1");
    expect(calls.count).toBe(1);
  });

  it("does not store a value loaded while a write invalidated the family", async () => {
    const shared = prefix();
    const reader = isolate({ prefix: shared });
    const { load, calls, release, started } = loader("before the write");
    calls.hold = true;
    const reading = reader.cache.read("fam", "k", load, redisOnly);
    // The read has found version 0 empty and taken the lock; the write's invalidation lands during the load.
    await started;
    await isolate({ prefix: shared }).cache.invalidate("fam");
    release();
    expect(await reading).toBe("before the write");
    await reader.settled();
    // Nothing is stored under the version the family left: were its version key ever to expire and
    // count up again, such a value would come back.
    expect(await raw().exists(`${familyKeys(shared, "fam").valueBase}0:k`)).toBe(0);
    expect(await isolate({ prefix: shared }).cache.read("fam", "k", async () => "after the write", redisOnly)).toBe("after the write");
  });

  it("waits for the fill another isolate holds the lock of, rather than load the key too", async () => {
    const shared = prefix();
    const keys = familyKeys(shared, "fam");
    await raw().set(`${keys.lockBase}0:k`, "another isolate", { px: 5000 });
    let sleeps = 0;
    const waiter = isolate({
      prefix: shared,
      sleep: async () => {
        // The other isolate's fill lands while this one waits.
        if (++sleeps === 2) await raw().set(`${keys.valueBase}0:k`, '"filled elsewhere"', { px: 5000 });
      },
    });
    const { load, calls } = loader("loaded here");
    expect(await waiter.cache.read("fam", "k", load, redisOnly)).toBe("filled elsewhere");
    expect([calls.count, sleeps]).toEqual([0, 2]);
  });

  it("loads the key itself once its wait is over when the lock's holder never fills: bounded, no deadlock", async () => {
    const shared = prefix();
    await raw().set(`${familyKeys(shared, "fam").lockBase}0:k`, "a crashed isolate", { px: 5000 });
    let sleeps = 0;
    const waiter = isolate({ prefix: shared, sleep: async () => void sleeps++ });
    const { load, calls } = loader("loaded here");
    expect(await waiter.cache.read("fam", "k", load, redisOnly)).toBe("loaded here");
    expect([calls.count, sleeps]).toEqual([1, FILL.polls]);
  });

  it("round-trips Dates through JSON with the decoder the reader gives", async () => {
    const shared = prefix();
    const Schema = z.object({ at: z.coerce.date() }).strict();
    const options = { ttlSeconds: 60, tiers: ["redis"] as const, decode: (json: unknown) => Schema.parse(json) };
    const at = new Date("2026-01-02T03:04:05.678Z");
    const first = isolate({ prefix: shared });
    await first.cache.read("fam", "k", async () => ({ at }), options);
    await first.settled();
    const { load, calls } = loader({ at: new Date(0) });
    expect(await isolate({ prefix: shared }).cache.read("fam", "k", load, options)).toEqual({ at });
    expect(calls.count).toBe(0);
  });

  it("treats a value it cannot decode as a miss and replaces it", async () => {
    const shared = prefix();
    await raw().set(`${familyKeys(shared, "fam").valueBase}0:k`, '{"stored":"by older code"}', { px: 5000 });
    const reader = isolate({ prefix: shared });
    expect(await reader.cache.read("fam", "k", async () => "fresh", redisOnly)).toBe("fresh");
    await reader.settled();
    expect(reader.lines).toEqual([expect.objectContaining({ level: "warn", msg: "cache value not decoded; read again", family: "fam" })]);
    const { load, calls } = loader("again");
    expect(await isolate({ prefix: shared }).cache.read("fam", "k", load, redisOnly)).toBe("fresh");
    expect(calls.count).toBe(0);
  });

  it("treats Redis failures as misses: loads, logs the family's kind and the isolate's count, never throws", async () => {
    const failing: ScriptRunner = {
      evalsha: async () => {
        throw new Error("fetch failed");
      },
      eval: async () => {
        throw new Error("fetch failed");
      },
    };
    const { cache, state, lines } = isolate({ redis: failing });
    expect(await cache.read("user:usr_secret", "profile", async () => "loaded", redisOnly)).toBe("loaded");
    await cache.invalidate("user:usr_secret");
    expect(state.redisFailures).toBe(2);
    expect(lines).toEqual([
      expect.objectContaining({ level: "warn", operation: "read", family: "user", redisFailures: 1 }),
      expect.objectContaining({ level: "warn", operation: "invalidate", family: "user", redisFailures: 2 }),
    ]);
    expect(JSON.stringify(lines)).not.toContain("usr_secret");
  });

  it("loads every time when Redis is not configured", async () => {
    const { cache } = isolate({ redis: null });
    const { load, calls } = loader("v");
    await cache.read("fam", "k", load, redisOnly);
    await cache.read("fam", "k", load, redisOnly);
    expect(calls.count).toBe(2);
  });
});
