import { env, SELF } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import { createRouter } from "../../src/lib/create-router";
import { entityTagOf } from "../../src/lib/http/entity-tags";
import { etag } from "../../src/middleware/etag";
import { call, testApp, url } from "../helpers/app";

const big = { items: Array.from({ length: 50 }, (_, index) => ({ id: index, name: `item ${index}` })) };

const app = testApp((app) => {
  app.get("/v1/test/etag/json", (c) => c.json({ hello: "world" }));
  app.get("/v1/test/etag/big", (c) => c.json(big));
  app.get("/v1/test/etag/text", (c) => c.text("plain"));
  app.get("/v1/test/etag/json-string", (c) => c.body(JSON.stringify({ hello: "world" }), 200, { "Content-Type": "application/json" }));
  app.get("/v1/test/etag/headers", (c) => c.json({ hello: "wörld" }, 200, { "Cache-Control": "private, max-age=60", "X-Extra": "kept" }));
  app.get("/v1/test/etag/created", (c) => c.json({ created: true }, 201));
  app.get("/v1/test/etag/own", (c) => c.json({ own: true }, 200, { ETag: '"route-set"' }));
  app.get("/v1/test/etag/encoded", () => new Response(new Uint8Array([1, 2, 3]), { headers: { "Content-Type": "application/json", "Content-Encoding": "gzip" }, encodeBody: "manual" }));
  app.post("/v1/test/etag/json", (c) => c.json({ posted: true }));
  // c.json told otherwise by its handler: another type, an encoding, a status set beforehand.
  app.get("/v1/test/etag/json-as-text", (c) => c.json({ hello: "world" }, 200, { "content-type": "text/plain" }));
  app.get("/v1/test/etag/json-encoded", (c) => c.json({ hello: "world" }, { status: 200, headers: { "Content-Encoding": "br" } }));
  app.get("/v1/test/etag/json-accepted", (c) => {
    c.status(202);
    return c.json({ accepted: true });
  });
});

describe("ETag and If-None-Match", () => {
  it("tags a 200 JSON answer to a GET with a strong ETag, and answers 304 to a request naming it", async () => {
    const first = await call(app, "/v1/test/etag/json");
    const tag = first.headers.get("ETag")!;
    expect(tag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(await first.json()).toEqual({ hello: "world" });

    const again = await call(app, "/v1/test/etag/json", { headers: { "If-None-Match": tag, "X-Request-Id": "again-1" } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    expect(again.headers.get("ETag")).toBe(tag);
    expect(again.headers.get("Cache-Control")).toBe("no-store");
    expect(again.headers.get("Vary")).toContain("Origin");
    expect(again.headers.get("Content-Type")).toBeNull();
    expect(again.headers.get("X-Request-Id")).toBe("again-1");
  });

  it("tags what c.json made with the hash of exactly the bytes sent, states their length and keeps the handler's headers", async () => {
    const response = await call(app, "/v1/test/etag/headers");
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(response.headers.get("ETag")).toBe(await entityTagOf(bytes));
    expect(response.headers.get("Content-Length")).toBe(String(bytes.byteLength));
    expect(response.headers.get("Content-Type")).toBe("application/json");
    expect(response.headers.get("Cache-Control")).toBe("private, max-age=60");
    expect(response.headers.get("X-Extra")).toBe("kept");
    expect(JSON.parse(new TextDecoder().decode(bytes))).toEqual({ hello: "wörld" });
  });

  it("gives the same tag to the same JSON whether c.json made it or the body was read back", async () => {
    const made = await call(app, "/v1/test/etag/json");
    const readBack = await call(app, "/v1/test/etag/json-string");
    expect(readBack.headers.get("ETag")).toBe(made.headers.get("ETag"));
    expect(readBack.headers.get("Content-Length")).toBe(made.headers.get("Content-Length"));
  });

  it.each([
    ["a list naming it weakly", (tag: string) => `"other", W/${tag}`],
    ["*", () => "*"],
  ])("answers 304 to If-None-Match with %s", async (_, field) => {
    const tag = (await call(app, "/v1/test/etag/json")).headers.get("ETag")!;
    expect((await call(app, "/v1/test/etag/json", { headers: { "If-None-Match": field(tag) } })).status).toBe(304);
  });

  it("answers 200 with the body when If-None-Match names another tag", async () => {
    const response = await call(app, "/v1/test/etag/json", { headers: { "If-None-Match": '"0123"' } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ hello: "world" });
  });

  it("tags HEAD like GET", async () => {
    const tag = (await call(app, "/v1/test/etag/json")).headers.get("ETag");
    const head = await call(app, "/v1/test/etag/json", { method: "HEAD" });
    expect(head.headers.get("ETag")).toBe(tag);
  });

  it("keeps a tag the route set itself", async () => {
    const response = await call(app, "/v1/test/etag/own", { headers: { "If-None-Match": '"route-set"' } });
    expect(response.status).toBe(304);
    expect(response.headers.get("ETag")).toBe('"route-set"');
  });

  it.each([
    ["a POST", "/v1/test/etag/json", "POST"],
    ["a 201", "/v1/test/etag/created", "GET"],
    ["a text answer", "/v1/test/etag/text", "GET"],
    ["an encoded answer", "/v1/test/etag/encoded", "GET"],
    ["c.json given another type by its handler", "/v1/test/etag/json-as-text", "GET"],
    ["c.json given an encoding by its handler", "/v1/test/etag/json-encoded", "GET"],
    ["c.json after c.status(202)", "/v1/test/etag/json-accepted", "GET"],
    ["a problem", "/v1/test/etag/missing", "GET"],
  ])("leaves %s untagged and whole", async (_, path, method) => {
    const plain = await call(app, path, { method });
    const conditional = await call(app, path, { method, headers: { "If-None-Match": "*" } });
    expect(plain.headers.get("ETag")).toBeNull();
    expect(conditional.status).toBe(plain.status);
    expect(await conditional.arrayBuffer()).toEqual(await plain.arrayBuffer());
  });

  it("tags an answer whose headers are immutable (fetch(), the Cache API)", async () => {
    const alone = createRouter();
    alone.use(etag());
    alone.get("/proxied", () => fetch(`${inject("stack").controlUrl}/faults`));
    const response = await alone.request("/proxied", undefined, env);
    expect(response.headers.get("ETag")).toMatch(/^"[0-9a-f]{32}"$/);
    expect(await response.json()).toEqual({});
  });

  it("leaves a body longer than its bound untagged and whole", async () => {
    const alone = createRouter();
    alone.use(etag({ maxBodyBytes: 64 }));
    alone.get("/big", (c) => c.json(big));
    const response = await alone.request("/big", { headers: { "If-None-Match": "*" } }, env);
    expect(response.status).toBe(200);
    expect(response.headers.get("ETag")).toBeNull();
    expect(await response.json()).toEqual(big);
  });

  it("never tags /health, the hot path", async () => {
    expect((await SELF.fetch(url("/health"))).headers.get("ETag")).toBeNull();
  });
});
