import { describe, expect, it, vi } from "vitest";
import { call, testApp } from "../helpers/app";
import { expectProblem } from "../helpers/problem";

const app = testApp((app) => {
  app.post("/v1/test/items", async (c) => c.json({ received: await c.req.json() }, 201));
  app.put("/v1/test/items/:id", async (c) => c.json({ received: await c.req.json() }));
  app.delete("/v1/test/items/:id", (c) => c.body(null, 204));
});
const LIMIT = { MAX_BODY_BYTES: "1024" };

const send = (body: BodyInit | null, contentType?: string, method = "POST", path = "/v1/test/items") =>
  call(app, path, { method, body, headers: contentType ? { "Content-Type": contentType } : {} }, LIMIT);

function stream(bytes: number): ReadableStream<Uint8Array> {
  const chunk = new TextEncoder().encode("x".repeat(256));
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= bytes) return controller.close();
      controller.enqueue(chunk);
      sent += chunk.length;
    },
  });
}

describe("body size limit", () => {
  it("answers 413 PAYLOAD_TOO_LARGE for a body over MAX_BODY_BYTES, naming the limit", async () => {
    const problem = await expectProblem(await send(JSON.stringify({ pad: "x".repeat(2000) }), "application/json"), {
      status: 413,
      code: "PAYLOAD_TOO_LARGE",
    });
    expect(problem.detail).toContain("1024");
  });

  it("counts a streamed body that declares no Content-Length", async () => {
    await expectProblem(await send(stream(4096), "application/json"), { status: 413, code: "PAYLOAD_TOO_LARGE" });
  });

  it("accepts a body at the limit", async () => {
    const body = JSON.stringify({ pad: "x".repeat(1024 - 10) });
    expect(body.length).toBe(1024);
    expect((await send(body, "application/json")).status).toBe(201);
  });

  it("applies to every body-carrying method, DELETE included", async () => {
    await expectProblem(await send("x".repeat(2048), "application/json", "DELETE", "/v1/test/items/1"), { status: 413, code: "PAYLOAD_TOO_LARGE" });
  });
});

describe("JSON content type", () => {
  it("answers 415 UNSUPPORTED_MEDIA_TYPE for text/plain", async () => {
    await expectProblem(await send('{"a":1}', "text/plain"), { status: 415, code: "UNSUPPORTED_MEDIA_TYPE" });
  });

  it("answers 415 for a body with no Content-Type, and for form posts", async () => {
    await expectProblem(await send(new TextEncoder().encode('{"a":1}')), { status: 415, code: "UNSUPPORTED_MEDIA_TYPE" });
    await expectProblem(await send("a=1", "application/x-www-form-urlencoded"), { status: 415, code: "UNSUPPORTED_MEDIA_TYPE" });
  });

  it("answers 415 for JSON declared in a charset other than UTF-8", async () => {
    await expectProblem(await send('{"a":1}', "application/json; charset=iso-8859-1"), { status: 415, code: "UNSUPPORTED_MEDIA_TYPE" });
  });

  it.each(["application/json", "application/json; charset=utf-8", 'application/json;charset="UTF-8"', "application/merge-patch+json", "APPLICATION/JSON"])(
    "accepts %s",
    async (contentType) => {
      const response = await send('{"a":1}', contentType, "PUT", "/v1/test/items/1");
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ received: { a: 1 } });
    },
  );

  it("lets a request without a body through", async () => {
    const response = await call(app, "/v1/test/items/1", { method: "DELETE" }, LIMIT);
    expect(response.status).toBe(204);
  });

  it("answers 404 rather than 415 for a path no route has", async () => {
    await expectProblem(await send("hello", "text/plain", "POST", "/v1/test/nowhere"), { status: 404, code: "NOT_FOUND" });
  });
});

describe("malformed JSON", () => {
  it("answers 400 MALFORMED_JSON when a handler parses a broken body itself", async () => {
    await expectProblem(await send('{"a":', "application/json"), { status: 400, code: "MALFORMED_JSON" });
  });

  it("still treats other SyntaxErrors as internal errors", async () => {
    const broken = testApp((app) => app.get("/v1/test/parse", (c) => c.json(JSON.parse("{secret internal detail"))));
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    await expectProblem(await call(broken, "/v1/test/parse"), { status: 500, code: "INTERNAL_ERROR" });
    errors.mockRestore();
  });

  it("answers 400 MALFORMED_JSON for a JSON body that does not parse, through the validator", async () => {
    const { createRoute, z } = await import("@hono/zod-openapi");
    const route = createRoute({
      method: "post",
      path: "/v1/test/validated",
      request: { body: { required: true, content: { "application/json": { schema: z.object({ a: z.number() }) } } } },
      responses: { 200: { description: "ok" } },
    });
    const validated = testApp((app) => app.openapi(route, (c) => c.body(null, 200)));
    const response = await call(validated, "/v1/test/validated", { method: "POST", body: "{oops", headers: { "Content-Type": "application/json" } });
    await expectProblem(response, { status: 400, code: "MALFORMED_JSON" });
  });
});
