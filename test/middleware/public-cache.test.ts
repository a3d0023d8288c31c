import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { API_VERSION, cacheVersion, OPENAPI_DOCUMENT_PATH } from "../../src/app";
import { createRouter } from "../../src/lib/create-router";
import { generateSigningKeySet } from "../../src/lib/tokens/key-generation";
import { publicCache, publicCacheKey } from "../../src/middleware/public-cache";
import type { Services } from "../../src/services/container";
import { call, testApp } from "../helpers/app";
import { bearer, createUser, signIn } from "../helpers/identity";

/** A host of the test's own: caches.default is shared by every test of the run. */
const origin = () => `http://cache-${crypto.randomUUID().slice(0, 8)}.test`;
const JWKS_PATH = "/.well-known/jwks.json";

/** What the middleware alone does, behind a route that answers with the headers a test gives it. */
function cachingApp(answer: { status?: number; headers?: Record<string, string> } = {}, cache: Cache = caches.default) {
  const app = createRouter();
  const handled = { count: 0 };
  app.use(async (c, next) => {
    c.set("services", { clock: () => Date.now() } as Services);
    await next();
  });
  app.use(publicCache({ paths: ["/doc"], version: () => "v-test", cache: () => cache }));
  app.get("/doc", (c) => {
    handled.count++;
    return new Response(JSON.stringify({ handled: handled.count }), {
      status: answer.status ?? 200,
      headers: { "Content-Type": "application/json", "Cache-Control": "public, max-age=60", ...answer.headers },
    });
  });
  const request = async (url: string, init?: RequestInit) => {
    const ctx = createExecutionContext();
    const response = await app.request(url, init, env, ctx);
    await waitOnExecutionContext(ctx);
    return response;
  };
  return { request, handled };
}

const stored = (url: string, version = "v-test") => caches.default.match(publicCacheKey(url, version));

/**
 * caches.default, with every `put` recorded: the runtime's cache refuses some answers by itself
 * (Set-Cookie, private, no-store), and these tests are about what the middleware offers it.
 */
function recordingCache() {
  const put = vi.fn((key: RequestInfo | URL, response: Response) => caches.default.put(key, response));
  return { cache: { match: (key: RequestInfo | URL) => caches.default.match(key), put } as unknown as Cache, put };
}

describe("the Cache API for public documents", () => {
  it("stores a public 200 after a miss and serves it next time without running the handler", async () => {
    const { request, handled } = cachingApp();
    const url = `${origin()}/doc`;
    expect(await (await request(url)).json()).toEqual({ handled: 1 });
    expect(await stored(url)).toBeDefined();
    expect(await (await request(url)).json()).toEqual({ handled: 1 });
    expect(handled.count).toBe(1);
  });

  it("keys by path and version only: another query string or another version is not served what was stored", async () => {
    const { request } = cachingApp();
    const base = origin();
    await request(`${base}/doc?first`);
    expect(await (await request(`${base}/doc?another=query`, { headers: { "X-Request-Id": "other", traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" } })).json()).toEqual({ handled: 1 });
    expect(await stored(`${base}/doc`, "another-version")).toBeUndefined();
  });

  it.each([
    ["Authorization", { Authorization: "Bearer not-checked-here" }],
    ["Cookie", { Cookie: "session=abc" }],
  ])("never serves a request carrying %s from the cache, nor stores its answer", async (_, headers) => {
    const { cache, put } = recordingCache();
    const { request } = cachingApp({}, cache);
    const url = `${origin()}/doc`;
    await request(url, { headers });
    expect(put).not.toHaveBeenCalled();
    await request(url);
    expect(await (await request(url, { headers })).json()).toEqual({ handled: 3 });
  });

  it.each([
    ["Cache-Control: private", { status: 200, headers: { "Cache-Control": "private, max-age=60" } }],
    ["Cache-Control: public, no-store", { status: 200, headers: { "Cache-Control": "public, no-store" } }],
    ["Cache-Control: public, no-cache", { status: 200, headers: { "Cache-Control": "public, no-cache" } }],
    ["Cache-Control without public", { status: 200, headers: { "Cache-Control": "max-age=60" } }],
    ["no Cache-Control", { status: 200, headers: { "Cache-Control": "" } }],
    ["a Set-Cookie", { status: 200, headers: { "Set-Cookie": "session=abc; Secure; HttpOnly" } }],
    ["status 203", { status: 203 }],
  ])("does not store an answer with %s", async (_, answer) => {
    const { cache, put } = recordingCache();
    const { request, handled } = cachingApp(answer, cache);
    const url = `${origin()}/doc`;
    await request(url);
    expect(put).not.toHaveBeenCalled();
    await request(url);
    expect(handled.count).toBe(2);
  });

  it("stores the document's headers, none of the request that filled it", async () => {
    const { request } = cachingApp({ headers: { "X-Request-Id": "filler", RateLimit: '"api";r=9;t=1', "Access-Control-Allow-Origin": "https://a.example", ETag: '"abc"' } });
    const url = `${origin()}/doc`;
    await request(url);
    const hit = (await stored(url))!;
    expect(hit.headers.get("ETag")).toBe('"abc"');
    expect(hit.headers.get("Cache-Control")).toBe("public, max-age=60");
    for (const name of ["X-Request-Id", "RateLimit", "Access-Control-Allow-Origin"]) expect(hit.headers.get(name), name).toBeNull();
  });

  it("answers a hit whose ETag the request names with 304 and no body", async () => {
    const { request, handled } = cachingApp({ headers: { ETag: '"abc"' } });
    const url = `${origin()}/doc`;
    await request(url);
    const response = await request(url, { headers: { "If-None-Match": 'W/"other", W/"abc"' } });
    expect(response.status).toBe(304);
    expect(response.body).toBeNull();
    expect(response.headers.get("ETag")).toBe('"abc"');
    expect(response.headers.get("Cache-Control")).toBe("public, max-age=60");
    expect(handled.count).toBe(1);
  });

  it("answers without the cache when the cache fails, and leaves it alone for a while", async () => {
    const failing = { match: vi.fn(() => Promise.reject(new Error("No Cache was configured"))), put: vi.fn() } as unknown as Cache;
    const app = createRouter();
    app.use(async (c, next) => {
      c.set("services", { clock: () => Date.now() } as Services);
      await next();
    });
    app.use(publicCache({ paths: ["/doc"], version: () => "v", cache: () => failing }));
    app.get("/doc", (c) => c.json({ ok: true }, 200, { "Cache-Control": "public, max-age=60" }));
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    for (const _ of [1, 2]) {
      const response = await app.request("/doc", undefined, env, createExecutionContext());
      expect(await response.json()).toEqual({ ok: true });
    }
    expect(failing.match).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls.some(([line]) => String(line).includes("cache api failed"))).toBe(true);
  });
});

describe("the app's public documents in the Cache API", () => {
  it("serves the OpenAPI document from the cache, without building it, with this request's own ids", async () => {
    const url = `${origin()}${OPENAPI_DOCUMENT_PATH}`;
    const first = await call(testApp(), url, { headers: { "X-Request-Id": "filler-1" } });
    expect(first.headers.get("Cache-Control")).toBe("public, max-age=300");
    const document = await first.text();
    expect(await stored(url, cacheVersion(env))).toBeDefined();

    const isolate = testApp();
    const build = vi.spyOn(isolate, "getOpenAPI31Document");
    const hit = await call(isolate, url, { headers: { "X-Request-Id": "hit-1" } });
    expect(hit.status).toBe(200);
    expect(await hit.text()).toBe(document);
    expect(build).not.toHaveBeenCalled();
    expect(hit.headers.get("X-Request-Id")).toBe("hit-1");
    expect(hit.headers.get("traceparent")).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    expect(hit.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(hit.headers.get("ETag")).toBe(first.headers.get("ETag"));
  });

  it("serves the JWKS from the cache without importing a key", async () => {
    const url = `${origin()}${JWKS_PATH}`;
    const filled = await (await call(testApp(), url)).json<{ keys: { kid: string }[] }>();
    // A key set this isolate has never imported: a hit does not even look at it.
    const unseen = JSON.stringify(await generateSigningKeySet());
    const importKey = vi.spyOn(crypto.subtle, "importKey");
    const hit = await call(testApp(), url, undefined, { JWT_SIGNING_KEYS: unseen });
    expect(await hit.json()).toEqual(filled);
    expect(importKey).not.toHaveBeenCalled();
  });

  it("keys the documents by the API version and the deployed version's id", () => {
    expect(cacheVersion({ CF_VERSION_METADATA: { id: "abc", tag: "", timestamp: "" } })).toBe(`${API_VERSION}+abc`);
    expect(cacheVersion({})).toBe(`${API_VERSION}+unversioned`);
  });

  it("never stores GET /v1/me, and serves nobody another's profile", async () => {
    const user = await createUser();
    const session = await signIn(user);
    const url = `${origin()}/v1/me`;
    const response = await call(testApp(), url, { headers: bearer(session.accessToken) });
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    expect(await stored(url, cacheVersion(env))).toBeUndefined();
    expect((await call(testApp(), url)).status).toBe(401);
  });

  it("does not serve the JWKS from the cache to a request with credentials", async () => {
    const url = `${origin()}${JWKS_PATH}`;
    await call(testApp(), url);
    const unseen = await generateSigningKeySet();
    const response = await call(testApp(), url, { headers: { Authorization: "Bearer whatever" } }, { JWT_SIGNING_KEYS: JSON.stringify(unseen) });
    const { keys } = await response.json<{ keys: { kid: string }[] }>();
    expect(keys.map((key) => key.kid)).toEqual(unseen.keys.map((key) => key.kid));
  });
});
