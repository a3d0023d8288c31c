import { describe, expect, it } from "vitest";
import { floor } from "../../bench/middleware-floor";
import { call, testApp } from "../helpers/app";

// npm run bench and bench:middleware measure the app against this floor; a floor that sent less than
// the app must would make the app's design look dearer than it is. Values that differ per request
// (ids, the remaining units) are compared by name only.
const PER_REQUEST = new Set(["x-request-id", "traceparent", "ratelimit"]);

const app = testApp((app) => app.get("/v1/bench/ping", (c) => c.json({ ok: true })));
const bare = floor();

async function answers(path: string, init?: RequestInit) {
  const [fromApp, fromFloor] = [await call(app, path, init), await bare.request(path, init)];
  return { fromApp, fromFloor };
}

function fixedHeaders(response: Response): [string, string][] {
  return [...response.headers].filter(([name]) => !PER_REQUEST.has(name));
}

function headerNames(response: Response): string[] {
  return [...response.headers.keys()];
}

describe("the bench's floor", () => {
  for (const path of ["/health", "/v1/bench/ping"]) {
    it(`answers ${path} with the app's status, body and headers`, async () => {
      const { fromApp, fromFloor } = await answers(path);
      expect(fromFloor.status).toBe(fromApp.status);
      expect(await fromFloor.text()).toBe(await fromApp.text());
      expect(headerNames(fromFloor)).toEqual(headerNames(fromApp));
      expect(fixedHeaders(fromFloor)).toEqual(fixedHeaders(fromApp));
    });
  }

  it("keeps a well-formed request id and continues a trace, as the app does", async () => {
    const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    const init = { headers: { "X-Request-Id": "bench-floor-1", traceparent } };
    const { fromApp, fromFloor } = await answers("/v1/bench/ping", init);
    expect(fromFloor.headers.get("X-Request-Id")).toBe("bench-floor-1");
    expect(fromApp.headers.get("X-Request-Id")).toBe("bench-floor-1");
    for (const response of [fromApp, fromFloor]) {
      expect(response.headers.get("traceparent")).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
    }
  });

  it("answers the ping's own ETag with 304, as the app does", async () => {
    const etag = (await call(app, "/v1/bench/ping")).headers.get("ETag")!;
    const { fromApp, fromFloor } = await answers("/v1/bench/ping", { headers: { "If-None-Match": etag } });
    expect([fromApp.status, fromFloor.status]).toEqual([304, 304]);
    expect(await fromFloor.text()).toBe("");
    expect(fixedHeaders(fromFloor)).toEqual(fixedHeaders(fromApp));
    expect(headerNames(fromFloor)).toEqual(headerNames(fromApp));
  });
});
