import { afterEach, describe, expect, it, vi } from "vitest";
import type { RatePolicy } from "../../src/lib/rate-policy";
import { concurrently, EXACTNESS_TIMEOUT_MS, expectRateLimited, from, limitedApp, rateLimits, statusCounts, uniqueIpv4 } from "../helpers/rate-limits";
import { testStack } from "../helpers/stack";

/** Long, so no test straddles one of Upstash's epoch-aligned windows but once in a long while. */
const DAY = 86_400_000;
const N = 5;

/** Counts the requests `work` sends to the local stack's Upstash endpoint (Upstash's, in production). */
async function countRedisCalls<T>(work: () => Promise<T>): Promise<{ result: T; redisCalls: number }> {
  const endpoint = testStack().upstashUrl!;
  const spy = vi.spyOn(globalThis, "fetch");
  try {
    const result = await work();
    const redisCalls = spy.mock.calls.filter(([input]) => String(input instanceof Request ? input.url : input).startsWith(endpoint)).length;
    return { result, redisCalls };
  } finally {
    spy.mockRestore();
  }
}

describe("the api rate limit on Upstash", () => {
  afterEach(() => vi.restoreAllMocks());

  const algorithms: Array<[string, RatePolicy]> = [
    ["sliding window", { algorithm: "sliding-window", limit: N, windowMs: DAY }],
    ["fixed window", { algorithm: "fixed-window", limit: N, windowMs: DAY }],
    ["token bucket", { algorithm: "token-bucket", capacity: N, refillPerSecond: N / 86_400 }],
  ];

  it.each(algorithms)("lets exactly N of 5N concurrent requests through under a %s", async (_, policy) => {
    const { app } = limitedApp();
    const bindings = rateLimits({ api: { policy, timeoutMs: EXACTNESS_TIMEOUT_MS } });
    const ip = uniqueIpv4();
    const { result: responses, redisCalls } = await countRedisCalls(() => concurrently(5 * N, () => from(app, ip, bindings)));
    expect(statusCounts(responses)).toEqual({ 200: N, 429: 4 * N });
    expect(redisCalls).toBeGreaterThanOrEqual(N);
    await expectRateLimited(responses.find((response) => response.status === 429)!);
  });

  it("sends the policy, what is left and the end of the window, and Retry-After on the refusal", async () => {
    const { app } = limitedApp();
    const bindings = rateLimits({ api: { policy: { algorithm: "sliding-window", limit: 2, windowMs: DAY } } });
    const ip = uniqueIpv4();
    const first = await from(app, ip, bindings);
    expect(first.headers.get("RateLimit-Policy")).toBe('"api";q=2;w=86400');
    // Upstash's windows are aligned to the epoch: what is left of this one, up to a day.
    const [, remaining, seconds] = /^"api";r=(\d+);t=(\d+)$/.exec(first.headers.get("RateLimit") ?? "") ?? [];
    expect(Number(remaining)).toBe(1);
    expect(Number(seconds)).toBeGreaterThan(0);
    expect(Number(seconds)).toBeLessThanOrEqual(86_400);
    expect((await from(app, ip, bindings)).headers.get("RateLimit")).toMatch(/^"api";r=0;t=\d+$/);
    const retryAfter = await expectRateLimited(await from(app, ip, bindings));
    expect(retryAfter).toBeLessThanOrEqual(86_400);
  });

  it("refuses an identifier it blocked from the isolate's memory, with no Redis call, until its window ends", async () => {
    const { app } = limitedApp();
    const bindings = rateLimits({ api: { policy: { algorithm: "sliding-window", limit: 2, windowMs: DAY } } });
    const ip = uniqueIpv4();
    for (let request = 0; request < 2; request++) expect((await from(app, ip, bindings)).status).toBe(200);
    await expectRateLimited(await from(app, ip, bindings));

    const { result: refused, redisCalls } = await countRedisCalls(() => concurrently(5, () => from(app, ip, bindings)));
    for (const response of refused) await expectRateLimited(response);
    expect(redisCalls).toBe(0);

    // Another client, and the same client in another isolate, still ask Redis.
    const other = await countRedisCalls(() => from(app, uniqueIpv4(), bindings));
    expect(other.result.status).toBe(200);
    expect(other.redisCalls).toBe(1);
    const elsewhere = await countRedisCalls(() => from(limitedApp().app, ip, bindings));
    await expectRateLimited(elsewhere.result);
    expect(elsewhere.redisCalls).toBe(1);
  });

  it("never counts the authentication flows on Upstash", async () => {
    const { app } = limitedApp();
    const bindings = rateLimits({ auth: { policy: { algorithm: "fixed-window", limit: 1, windowMs: DAY } } });
    const ip = uniqueIpv4();
    const forgot = () => from(app, ip, bindings, "/v1/auth/password/forgot", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ email: "nobody@example.test" }) });
    const { result, redisCalls } = await countRedisCalls(async () => [await forgot(), await forgot()]);
    expect(statusCounts(result)).toEqual({ 202: 1, 429: 1 });
    expect(redisCalls).toBe(0);
  });
});
