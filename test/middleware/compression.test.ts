import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createRouter } from "../../src/lib/create-router";
import { compression } from "../../src/middleware/compression";
import { call, testApp, url } from "../helpers/app";

/** Over 1 KB of JSON. */
const big = { items: Array.from({ length: 60 }, (_, index) => ({ id: index, name: `item number ${index}` })) };
const small = { hello: "world" };
const GZIP = { "Accept-Encoding": "gzip" };

const app = testApp((app) => {
  app.get("/v1/test/big", (c) => c.json(big, 200, { "Cache-Control": "public, max-age=60", Vary: "Origin" }));
  app.get("/v1/test/small", (c) => c.json(small));
  app.get("/v1/test/text", (c) => c.text("x".repeat(4096)));
  app.get("/v1/test/encoded", () => new Response(gzipped(JSON.stringify(big)), { headers: { "Content-Type": "application/json", "Content-Encoding": "gzip" }, encodeBody: "manual" }));
  app.get("/v1/test/empty", (c) => c.body(null, 204));
});

function gzipped(text: string): ReadableStream<Uint8Array> {
  return new Response(text).body!.pipeThrough(new CompressionStream("gzip"));
}

/** The bytes that leave the Worker, gunzipped. */
async function gunzip(response: Response): Promise<string> {
  return new Response(response.body!.pipeThrough(new DecompressionStream("gzip"))).text();
}

describe("compression", () => {
  it("gzips a JSON answer over 1 KB for a client that accepts gzip, and the bytes decode to the same JSON", async () => {
    const plain = await call(app, "/v1/test/big");
    const plainText = await plain.text();
    expect(plainText.length).toBeGreaterThan(1024);
    expect(plain.headers.get("Content-Encoding")).toBeNull();

    const response = await call(app, "/v1/test/big", { headers: GZIP });
    expect(response.headers.get("Content-Encoding")).toBe("gzip");
    expect(response.headers.get("Content-Length")).toBeNull();
    expect(response.headers.get("Vary")).toMatch(/^Origin, Accept-Encoding(, Origin)?$/);
    const bytes = new Uint8Array(await response.clone().arrayBuffer());
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
    expect(bytes.byteLength).toBeLessThan(plainText.length);
    expect(JSON.parse(await gunzip(response))).toEqual(big);
  });

  it("weakens the ETag of the gzipped bytes, and a conditional request with it still gets its 304", async () => {
    const plainTag = (await call(app, "/v1/test/big")).headers.get("ETag")!;
    const response = await call(app, "/v1/test/big", { headers: GZIP });
    expect(response.headers.get("ETag")).toBe(`W/${plainTag}`);
    const again = await call(app, "/v1/test/big", { headers: { ...GZIP, "If-None-Match": `W/${plainTag}` } });
    expect(again.status).toBe(304);
    expect(again.headers.get("Content-Encoding")).toBeNull();
  });

  it.each([
    ["gzip;q=0.5, br", true],
    ["*", true],
    ["br;q=1, *;q=0.1", true],
    ["gzip;q=0", false],
    ["*, gzip;q=0", false],
    ["br, deflate", false],
    ["identity", false],
  ])("honours Accept-Encoding %j (gzip: %s)", async (field, gzip) => {
    const response = await call(app, "/v1/test/big", { headers: { "Accept-Encoding": field } });
    expect(response.headers.get("Content-Encoding")).toBe(gzip ? "gzip" : null);
    expect(JSON.parse(gzip ? await gunzip(response) : await response.text())).toEqual(big);
  });

  it("says Vary: Accept-Encoding on a public JSON answer it sends plain, so a shared cache never hands the plain copy to a gzip client or the other way round", async () => {
    const plain = await call(app, "/v1/test/big", { headers: { "Accept-Encoding": "identity" } });
    expect(plain.headers.get("Content-Encoding")).toBeNull();
    expect(plain.headers.get("Vary")).toMatch(/^Origin, Accept-Encoding(, Origin)?$/);
    const notShared = await call(app, "/v1/test/small", { headers: { "Accept-Encoding": "identity" } });
    expect(notShared.headers.get("Vary") ?? "").not.toMatch(/accept-encoding/i);
  });

  it("gzips even a short answer for a client that refuses identity", async () => {
    const response = await call(app, "/v1/test/small", { headers: { "Accept-Encoding": "gzip, identity;q=0" } });
    expect(response.headers.get("Content-Encoding")).toBe("gzip");
    expect(JSON.parse(await gunzip(response))).toEqual(small);
  });

  it("gzips a large problem+json", async () => {
    const response = await call(app, "/v1/test/big-and-missing".padEnd(1500, "x"), { headers: GZIP });
    expect(response.status).toBe(404);
    expect(response.headers.get("Content-Type")).toContain("application/problem+json");
    expect(response.headers.get("Content-Encoding")).toBe("gzip");
    expect(JSON.parse(await gunzip(response))).toMatchObject({ status: 404, code: "NOT_FOUND" });
  });

  it.each([
    ["a JSON answer of 1 KB or less", "/v1/test/small", "GET"],
    ["an answer that is not JSON", "/v1/test/text", "GET"],
    ["an answer that is already encoded", "/v1/test/encoded", "GET"],
    ["a 204", "/v1/test/empty", "GET"],
    ["a HEAD", "/v1/test/big", "HEAD"],
    ["a short problem", "/v1/test/missing", "GET"],
  ])("leaves %s byte for byte as it was", async (_, path, method) => {
    // One request id for both: a problem names it.
    const plain = await call(app, path, { method, headers: { "X-Request-Id": "same" } });
    const offered = await call(app, path, { method, headers: { ...GZIP, "X-Request-Id": "same" } });
    expect(offered.status).toBe(plain.status);
    expect(offered.headers.get("Content-Encoding")).toBe(plain.headers.get("Content-Encoding"));
    expect(offered.headers.get("Vary")).toBe(plain.headers.get("Vary"));
    expect(new Uint8Array(await offered.arrayBuffer())).toEqual(new Uint8Array(await plain.arrayBuffer()));
  });

  it("never touches /health, the hot path", async () => {
    const response = await SELF.fetch(url("/health"), { headers: { "Accept-Encoding": "gzip, identity;q=0" } });
    expect(response.headers.get("Content-Encoding")).toBeNull();
  });

  it("gzips a body that arrives in many chunks past the threshold", async () => {
    const alone = createRouter();
    alone.use(compression({ thresholdBytes: 16 }));
    const text = JSON.stringify(big);
    alone.get("/chunks", () => {
      const bytes = new TextEncoder().encode(text);
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let offset = 0; offset < bytes.length; offset += 10) controller.enqueue(bytes.slice(offset, offset + 10));
          controller.close();
        },
      });
      return new Response(stream, { headers: { "Content-Type": "application/json" } });
    });
    const response = await alone.request("/chunks", { headers: GZIP }, env);
    expect(await gunzip(response)).toBe(text);
  });
});

describe("answers that state their length", () => {
  it("leaves a short JSON answer that states its length as it is, without reading its body", async () => {
    const alone = createRouter();
    alone.use(compression());
    const text = JSON.stringify({ ok: true });
    let pulled = false;
    alone.get("/short", () => {
      const stream = new ReadableStream<Uint8Array>(
        {
          pull(controller) {
            pulled = true;
            controller.enqueue(new TextEncoder().encode(text));
            controller.close();
          },
        },
        { highWaterMark: 0 },
      );
      return new Response(stream, { headers: { "Content-Type": "application/json", "Content-Length": String(text.length) } });
    });
    const response = await alone.request("/short", { headers: GZIP }, env);
    expect(pulled).toBe(false);
    expect(response.headers.get("Content-Encoding")).toBeNull();
    expect(await response.text()).toBe(text);
  });

  it("gives problems and tagged answers a Content-Length equal to their bytes", async () => {
    const app = testApp();
    for (const path of ["/v1/nope", "/.well-known/jwks.json"]) {
      const response = await call(app, path, { headers: GZIP });
      const bytes = new Uint8Array(await response.arrayBuffer());
      expect(response.headers.get("Content-Length"), path).toBe(String(bytes.byteLength));
    }
  });
});

describe("compression through the Worker's own fetch handler", () => {
  it("sends the OpenAPI document gzipped, and the gzip decodes to the same JSON", async () => {
    const plain = await SELF.fetch(url("/v1/openapi.json"));
    const document = await plain.json();
    // `encodeResponseBody: "manual"`: the bytes as they came, not decoded by this side's fetch.
    const response = await SELF.fetch(url("/v1/openapi.json"), { headers: GZIP, encodeResponseBody: "manual" });
    expect(response.headers.get("Content-Encoding")).toBe("gzip");
    const bytes = new Uint8Array(await response.arrayBuffer());
    // What crossed the runtime is gzip, sent as it was (encodeBody: "manual"), not encoded again.
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
    expect(JSON.parse(await gunzip(new Response(bytes)))).toEqual(document);
  });
});
