import { describe, expect, it } from "vitest";
import { IsolateRateLimits } from "../../src/lib/isolate-rate-limits";
import type { RatePolicy } from "../../src/lib/rate-policy";
import { manualClock } from "../helpers/clock";

const MINUTE = 60_000;

describe("the isolate's fallback cap", () => {
  it("counts each key under the policy's algorithm, apart from other keys and policies", () => {
    const time = manualClock();
    const isolate = new IsolateRateLimits(time.clock);
    const policy: RatePolicy = { algorithm: "fixed-window", limit: 2, windowMs: MINUTE };
    expect(isolate.consumeFallback("a", policy, 1)).toMatchObject({ allowed: true, remaining: 1 });
    expect(isolate.consumeFallback("a", policy, 1)).toMatchObject({ allowed: true, remaining: 0 });
    expect(isolate.consumeFallback("a", policy, 1)).toMatchObject({ allowed: false, retryAfterMs: MINUTE });
    expect(isolate.consumeFallback("b", policy, 1)).toMatchObject({ allowed: true, remaining: 1 });
    expect(isolate.consumeFallback("a", { ...policy, limit: 3 }, 1)).toMatchObject({ allowed: true, remaining: 2 });

    time.advance(MINUTE);
    expect(isolate.consumeFallback("a", policy, 2)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it("counts its fail-opens", () => {
    const isolate = new IsolateRateLimits(manualClock().clock);
    expect([isolate.countFailOpen(), isolate.countFailOpen()]).toEqual([1, 2]);
  });
});
