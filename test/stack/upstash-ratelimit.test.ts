import { Ratelimit } from "@upstash/ratelimit";
import { describe, expect, it } from "vitest";
import { testKey } from "../helpers/redis-keys";
import { upstashClient } from "./upstash-setup";

const algorithms = [
  ["fixed window", Ratelimit.fixedWindow(3, "60 s")],
  ["sliding window", Ratelimit.slidingWindow(3, "60 s")],
  ["token bucket", Ratelimit.tokenBucket(1, "60 s", 3)],
] as const;

describe.each(algorithms)("@upstash/ratelimit %s through the Upstash endpoint", (_name, limiter) => {
  it("allows exactly the limit, then denies", async () => {
    const ratelimit = new Ratelimit({ redis: upstashClient(), limiter, prefix: testKey("ratelimit"), ephemeralCache: false, analytics: false });
    const outcomes: boolean[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      // Sequential on purpose: each attempt must see the previous one's count.
      const { success } = await ratelimit.limit("client-1");
      outcomes.push(success);
    }
    expect(outcomes).toEqual([true, true, true, false, false]);

    const other = await ratelimit.limit("client-2");
    expect(other.success).toBe(true);
    expect(other.remaining).toBe(2);
  });
});
