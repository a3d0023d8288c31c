import { env, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import type { RateCounter } from "../../src/durable-objects/rate-counter";
import type { RatePolicy } from "../../src/lib/rate-policy";
import { allowUnhandledRejection } from "../helpers/expected-noise";

const MINUTE = 60_000;
/** What the object waits past a counter's reset before its alarm forgets it (CLOCK_SKEW_MS). */
const CLOCK_SKEW_MS = 60_000;

/** A counter of its own for each test: one object per key, as callers address them. */
function counter(): DurableObjectStub<RateCounter> {
  return env.RATE_COUNTER.get(env.RATE_COUNTER.idFromName(`test:${crypto.randomUUID()}`));
}

/**
 * A time on the sliding window's grid, a little ahead of the real clock: every test moves its own
 * time forward from here, and clean-up alarms (set on the real clock) stay in the future.
 */
function start(): number {
  return Math.ceil(Date.now() / MINUTE) * MINUTE + MINUTE;
}

const policies: Record<RatePolicy["algorithm"], (limit: number) => RatePolicy> = {
  "fixed-window": (limit) => ({ algorithm: "fixed-window", limit, windowMs: MINUTE }),
  "sliding-window": (limit) => ({ algorithm: "sliding-window", limit, windowMs: MINUTE }),
  // One token every ten seconds.
  "token-bucket": (limit) => ({ algorithm: "token-bucket", capacity: limit, refillPerSecond: 0.1 }),
};

/** The object's table and alarm, read inside it. */
async function storage(stub: DurableObjectStub<RateCounter>): Promise<{ tables: string[]; alarm: number | null }> {
  return runInDurableObject(stub, async (_, state) => ({
    tables: state.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'")
      .toArray()
      .map(({ name }) => name),
    alarm: await state.storage.getAlarm(),
  }));
}

describe.each(Object.entries(policies))("the RateCounter object, %s", (_, policyOf) => {
  const policy = policyOf(3);

  it("allows exactly its limit, then refuses with a retry-after that holds to the millisecond", async () => {
    const stub = counter();
    const now = start();
    const remaining = [];
    for (let i = 0; i < 3; i++) {
      const decision = await stub.consume(policy, 1, now);
      expect(decision).toMatchObject({ allowed: true, limit: 3, retryAfterMs: 0 });
      remaining.push(decision.remaining);
    }
    expect(remaining).toEqual([2, 1, 0]);

    const refused = await stub.consume(policy, 1, now);
    expect(refused).toMatchObject({ allowed: false, limit: 3, remaining: 0 });
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.resetAt).toBeGreaterThan(now);

    expect(await stub.consume(policy, 1, now + refused.retryAfterMs - 1)).toMatchObject({ allowed: false });
    expect(await stub.consume(policy, 1, now + refused.retryAfterMs)).toMatchObject({ allowed: true, retryAfterMs: 0 });
  });

  it("is whole again at resetAt", async () => {
    const stub = counter();
    const now = start();
    await stub.consume(policy, 3, now);
    const { resetAt } = await stub.peek(policy, now);
    expect((await stub.peek(policy, resetAt - 1)).remaining).toBeLessThan(3);
    expect(await stub.peek(policy, resetAt)).toEqual({ allowed: true, limit: 3, remaining: 3, resetAt, retryAfterMs: 0 });
  });

  it("takes a cost of several units at once, and refuses a cost larger than what is left", async () => {
    const stub = counter();
    const now = start();
    expect(await stub.consume(policy, 2, now)).toMatchObject({ allowed: true, remaining: 1 });
    expect(await stub.consume(policy, 2, now)).toMatchObject({ allowed: false, remaining: 1 });
    expect(await stub.consume(policy, 1, now)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it("changes nothing when it refuses", async () => {
    const stub = counter();
    const now = start();
    await stub.consume(policy, 2, now);
    const before = await stub.peek(policy, now);
    for (let i = 0; i < 5; i++) expect((await stub.consume(policy, 3, now)).allowed).toBe(false);
    expect(await stub.peek(policy, now)).toEqual(before);
    expect(await stub.consume(policy, 1, now)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it("answers a peek without consuming", async () => {
    const stub = counter();
    const now = start();
    for (let i = 0; i < 10; i++) expect(await stub.peek(policy, now)).toMatchObject({ allowed: true, remaining: 3, retryAfterMs: 0 });
    await stub.consume(policy, 3, now);
    const peeked = await stub.peek(policy, now);
    expect(peeked).toMatchObject({ allowed: false, remaining: 0 });
    expect(peeked.retryAfterMs).toBe((await stub.consume(policy, 1, now)).retryAfterMs);
  });

  it("forgets the key on reset", async () => {
    const stub = counter();
    const now = start();
    await stub.consume(policy, 3, now);
    await stub.reset();
    expect(await stub.peek(policy, now)).toMatchObject({ allowed: true, remaining: 3 });
    expect(await storage(stub)).toEqual({ tables: [], alarm: null });
    expect(await stub.consume(policy, 1, now)).toMatchObject({ allowed: true, remaining: 2 });
  });

  it("allows exactly L of 5L concurrent consumes", async () => {
    const limit = 10;
    const id = env.RATE_COUNTER.idFromName(`test:${crypto.randomUUID()}`);
    const now = start();
    // A stub per call, as separate requests would each have.
    const decisions = await Promise.all(
      Array.from({ length: 5 * limit }, () => env.RATE_COUNTER.get(id).consume(policyOf(limit), 1, now)),
    );
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(limit);
    expect(decisions.filter((decision) => decision.allowed).map((decision) => decision.remaining).sort((a, b) => a - b)).toEqual(
      Array.from({ length: limit }, (_, i) => i),
    );
  });

  it("keeps its count when the object is evicted and a new instance starts", async () => {
    const stub = counter();
    const now = start();
    await stub.consume(policy, 3, now);
    const before = await runInDurableObject(stub, (instance) => instance);
    await evictDurableObject(stub);
    expect(await runInDurableObject(stub, (instance) => instance)).not.toBe(before);
    expect(await stub.consume(policy, 1, now)).toMatchObject({ allowed: false, remaining: 0 });
  });
});

describe.each(Object.entries(policies))("the RateCounter object's leases, %s", (algorithm, policyOf) => {
  const policy = policyOf(10);

  it("grants as many units as asked for when they are left, and counts them all at once", async () => {
    const stub = counter();
    const now = start();
    expect(await stub.lease(policy, 1, 4, now)).toMatchObject({ allowed: true, limit: 10, granted: 4, remaining: 6, retryAfterMs: 0 });
    expect(await stub.peek(policy, now)).toMatchObject({ remaining: 6 });
  });

  it("grants what is left when that is fewer than asked for but at least the cost", async () => {
    const stub = counter();
    const now = start();
    await stub.consume(policy, 8, now);
    expect(await stub.lease(policy, 1, 4, now)).toMatchObject({ allowed: true, granted: 2, remaining: 0 });
    expect(await stub.peek(policy, now)).toMatchObject({ allowed: false, remaining: 0 });
  });

  it("refuses as a consume of its cost would, changing nothing, when fewer than the cost are left", async () => {
    const stub = counter();
    const now = start();
    await stub.consume(policy, 9, now);
    const before = await stub.peek(policy, now);
    const refused = await stub.lease(policy, 2, 4, now);
    expect(refused).toMatchObject({ allowed: false, granted: 0, remaining: 1, spendBy: null });
    expect(await stub.peek(policy, now)).toEqual(before);
    const { granted: _, spendBy: __, ...decision } = refused;
    expect(decision).toEqual(await stub.consume(policy, 2, now));
    expect(await stub.consume(policy, 1, now)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it("never grants more than the limit to concurrent leases", async () => {
    const id = env.RATE_COUNTER.idFromName(`test:${crypto.randomUUID()}`);
    const now = start();
    const leases = await Promise.all(Array.from({ length: 10 }, () => env.RATE_COUNTER.get(id).lease(policy, 1, 3, now)));
    expect(leases.reduce((sum, lease) => sum + lease.granted, 0)).toBe(10);
    // Three leases of 3 and one of the last unit; the rest refused.
    expect(leases.map((lease) => lease.granted).sort()).toEqual([0, 0, 0, 0, 0, 0, 1, 3, 3, 3]);
  });

  it("says until when its units count where they were taken: a window's end, never for a bucket", async () => {
    const stub = counter();
    const now = start() + 12_345;
    const { spendBy } = await stub.lease(policy, 1, 4, now);
    const expected = { "fixed-window": now + MINUTE, "sliding-window": now - (now % MINUTE) + MINUTE, "token-bucket": null }[algorithm];
    expect(spendBy).toBe(expected);
  });
});

describe("the RateCounter object's algorithms", () => {
  it("opens a fixed window at the key's first consume and restores the whole limit when it ends", async () => {
    const stub = counter();
    const policy = policies["fixed-window"](3);
    const opened = start() + 12_345;
    await stub.consume(policy, 1, opened);
    await stub.consume(policy, 2, opened + 30_000);
    const refused = await stub.consume(policy, 1, opened + MINUTE - 1);
    expect(refused).toMatchObject({ allowed: false, resetAt: opened + MINUTE, retryAfterMs: 1 });
    expect(await stub.consume(policy, 1, opened + MINUTE)).toMatchObject({ allowed: true, remaining: 2, resetAt: opened + 2 * MINUTE });
  });

  it("weighs the previous window in a sliding window by how much of it still overlaps", async () => {
    const stub = counter();
    const policy = policies["sliding-window"](10);
    const grid = start();
    await stub.consume(policy, 10, grid + 50_000);
    // A quarter into the next window, three quarters of the previous 10 still count: 7.5.
    expect(await stub.peek(policy, grid + MINUTE + 15_000)).toMatchObject({ allowed: true, remaining: 2 });
    expect(await stub.consume(policy, 2, grid + MINUTE + 15_000)).toMatchObject({ allowed: true, remaining: 0 });
    // 10 × (1 − e/60 000) + 2 + 1 ≤ 10 once e ≥ 18 000.
    expect(await stub.consume(policy, 1, grid + MINUTE + 15_000)).toMatchObject({ allowed: false, retryAfterMs: 3000 });
    expect(await stub.consume(policy, 1, grid + MINUTE + 17_999)).toMatchObject({ allowed: false });
    expect(await stub.consume(policy, 1, grid + MINUTE + 18_000)).toMatchObject({ allowed: true });
    // Two windows on, nothing carries over.
    expect(await stub.peek(policy, grid + 3 * MINUTE)).toMatchObject({ remaining: 10, resetAt: grid + 3 * MINUTE });
  });

  it("refills a token bucket continuously and exactly, also at a rate that is not a whole number of milliseconds", async () => {
    const stub = counter();
    const policy: RatePolicy = { algorithm: "token-bucket", capacity: 3, refillPerSecond: 3 };
    const now = start();
    await stub.consume(policy, 3, now);
    // One token every 333⅓ ms.
    const refused = await stub.consume(policy, 1, now);
    expect(refused).toMatchObject({ allowed: false, retryAfterMs: 334, resetAt: now + 1000 });
    expect(await stub.consume(policy, 1, now + 333)).toMatchObject({ allowed: false });
    expect(await stub.consume(policy, 1, now + 334)).toMatchObject({ allowed: true, remaining: 0 });
    expect(await stub.peek(policy, now + 10_000)).toMatchObject({ remaining: 3 });
  });

  it("allows a caller back exactly when told, whatever floating-point rounding makes of the refill", async () => {
    const stub = counter();
    // A history found by search, where the refill computed at retryAfterMs comes to 5.999999999999999 tokens.
    const policy: RatePolicy = { algorithm: "token-bucket", capacity: 6, refillPerSecond: 0.06 };
    const now = start();
    await stub.consume(policy, 4, now + 646);
    await stub.consume(policy, 2, now + 1543);
    const refused = await stub.consume(policy, 6, now + 2280);
    expect(refused).toMatchObject({ allowed: false, retryAfterMs: 98_366 });
    expect(await stub.consume(policy, 6, now + 2280 + refused.retryAfterMs)).toMatchObject({ allowed: true });
  });

  it("does not roll a sliding window back for a caller whose clock lags", async () => {
    const stub = counter();
    const policy = policies["sliding-window"](3);
    const grid = start();
    await stub.consume(policy, 3, grid + 1000);
    // On this caller's clock the counted window has not begun yet.
    expect(await stub.consume(policy, 1, grid - 1000)).toMatchObject({ allowed: false });
    expect(await stub.peek(policy, grid - 1000)).toMatchObject({ allowed: false });
  });

  it("does not take back tokens already refilled for a caller whose clock lags", async () => {
    const stub = counter();
    const policy = policies["token-bucket"](3);
    const now = start();
    await stub.consume(policy, 2, now);
    // One token is left at `now`; ten seconds earlier on this caller's clock, the refill did not run backwards.
    expect(await stub.consume(policy, 1, now - 10_000)).toMatchObject({ allowed: true, remaining: 0 });
    expect(await stub.peek(policy, now + 10_000)).toMatchObject({ remaining: 1 });
  });

  it("keeps one count per policy on the same key", async () => {
    const stub = counter();
    const now = start();
    await stub.consume(policies["fixed-window"](3), 3, now);
    expect(await stub.consume(policies["fixed-window"](5), 1, now)).toMatchObject({ allowed: true, remaining: 4 });
    expect(await stub.consume(policies["token-bucket"](3), 1, now)).toMatchObject({ allowed: true, remaining: 2 });
    expect(await stub.consume(policies["fixed-window"](3), 1, now)).toMatchObject({ allowed: false });
  });
});

describe("the RateCounter object's storage", () => {
  const policy = policies["fixed-window"](3);

  it("stores nothing for a key that is only peeked at", async () => {
    const stub = counter();
    await stub.peek(policy, start());
    expect(await storage(stub)).toEqual({ tables: [], alarm: null });
  });

  it("sets a clean-up alarm for when the count is back to its limit, plus the allowance for clock skew", async () => {
    const stub = counter();
    const now = start();
    const { resetAt } = await stub.consume(policy, 1, now);
    expect(await storage(stub)).toEqual({ tables: ["counters"], alarm: resetAt + CLOCK_SKEW_MS });
  });

  it("keeps a counter that is still counting when its alarm runs early", async () => {
    const stub = counter();
    const now = start();
    await stub.consume(policy, 3, now);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await stub.consume(policy, 1, now)).toMatchObject({ allowed: false });
    expect((await storage(stub)).alarm).toBe(now + MINUTE + CLOCK_SKEW_MS);
  });

  it("deletes everything once an idle key's alarm has run", async () => {
    const stub = counter();
    // Counted a day ago: its alarm is already due.
    const then = Date.now() - 24 * 60 * MINUTE;
    await stub.consume(policy, 3, then);
    await runDurableObjectAlarm(stub);
    expect(await storage(stub)).toEqual({ tables: [], alarm: null });
    expect(await stub.consume(policy, 1, Date.now())).toMatchObject({ allowed: true, remaining: 2 });
  });
});

describe("the RateCounter object's input checks", () => {
  beforeEach(() => {
    allowUnhandledRejection(
      /RangeError: (invalid rate policy|rate cost must|time must be|a lease must)/,
      "the object refuses the input on purpose; workerd reports a rejected RPC call in the object's isolate, which is this one",
    );
  });

  // Every rule is in test/lib/rate-policy.test.ts; these show the object applies them itself.
  it("refuses an invalid policy, consuming or peeking, and stores nothing", async () => {
    const stub = counter();
    const policy = { algorithm: "fixed-window", limit: 0, windowMs: MINUTE } as const;
    await expect(stub.consume(policy, 1, start())).rejects.toThrow(/invalid rate policy \(limit: /);
    await expect(stub.peek(policy, start())).rejects.toThrow(/invalid rate policy \(limit: /);
    expect(await storage(stub)).toEqual({ tables: [], alarm: null });
  });

  it("refuses a cost larger than the limit, which could never be allowed", async () => {
    await expect(counter().consume(policies["fixed-window"](3), 4, start())).rejects.toThrow(/cost must be a whole number from 1 to 3/);
  });

  it("refuses a lease of fewer units than its cost, or more than the limit", async () => {
    await expect(counter().lease(policies["fixed-window"](10), 2, 1, start())).rejects.toThrow(/a lease must ask for a whole number of units from its cost to 10/);
    await expect(counter().lease(policies["fixed-window"](10), 1, 11, start())).rejects.toThrow(/a lease must ask/);
  });

  it("refuses a time that is not whole milliseconds since the epoch", async () => {
    await expect(counter().consume(policies["fixed-window"](3), 1, Number.NaN)).rejects.toThrow(/time must be whole milliseconds/);
  });
});
