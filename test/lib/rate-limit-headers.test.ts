import { describe, expect, it } from "vitest";
import { rateLimitHeaders, retryAfterSeconds } from "../../src/lib/rate-limit-headers";
import type { RateDecision } from "../../src/lib/rate-policy";

const NOW = 1_800_000_000_000;
const allowed = (remaining: number, resetInMs: number): RateDecision => ({ allowed: true, limit: 10, remaining, resetAt: NOW + resetInMs, retryAfterMs: 0 });
const refused = (retryAfterMs: number): RateDecision => ({ allowed: false, limit: 10, remaining: 0, resetAt: NOW + 60_000, retryAfterMs });

describe("the RateLimit fields (draft-ietf-httpapi-ratelimit-headers-11)", () => {
  it("names the policy and gives its quota and window in seconds", () => {
    expect(rateLimitHeaders("api", { algorithm: "sliding-window", limit: 600, windowMs: 60_000 }, allowed(599, 120_000), NOW)).toEqual({
      "RateLimit-Policy": '"api";q=600;w=60',
      RateLimit: '"api";r=599;t=120',
    });
  });

  it("gives a bucket's capacity as its quota and the time it takes to fill as its window", () => {
    expect(rateLimitHeaders("auth", { algorithm: "token-bucket", capacity: 30, refillPerSecond: 0.5 }, allowed(29, 2000), NOW)["RateLimit-Policy"]).toBe('"auth";q=30;w=60');
  });

  it("rounds windows and times up to whole seconds, a window to one second at least", () => {
    const headers = rateLimitHeaders("api", { algorithm: "fixed-window", limit: 5, windowMs: 250 }, allowed(4, 1), NOW);
    expect(headers).toEqual({ "RateLimit-Policy": '"api";q=5;w=1', RateLimit: '"api";r=4;t=1' });
  });

  it("gives, on a refusal, the time until the request would be allowed, which Retry-After repeats", () => {
    const decision = refused(12_345);
    expect(rateLimitHeaders("api", { algorithm: "fixed-window", limit: 10, windowMs: 60_000 }, decision, NOW).RateLimit).toBe('"api";r=0;t=13');
    expect(retryAfterSeconds(decision)).toBe(13);
    expect(retryAfterSeconds(refused(0))).toBe(1);
  });

  it("never sends a negative time, when the decision was made on a clock ahead of this one", () => {
    expect(rateLimitHeaders("api", { algorithm: "fixed-window", limit: 10, windowMs: 60_000 }, allowed(10, -500), NOW).RateLimit).toBe('"api";r=10;t=0');
  });
});
