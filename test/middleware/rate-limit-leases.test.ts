import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { RateCounter } from "../../src/durable-objects/rate-counter";
import type { RatePolicy } from "../../src/lib/rate-policy";
import { concurrently, counterFor, expectExactlyNOf5N, from, limitedApp, rateLimits, statusCounts, uniqueIpv4, WITHOUT_UPSTASH } from "../helpers/rate-limits";

const HOUR = 3_600_000;
/** A limit large enough to lease: a tenth of it, 5 units, per lease. */
const N = 50;
const LEASE = 5;
const fixedWindow: RatePolicy = { algorithm: "fixed-window", limit: N, windowMs: HOUR };

const algorithms: Array<[string, RatePolicy]> = [
  ["fixed window", fixedWindow],
  ["sliding window", { algorithm: "sliding-window", limit: N, windowMs: HOUR }],
  ["token bucket", { algorithm: "token-bucket", capacity: N, refillPerSecond: N / 3600 }],
];

/** The RATE_COUNTER namespace, recording each call its objects get (`lease`, `consume`). */
function countingNamespace(namespace: DurableObjectNamespace<RateCounter> = env.RATE_COUNTER) {
  const calls: string[] = [];
  const counting = {
    idFromName: (name: string) => namespace.idFromName(name),
    get(id: DurableObjectId) {
      const stub = namespace.get(id);
      return {
        lease: (...args: Parameters<RateCounter["lease"]>) => (calls.push("lease"), stub.lease(...args)),
        consume: (...args: Parameters<RateCounter["consume"]>) => (calls.push("consume"), stub.consume(...args)),
      };
    },
  };
  return { calls, namespace: counting as unknown as DurableObjectNamespace<RateCounter> };
}

/** What the key's object has left under `policy`, asked at `now`. */
async function leftAt(keyPrefix: string, ip: string, policy: RatePolicy, now: number): Promise<number> {
  const counter = (await counterFor(keyPrefix, `api:client:${ip}`)) as unknown as DurableObjectStub<RateCounter>;
  return (await counter.peek(policy, now)).remaining;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the api rate limit's leases on the Durable Objects", () => {
  it("takes a lease of a tenth of the limit in one call and spends it on the next requests, telling each what the object had left", async () => {
    const { app, time } = limitedApp();
    const { calls, namespace } = countingNamespace();
    const limits = rateLimits({ api: { policy: fixedWindow } });
    const bindings = { ...WITHOUT_UPSTASH, ...limits, RATE_COUNTER: namespace };
    const ip = uniqueIpv4();
    for (let request = 0; request < LEASE; request++) {
      const response = await from(app, ip, bindings);
      expect(response.status).toBe(200);
      expect(response.headers.get("RateLimit")).toBe(`"api";r=${N - LEASE};t=3600`);
    }
    expect(calls).toEqual(["lease"]);
    expect(await leftAt(limits.keyPrefix, ip, fixedWindow, time.clock())).toBe(N - LEASE);

    expect((await from(app, ip, bindings)).headers.get("RateLimit")).toBe(`"api";r=${N - 2 * LEASE};t=3600`);
    expect(calls).toEqual(["lease", "lease"]);
  });

  it("shares one call among the concurrent requests of a key", async () => {
    const { app } = limitedApp();
    const { calls, namespace } = countingNamespace();
    const bindings = { ...WITHOUT_UPSTASH, ...rateLimits({ api: { policy: fixedWindow } }), RATE_COUNTER: namespace };
    const ip = uniqueIpv4();
    expect(statusCounts(await concurrently(2 * LEASE, () => from(app, ip, bindings)))).toEqual({ 200: 2 * LEASE });
    expect(calls).toEqual(["lease", "lease"]);
  });

  it("lets leased units go after a second, so they cannot be saved up for a burst", async () => {
    const { app, time } = limitedApp();
    const { calls, namespace } = countingNamespace();
    const limits = rateLimits({ api: { policy: fixedWindow } });
    const bindings = { ...WITHOUT_UPSTASH, ...limits, RATE_COUNTER: namespace };
    const ip = uniqueIpv4();
    await from(app, ip, bindings);
    time.advance(999);
    await from(app, ip, bindings);
    expect(calls).toEqual(["lease"]);
    time.advance(1);
    await from(app, ip, bindings);
    expect(calls).toEqual(["lease", "lease"]);
    // The three units left of the first lease are lost, not handed back.
    expect(await leftAt(limits.keyPrefix, ip, fixedWindow, time.clock())).toBe(N - 2 * LEASE);
  });

  it("lets leased units go when the fixed window they were counted in ends, however soon", async () => {
    const { app, time } = limitedApp();
    const { calls, namespace } = countingNamespace();
    const policy: RatePolicy = { algorithm: "fixed-window", limit: N, windowMs: 300 };
    const bindings = { ...WITHOUT_UPSTASH, ...rateLimits({ api: { policy } }), RATE_COUNTER: namespace };
    const ip = uniqueIpv4();
    await from(app, ip, bindings);
    time.advance(299);
    await from(app, ip, bindings);
    expect(calls).toEqual(["lease"]);
    time.advance(1);
    await from(app, ip, bindings);
    expect(calls).toEqual(["lease", "lease"]);
  });

  it.each(algorithms)("lets exactly N of 5N concurrent requests through one isolate under a %s", async (_, policy) => {
    await expectExactlyNOf5N(policy, N);
  });

  it.each(algorithms)("lets exactly N of 5N concurrent requests through two isolates together under a %s", async (_, policy) => {
    await expectExactlyNOf5N(policy, N, [limitedApp().app, limitedApp().app]);
  });

  it("counts a policy with a small limit request by request, as without leases", async () => {
    const { app } = limitedApp();
    const { calls, namespace } = countingNamespace();
    const bindings = { ...WITHOUT_UPSTASH, ...rateLimits({ api: { policy: { algorithm: "fixed-window", limit: 19, windowMs: HOUR } } }), RATE_COUNTER: namespace };
    const ip = uniqueIpv4();
    for (let request = 0; request < 3; request++) await from(app, ip, bindings);
    expect(calls).toEqual(["consume", "consume", "consume"]);
  });

  it("still fails open to the isolate's cap when the object cannot be reached, for every request waiting on the lease", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const { app } = limitedApp();
    const calls: string[] = [];
    const answer = () => (calls.push("lease"), Promise.reject<never>(new Error("Durable Object unreachable")));
    const broken = { idFromName: (name: string) => ({ name }), get: () => ({ lease: answer, consume: answer }) };
    const bindings = { ...WITHOUT_UPSTASH, ...rateLimits({ api: { policy: fixedWindow, timeoutMs: 50 } }), RATE_COUNTER: broken };
    const ip = uniqueIpv4();
    const responses = await concurrently(3, () => from(app, ip, bindings));
    expect(statusCounts(responses)).toEqual({ 200: 3 });
    expect(calls).toEqual(["lease"]);
    const lines = warn.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>).filter((line) => line.msg === "rate limit failed open");
    expect(lines).toEqual([1, 2, 3].map((failOpens) => expect.objectContaining({ backend: "durable-object", reason: "unreachable", failOpens })));
  });
});

describe("the auth rate limit", () => {
  it("never leases: one consume per request, whatever its limit", async () => {
    const { app } = limitedApp();
    const { calls, namespace } = countingNamespace();
    const bindings = { ...rateLimits({ auth: { policy: fixedWindow } }), RATE_COUNTER: namespace };
    const ip = uniqueIpv4();
    const forgot = () =>
      from(app, ip, bindings, "/v1/auth/password/forgot", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ email: "nobody@example.test" }) });
    for (let request = 0; request < 3; request++) expect((await forgot()).status).toBe(202);
    expect(calls).toEqual(["consume", "consume", "consume"]);
  });
});
