import { describe, expect, it } from "vitest";
import { DependencyUnavailableError } from "../../src/lib/errors";
import { LEASE_LIFE_MS, leaseSize, maxLeaseSize, nextLeaseSize, spendLeased, type LeaseEntry, type SpendOptions } from "../../src/lib/rate-leases";
import type { RateLease } from "../../src/lib/rate-policy";
import { manualClock } from "../helpers/clock";

const HOUR = 3_600_000;

/** A lease call the test answers by hand, and the calls made. */
function handAnswered() {
  const calls: Array<{ cost: number; upTo: number; answer: (lease: RateLease) => void; answered?: boolean }> = [];
  const take = (cost: number, upTo: number) => new Promise<RateLease>((resolve) => calls.push({ cost, upTo, answer: resolve }));
  return { calls, take };
}

const refusal: RateLease = { allowed: false, limit: 50, remaining: 2, resetAt: 0, retryAfterMs: 1000, granted: 0, spendBy: null };

describe("leaseSize", () => {
  it("leases a tenth of the limit, at most 32 units, and 1 (no lease) under a limit of 20", () => {
    const window = (limit: number) => leaseSize({ algorithm: "fixed-window", limit, windowMs: HOUR });
    expect([5, 19, 20, 50, 600, 1_000_000].map(window)).toEqual([1, 1, 2, 5, 32, 32]);
    expect(leaseSize({ algorithm: "token-bucket", capacity: 30, refillPerSecond: 0.5 })).toBe(3);
  });
});

describe("maxLeaseSize", () => {
  it("lets a lease grow to a tenth of the limit, at most 1,024 units", () => {
    const window = (limit: number) => maxLeaseSize({ algorithm: "sliding-window", limit, windowMs: HOUR });
    expect([5, 50, 600, 20_000, 1_000_000].map(window)).toEqual([1, 5, 60, 1024, 1024]);
  });
});

describe("nextLeaseSize", () => {
  const lease = { size: 32, units: 0, takenAt: 0, expiresAt: LEASE_LIFE_MS };

  it("starts at the base size", () => {
    expect(nextLeaseSize(undefined, 0, 32, 1024)).toBe(32);
  });

  it("doubles, up to the most, when the last lease was spent out within a quarter of its life", () => {
    expect(nextLeaseSize(lease, LEASE_LIFE_MS / 4 - 1, 32, 1024)).toBe(64);
    expect(nextLeaseSize({ ...lease, size: 1000 }, 10, 32, 1024)).toBe(1024);
    expect(nextLeaseSize(lease, LEASE_LIFE_MS / 4, 32, 1024)).toBe(32);
  });

  it("halves, down to the base, when more than half of the last lease expired unspent", () => {
    expect(nextLeaseSize({ ...lease, size: 256, units: 129 }, LEASE_LIFE_MS, 32, 1024)).toBe(128);
    expect(nextLeaseSize({ ...lease, size: 256, units: 128 }, LEASE_LIFE_MS, 32, 1024)).toBe(256);
    expect(nextLeaseSize({ ...lease, size: 40, units: 40 }, LEASE_LIFE_MS, 32, 1024)).toBe(32);
  });
});

describe("spendLeased", () => {
  it("asks for bigger leases while a key's traffic spends them out quickly, and smaller ones once it slows", async () => {
    const { calls, take } = handAnswered();
    const time = manualClock();
    const entries = new Map<string, LeaseEntry>();
    const options: SpendOptions = { size: 4, maxSize: 16, clock: time.clock, timeoutMs: 5000, take };
    const granted = (units: number): RateLease => ({ ...refusal, allowed: true, remaining: 1000, retryAfterMs: 0, granted: units, spendBy: null });
    const spend = async (requests: number) => {
      for (let request = 0; request < requests; request++) {
        const spent = spendLeased(entries, "k", 1, options);
        const call = calls.at(-1);
        if (call && !call.answered) {
          call.answered = true;
          call.answer(granted(call.upTo));
        }
        expect(await spent).toMatchObject({ allowed: true });
      }
    };
    await spend(4 + 8 + 16 + 16);
    expect(calls.map((call) => call.upTo)).toEqual([4, 8, 16, 16]);

    // The key goes quiet: most of the lease expires unspent, so the next is half as big.
    await spend(1);
    time.advance(LEASE_LIFE_MS);
    await spend(1);
    expect(calls.map((call) => call.upTo)).toEqual([4, 8, 16, 16, 16, 8]);
  });

  it("answers the requests waiting on a refused lease of as many units without another call, and lets a cheaper one ask", async () => {
    const { calls, take } = handAnswered();
    const entries = new Map<string, LeaseEntry>();
    const options: SpendOptions = { size: 5, clock: manualClock().clock, timeoutMs: 5000, take };
    const lead = spendLeased(entries, "k", 3, options);
    const same = spendLeased(entries, "k", 3, options);
    const cheaper = spendLeased(entries, "k", 1, options);
    expect(calls.map(({ cost, upTo }) => [cost, upTo])).toEqual([[3, 5]]);
    calls[0]!.answer(refusal);
    expect(await lead).toMatchObject({ allowed: false, retryAfterMs: 1000 });
    expect(await same).toMatchObject({ allowed: false, retryAfterMs: 1000 });
    await expect.poll(() => calls.length).toBe(2);
    expect(calls[1]).toMatchObject({ cost: 1, upTo: 5 });
    calls[1]!.answer({ ...refusal, allowed: true, remaining: 0, retryAfterMs: 0, granted: 2 });
    expect(await cheaper).toMatchObject({ allowed: true });
  });

  it("stops waiting on another request's lease call after the counter's timeout, failing as a late counter does", async () => {
    const entries = new Map<string, LeaseEntry>();
    // The call never answers: as when the request that made it ended first.
    const options: SpendOptions = { size: 5, clock: manualClock().clock, timeoutMs: 20, take: () => new Promise<never>(() => {}) };
    void spendLeased(entries, "k", 1, options);
    const waiting = spendLeased(entries, "k", 1, options);
    await expect(waiting).rejects.toThrow(DependencyUnavailableError);
    await expect(waiting).rejects.toMatchObject({ reason: "timeout" });
  });

  it("lets the next request ask again once a lease call was given up on", async () => {
    const entries = new Map<string, LeaseEntry>();
    const { calls, take } = handAnswered();
    const options: SpendOptions = { size: 5, clock: manualClock().clock, timeoutMs: 20, take };
    void spendLeased(entries, "k", 1, options);
    await expect(spendLeased(entries, "k", 1, options)).rejects.toMatchObject({ reason: "timeout" });
    const next = spendLeased(entries, "k", 1, options);
    expect(calls).toHaveLength(2);
    calls[1]!.answer({ ...refusal, allowed: true, remaining: 45, retryAfterMs: 0, granted: 5 });
    expect(await next).toMatchObject({ allowed: true, remaining: 45 });
  });
});
