import { describe, expect, it } from "vitest";
import { checkCost, checkTime, parseRatePolicy, policyKey, type RatePolicy } from "../../src/lib/rate-policy";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

describe("rate policies", () => {
  it.each<RatePolicy>([
    { algorithm: "fixed-window", limit: 1, windowMs: 1 },
    { algorithm: "sliding-window", limit: 1_000_000, windowMs: 30 * DAY },
    { algorithm: "token-bucket", capacity: 10, refillPerSecond: 0.5 },
  ])("accepts %o", (policy) => {
    expect(parseRatePolicy(policy)).toEqual(policy);
  });

  it.each<[string, unknown]>([
    ["a limit of 0", { algorithm: "fixed-window", limit: 0, windowMs: MINUTE }],
    ["a window of 0", { algorithm: "sliding-window", limit: 5, windowMs: 0 }],
    ["a negative limit", { algorithm: "fixed-window", limit: -1, windowMs: MINUTE }],
    ["a fractional limit", { algorithm: "fixed-window", limit: 2.5, windowMs: MINUTE }],
    ["a limit given as text", { algorithm: "fixed-window", limit: "5", windowMs: MINUTE }],
    ["a limit over a million", { algorithm: "fixed-window", limit: 1_000_001, windowMs: MINUTE }],
    ["a window longer than 30 days", { algorithm: "fixed-window", limit: 5, windowMs: 30 * DAY + 1 }],
    ["a capacity of 0", { algorithm: "token-bucket", capacity: 0, refillPerSecond: 1 }],
    ["a refill rate of 0", { algorithm: "token-bucket", capacity: 5, refillPerSecond: 0 }],
    ["an infinite refill rate", { algorithm: "token-bucket", capacity: 5, refillPerSecond: Number.POSITIVE_INFINITY }],
    ["a bucket that takes longer than 30 days to fill", { algorithm: "token-bucket", capacity: 1000, refillPerSecond: 0.0001 }],
    ["an unknown algorithm", { algorithm: "leaky-bucket", limit: 5, windowMs: MINUTE }],
    ["a window policy with a bucket's fields", { algorithm: "fixed-window", limit: 5, windowMs: MINUTE, capacity: 5 }],
    ["a bucket without its refill rate", { algorithm: "token-bucket", capacity: 5 }],
    ["no policy", undefined],
  ])("refuses %s with a RangeError naming the field", (_, policy) => {
    expect(() => parseRatePolicy(policy)).toThrow(/^invalid rate policy \(.+\)$/);
    expect(() => parseRatePolicy(policy)).toThrow(RangeError);
  });

  it.each([0, -1, 1.5, 4, Number.NaN])("refuses a cost of %s under a limit of 3", (cost) => {
    expect(() => checkCost({ algorithm: "fixed-window", limit: 3, windowMs: MINUTE }, cost)).toThrow(RangeError);
  });

  it("accepts every whole cost up to the limit, or the bucket's capacity", () => {
    for (const cost of [1, 2, 3]) expect(() => checkCost({ algorithm: "fixed-window", limit: 3, windowMs: MINUTE }, cost)).not.toThrow();
    expect(() => checkCost({ algorithm: "token-bucket", capacity: 7, refillPerSecond: 1 }, 7)).not.toThrow();
    expect(() => checkCost({ algorithm: "token-bucket", capacity: 7, refillPerSecond: 1 }, 8)).toThrow(RangeError);
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])("refuses a time of %s", (now) => {
    expect(() => checkTime(now)).toThrow(RangeError);
  });

  it("keeps a counter apart for every distinct policy", () => {
    const keys = [
      policyKey({ algorithm: "fixed-window", limit: 5, windowMs: MINUTE }),
      policyKey({ algorithm: "fixed-window", limit: 5, windowMs: 2 * MINUTE }),
      policyKey({ algorithm: "fixed-window", limit: 6, windowMs: MINUTE }),
      policyKey({ algorithm: "sliding-window", limit: 5, windowMs: MINUTE }),
      policyKey({ algorithm: "token-bucket", capacity: 5, refillPerSecond: 1 }),
      policyKey({ algorithm: "token-bucket", capacity: 5, refillPerSecond: 1.5 }),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });
});
