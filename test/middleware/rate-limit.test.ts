import { evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { RatePolicy } from "../../src/lib/rate-policy";
import { call } from "../helpers/app";
import { bearer, createUser, signIn } from "../helpers/identity";
import {
  counterFor,
  expectExactlyNOf5N,
  expectRateLimited,
  from,
  limitedApp,
  rateLimits,
  uniqueIpv4,
  uniqueIpv6Prefix,
  WITHOUT_UPSTASH,
} from "../helpers/rate-limits";

const HOUR = 3_600_000;
const N = 5;

/** Each algorithm at a limit of N, with nothing coming back during the test (the clock stands still). */
const algorithms: Array<[string, RatePolicy]> = [
  ["fixed window", { algorithm: "fixed-window", limit: N, windowMs: HOUR }],
  ["sliding window", { algorithm: "sliding-window", limit: N, windowMs: HOUR }],
  ["token bucket", { algorithm: "token-bucket", capacity: N, refillPerSecond: N / 3600 }],
];

describe("the api rate limit on the Durable Objects", () => {
  it.each(algorithms)("lets exactly N of 5N concurrent requests through under a %s, and refuses the rest with 429", async (_, policy) => {
    await expectExactlyNOf5N(policy, N);
  });

  it("sends RateLimit-Policy and RateLimit with the quota, what is left and when, and Retry-After on the refusal", async () => {
    const { app, time } = limitedApp();
    const bindings = { ...WITHOUT_UPSTASH, ...rateLimits({ api: { policy: { algorithm: "fixed-window", limit: 3, windowMs: 60_000 } } }) };
    const ip = uniqueIpv4();
    const first = await from(app, ip, bindings);
    expect(first.status).toBe(200);
    expect(first.headers.get("RateLimit-Policy")).toBe('"api";q=3;w=60');
    expect(first.headers.get("RateLimit")).toBe('"api";r=2;t=60');

    time.advance(15_000);
    expect((await from(app, ip, bindings)).headers.get("RateLimit")).toBe('"api";r=1;t=45');
    time.advance(15_000);
    expect((await from(app, ip, bindings)).headers.get("RateLimit")).toBe('"api";r=0;t=30');

    time.advance(10_000);
    const refused = await from(app, ip, bindings);
    expect(await expectRateLimited(refused)).toBe(20);
    expect(refused.headers.get("RateLimit-Policy")).toBe('"api";q=3;w=60');
    expect(refused.headers.get("RateLimit")).toBe('"api";r=0;t=20');

    time.advance(20_000);
    expect((await from(app, ip, bindings)).headers.get("RateLimit")).toBe('"api";r=2;t=60');
  });

  it("gives a token bucket's window as the time it takes to fill", async () => {
    const { app } = limitedApp();
    const bindings = { ...WITHOUT_UPSTASH, ...rateLimits({ api: { policy: { algorithm: "token-bucket", capacity: 10, refillPerSecond: 0.5 } } }) };
    const response = await from(app, uniqueIpv4(), bindings);
    expect(response.headers.get("RateLimit-Policy")).toBe('"api";q=10;w=20');
    expect(response.headers.get("RateLimit")).toBe('"api";r=9;t=2');
  });

  it("charges a write its cost and a read its own", async () => {
    const { app } = limitedApp();
    const bindings = { ...WITHOUT_UPSTASH, ...rateLimits({ api: { policy: { algorithm: "fixed-window", limit: 10, windowMs: HOUR }, cost: { read: 1, write: 4 } } }) };
    const ip = uniqueIpv4();
    const write = () => from(app, ip, bindings, "/v1/test/write", { method: "POST" });
    expect((await from(app, ip, bindings)).headers.get("RateLimit")).toMatch(/;r=9;/);
    expect((await write()).headers.get("RateLimit")).toMatch(/;r=5;/);
    expect((await write()).headers.get("RateLimit")).toMatch(/;r=1;/);
    // Four units are not left for a third write, but one is for a read.
    const refused = await write();
    await expectRateLimited(refused);
    expect(refused.headers.get("RateLimit")).toMatch(/;r=1;/);
    const read = await from(app, ip, bindings);
    expect(read.status).toBe(200);
    expect(read.headers.get("RateLimit")).toMatch(/;r=0;/);
  });

  it("keeps the count when the Durable Object is evicted", async () => {
    const { app } = limitedApp();
    const limits = rateLimits({ api: { policy: { algorithm: "fixed-window", limit: N, windowMs: HOUR } } });
    const bindings = { ...WITHOUT_UPSTASH, ...limits };
    const ip = uniqueIpv4();
    for (let request = 0; request < N - 1; request++) expect((await from(app, ip, bindings)).status).toBe(200);

    await evictDurableObject(await counterFor(limits.keyPrefix, `api:client:${ip}`));
    expect((await from(app, ip, bindings)).status).toBe(200);
    await expectRateLimited(await from(app, ip, bindings));
  });

  it("counts an IPv4 client by its address", async () => {
    const { app } = limitedApp();
    const bindings = { ...WITHOUT_UPSTASH, ...rateLimits({ api: { policy: { algorithm: "fixed-window", limit: 2, windowMs: HOUR } } }) };
    const [ip, neighbour] = [uniqueIpv4(), uniqueIpv4()];
    await from(app, ip, bindings);
    await from(app, ip, bindings);
    await expectRateLimited(await from(app, ip, bindings));
    expect((await from(app, neighbour, bindings)).status).toBe(200);
  });

  it("counts an IPv6 client by its /64: any address inside it shares the count, another /64 has its own", async () => {
    const { app } = limitedApp();
    const bindings = { ...WITHOUT_UPSTASH, ...rateLimits({ api: { policy: { algorithm: "fixed-window", limit: 2, windowMs: HOUR } } }) };
    const prefix = uniqueIpv6Prefix();
    expect((await from(app, `${prefix}::1`, bindings)).status).toBe(200);
    expect((await from(app, `${prefix}:aaaa:bbbb:cccc:dddd`, bindings)).status).toBe(200);
    await expectRateLimited(await from(app, `${prefix}::ffff`, bindings));
    expect((await from(app, `${uniqueIpv6Prefix()}::1`, bindings)).status).toBe(200);
  });

  it("counts signed-in requests per user, whatever their address, apart from the address's anonymous ones", async () => {
    const { app } = limitedApp();
    const bindings = { ...WITHOUT_UPSTASH, ...rateLimits({ api: { policy: { algorithm: "fixed-window", limit: 2, windowMs: HOUR } } }) };
    const [ada, bob] = await Promise.all([createUser(), createUser()]);
    const [adaTokens, bobTokens] = await Promise.all([signIn(ada), signIn(bob)]);
    const ip = uniqueIpv4();
    const as = (accessToken: string, address: string) => from(app, address, bindings, "/v1/test/read", { headers: bearer(accessToken) });

    expect((await as(adaTokens.accessToken, ip)).status).toBe(200);
    expect((await as(adaTokens.accessToken, uniqueIpv4())).status).toBe(200);
    await expectRateLimited(await as(adaTokens.accessToken, uniqueIpv4()));

    // Another user, and anonymous requests, from Ada's first address are counted apart.
    expect((await as(bobTokens.accessToken, ip)).status).toBe(200);
    expect((await from(app, ip, bindings)).status).toBe(200);
    expect((await from(app, ip, bindings)).status).toBe(200);
    await expectRateLimited(await from(app, ip, bindings));
  });

  it("counts a request with an invalid token per client, and still refuses it on a route that needs a user", async () => {
    const { app } = limitedApp();
    const bindings = { ...WITHOUT_UPSTASH, ...rateLimits({ api: { policy: { algorithm: "fixed-window", limit: 2, windowMs: HOUR } } }) };
    const ip = uniqueIpv4();
    const forged = bearer("eyJhbGciOiJFUzI1NiJ9.e30.c2lnbmF0dXJl");
    const me = await from(app, ip, bindings, "/v1/me", { headers: forged });
    expect(me.status).toBe(401);
    expect(me.headers.get("RateLimit")).toBe('"api";r=1;t=3600');
    expect((await from(app, ip, bindings, "/v1/test/read", { headers: forged })).status).toBe(200);
    await expectRateLimited(await from(app, ip, bindings, "/v1/me", { headers: forged }));
  });

  it("is off for the api group when RATE_LIMITS says so", async () => {
    const { app } = limitedApp();
    const bindings = { ...WITHOUT_UPSTASH, ...rateLimits({ api: "off" }) };
    const response = await from(app, uniqueIpv4(), bindings);
    expect(response.status).toBe(200);
    expect(response.headers.get("RateLimit")).toBeNull();
    expect(response.headers.get("RateLimit-Policy")).toBeNull();
  });

  it("lets a browser on an allowed origin read the fields", async () => {
    const { app } = limitedApp();
    const origin = "https://app.example.com";
    const response = await from(app, uniqueIpv4(), { ...WITHOUT_UPSTASH, ...rateLimits({}), CORS_ORIGINS: origin }, "/v1/test/read", { headers: { Origin: origin } });
    const exposed = response.headers.get("Access-Control-Expose-Headers")?.split(/,\s*/) ?? [];
    expect(exposed).toEqual(expect.arrayContaining(["RateLimit-Policy", "RateLimit", "Retry-After"]));
  });
});

describe("the rate limits on every /v1 route", () => {
  it("limit each route of the OpenAPI document, the authentication flows under `auth` and the rest under `api`", async () => {
    const { app } = limitedApp();
    const bindings = { ...WITHOUT_UPSTASH, ...rateLimits({}) };
    const document = (await (await call(app, "/v1/openapi.json", {}, bindings)).json()) as { paths: Record<string, Record<string, unknown>> };
    const flows = new Set(["post /v1/auth/login", "post /v1/auth/register", "post /v1/auth/password/forgot", "post /v1/auth/password/reset", "post /v1/auth/email/verification"]);
    const seen: string[] = [];
    for (const [path, operations] of Object.entries(document.paths)) {
      if (!path.startsWith("/v1/")) continue;
      for (const method of Object.keys(operations)) {
        const route = `${method} ${path}`;
        // No body and no token: each answers 400 or 401, after the limit.
        const response = await from(app, uniqueIpv4(), bindings, path.replaceAll(/\{\w+\}/g, "x"), { method: method.toUpperCase() });
        expect(response.headers.get("RateLimit-Policy"), route).toMatch(flows.has(route) ? /^"auth";/ : /^"api";/);
        seen.push(route);
      }
    }
    expect(seen).toEqual(expect.arrayContaining([...flows, "get /v1/me", "post /v1/auth/refresh"]));
  });
});

describe("the auth rate limit", () => {
  it("counts the authentication flows per client on the Durable Objects, apart from the api group", async () => {
    const { app } = limitedApp();
    const bindings = rateLimits({
      auth: { policy: { algorithm: "fixed-window", limit: 2, windowMs: HOUR } },
      api: { policy: { algorithm: "fixed-window", limit: 1, windowMs: HOUR } },
    });
    const ip = uniqueIpv4();
    const forgot = () =>
      from(app, ip, bindings, "/v1/auth/password/forgot", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ email: "nobody@example.test" }) });
    const accepted = await forgot();
    expect(accepted.status).toBe(202);
    expect(accepted.headers.get("RateLimit-Policy")).toBe('"auth";q=2;w=3600');
    expect(accepted.headers.get("RateLimit")).toBe('"auth";r=1;t=3600');
    expect((await forgot()).status).toBe(202);
    const refused = await forgot();
    await expectRateLimited(refused);
    expect(refused.headers.get("RateLimit-Policy")).toMatch(/^"auth";/);
    // The api group counted none of them.
    expect((await from(app, ip, bindings)).status).toBe(200);
  });
});
