import { env } from "cloudflare:test";
import { expect } from "vitest";
import { createApp } from "../../src/app";
import { keyDigest } from "../../src/lib/rate-counter";
import type { RatePolicy } from "../../src/lib/rate-policy";
import { call, type BindingOverrides, type TestApp } from "./app";
import { manualClock } from "./clock";
import { testKey } from "./redis-keys";

/** A group's limit as RATE_LIMITS takes it; what is left out keeps its default. */
export interface GroupSetting {
  policy?: RatePolicy;
  cost?: { read: number; write: number };
  timeoutMs?: number;
}

/**
 * RATE_LIMITS for one test: the groups given (every request costing 1 unless they say otherwise),
 * the others as generous as the suite's, and a key prefix of the test's own under the run's Redis
 * prefix, so no other test shares its counters.
 */
export function rateLimits(groups: { api?: GroupSetting | "off"; auth?: GroupSetting; workspace?: GroupSetting | "off" }): { RATE_LIMITS: string; keyPrefix: string } {
  const generous = { policy: { algorithm: "sliding-window", limit: 1_000_000, windowMs: 1000 } };
  const group = (setting: GroupSetting | undefined) => (setting ? { cost: { read: 1, write: 1 }, ...setting } : generous);
  const keyPrefix = testKey("ratelimit");
  const api = groups.api === "off" ? "off" : group(groups.api);
  const workspace = groups.workspace === "off" ? "off" : group(groups.workspace);
  return { RATE_LIMITS: JSON.stringify({ keyPrefix, auth: group(groups.auth), api, workspace }), keyPrefix };
}

/** Bindings without Upstash: the `api` group counts on the Durable Objects. */
export const WITHOUT_UPSTASH: BindingOverrides = { UPSTASH_REDIS_REST_URL: undefined, UPSTASH_REDIS_REST_TOKEN: undefined };

const randomPart = () => crypto.getRandomValues(new Uint16Array(1))[0]!.toString(16);

/** A client address no other test uses. */
export const uniqueIpv4 = () => `10.${[...crypto.getRandomValues(new Uint8Array(3))].join(".")}`;

/** A /64 no other test uses, as its first four groups (`2001:db8:…`). */
export const uniqueIpv6Prefix = () => `2001:db8:${randomPart()}:${randomPart()}`;

/** The app, standing for one isolate, on a clock the test moves, with a read and a write route under /v1. */
export function limitedApp(): { app: TestApp; time: ReturnType<typeof manualClock> } {
  const time = manualClock();
  const app = createApp({ clock: time.clock });
  app.get("/v1/test/read", (c) => c.json({ ok: true }));
  app.post("/v1/test/write", (c) => c.json({ ok: true }, 201));
  return { app, time };
}

/** Sends a request to `path` from `ip` (CF-Connecting-IP), with extra headers and the bindings. */
export function from(app: TestApp, ip: string, bindings: BindingOverrides, path = "/v1/test/read", init: RequestInit = {}): Promise<Response> {
  const headers = { ...(init.headers as Record<string, string> | undefined), "CF-Connecting-IP": ip };
  return call(app, path, { ...init, headers }, bindings);
}

/** How many responses had each status, e.g. `{ 200: 5, 429: 20 }`. */
export function statusCounts(responses: readonly Response[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const response of responses) counts[response.status] = (counts[response.status] ?? 0) + 1;
  return counts;
}

/** `count` requests at once. */
export function concurrently(count: number, send: () => Promise<Response>): Promise<Response[]> {
  return Promise.all(Array.from({ length: count }, send));
}

/** The RateCounter object that counts `key` (as the middleware names it: prefix, group, subject). */
export async function counterFor(keyPrefix: string, key: string): Promise<DurableObjectStub> {
  return env.RATE_COUNTER.get(env.RATE_COUNTER.idFromName(await keyDigest(`${keyPrefix}:${key}`)));
}

/** Asserts a refusal: 429 RATE_LIMITED problem+json whose Retry-After matches the RateLimit field's `t`. */
export async function expectRateLimited(response: Response): Promise<number> {
  expect(response.status).toBe(429);
  expect(response.headers.get("Content-Type")).toBe("application/problem+json");
  expect(await response.clone().json()).toMatchObject({ status: 429, code: "RATE_LIMITED" });
  const retryAfter = Number(response.headers.get("Retry-After"));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(response.headers.get("RateLimit")).toMatch(new RegExp(`;r=\\d+;t=${retryAfter}$`));
  return retryAfter;
}

/**
 * The backend's bound for the exactness tests: 25 calls at once on a loaded 2-core machine can pass
 * the production default (200 ms), and a late call fails open to the isolate's cap, which is not
 * what these tests measure (rate-limit-failures.test.ts does).
 */
export const EXACTNESS_TIMEOUT_MS = 5000;

/**
 * Sends `5 * n` concurrent requests of one client, to `apps` in turn, under the `api` limit `policy`
 * on the Durable Objects, and expects exactly `n` through and every other one refused with 429.
 */
export async function expectExactlyNOf5N(policy: RatePolicy, n: number, apps: readonly TestApp[] = [limitedApp().app]): Promise<void> {
  const bindings = { ...WITHOUT_UPSTASH, ...rateLimits({ api: { policy, timeoutMs: EXACTNESS_TIMEOUT_MS } }) };
  const ip = uniqueIpv4();
  let turn = 0;
  const responses = await concurrently(5 * n, () => from(apps[turn++ % apps.length]!, ip, bindings));
  expect(statusCounts(responses)).toEqual({ 200: n, 429: 4 * n });
  await expectRateLimited(responses.find((response) => response.status === 429)!);
}
