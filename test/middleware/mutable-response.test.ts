import { env } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import { call, testApp } from "../helpers/app";

/** The test-only Durable Object of test/fixtures/durable-objects.js. */
const echoObjects = () => (env as unknown as { ECHO_OBJECT: DurableObjectNamespace }).ECHO_OBJECT;
const ALLOWED_ORIGIN = "http://localhost:3000";

const app = testApp((app) => {
  // A proxied upstream response: fetch() gives it immutable headers.
  app.get("/v1/test/proxied", () => fetch(`${inject("stack").controlUrl}/faults`));
  app.get("/v1/test/object", (c) => echoObjects().get(echoObjects().idFromName("one")).fetch(c.req.raw));
  app.get("/v1/test/socket", (c) => echoObjects().get(echoObjects().idFromName("one")).fetch(c.req.raw));
});

/** What the global middleware adds to every response after the handler. */
function expectGlobalHeaders(response: Response, requestId: string, origin?: string): void {
  expect(response.headers.get("X-Request-Id")).toBe(requestId);
  expect(response.headers.get("traceparent")).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
  expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
  expect(response.headers.get("Access-Control-Allow-Origin")).toBe(origin ?? null);
}

// CORS for an allowed origin touches the response before the handler runs, which makes Hono copy
// whatever the handler returns: the cases without an Origin are the ones that would break.
describe.each([
  ["without an Origin", undefined],
  ["from an allowed origin", ALLOWED_ORIGIN],
])("responses with immutable headers, %s", (_, origin) => {
  const headers = (requestId: string, extra: Record<string, string> = {}) => ({
    "X-Request-Id": requestId,
    ...(origin ? { Origin: origin } : {}),
    ...extra,
  });

  it("passes a fetch() response through the middleware with its status, body and headers", async () => {
    const response = await call(app, "/v1/test/proxied", { headers: headers("proxied-1") });
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toContain("application/json");
    expect(await response.json()).toEqual({});
    expectGlobalHeaders(response, "proxied-1", origin);
  });

  it("passes a Durable Object's response through the middleware", async () => {
    const response = await call(app, "/v1/test/object", { headers: headers("object-1") });
    expect(response.status).toBe(200);
    expect(response.headers.get("X-From-Object")).toBe("yes");
    expect(await response.text()).toBe("from the object");
    expectGlobalHeaders(response, "object-1", origin);
  });

  it("keeps a Durable Object's WebSocket upgrade: status 101 with a working webSocket", async () => {
    const response = await call(app, "/v1/test/socket", { headers: headers("socket-1", { Upgrade: "websocket" }) });
    expect(response.status).toBe(101);
    expectGlobalHeaders(response, "socket-1", origin);
    const socket = response.webSocket!;
    expect(socket).toBeTruthy();
    socket.accept();
    const reply = new Promise<string>((resolve) => socket.addEventListener("message", (event) => resolve(String(event.data))));
    socket.send("hello");
    expect(await reply).toBe("echo:hello");
    socket.close(1000, "done");
  });
});
