import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { formatTraceparent, parseTraceparent, startTrace, traceHeaders } from "../../src/lib/trace-context";
import { call, testApp, url } from "../helpers/app";

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_ID = "00f067aa0ba902b7";
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

const traced = (traceparent: string) => SELF.fetch(url("/health"), { headers: { traceparent } });

function responseTrace(response: Response) {
  const match = TRACEPARENT.exec(response.headers.get("traceparent") ?? "");
  expect(match).not.toBeNull();
  return { traceId: match![1]!, spanId: match![2]!, flags: match![3]! };
}

describe("W3C trace context", () => {
  it("keeps the caller's trace id and answers with a new span id of its own", async () => {
    const trace = responseTrace(await traced(`00-${TRACE_ID}-${PARENT_ID}-01`));
    expect(trace.traceId).toBe(TRACE_ID);
    expect(trace.spanId).not.toBe(PARENT_ID);
    expect(trace.spanId).not.toBe("0000000000000000");
    expect(trace.flags).toBe("01");
  });

  it("keeps an unsampled caller unsampled", async () => {
    expect(responseTrace(await traced(`00-${TRACE_ID}-${PARENT_ID}-00`)).flags).toBe("00");
  });

  it("starts a fresh trace when there is no traceparent", async () => {
    const trace = responseTrace(await SELF.fetch(url("/health")));
    expect(trace.traceId).not.toBe("0".repeat(32));
  });

  it.each([
    ["an all-zero trace id", `00-${"0".repeat(32)}-${PARENT_ID}-01`],
    ["an all-zero parent id", `00-${TRACE_ID}-${"0".repeat(16)}-01`],
    ["version ff", `ff-${TRACE_ID}-${PARENT_ID}-01`],
    ["upper-case hex", `00-${TRACE_ID.toUpperCase()}-${PARENT_ID}-01`],
    ["a short trace id", `00-${TRACE_ID.slice(1)}-${PARENT_ID}-01`],
    ["trailing data on version 00", `00-${TRACE_ID}-${PARENT_ID}-01-extra`],
    ["garbage", "not-a-traceparent"],
  ])("ignores a traceparent with %s and starts a fresh trace", async (_, header) => {
    const trace = responseTrace(await traced(header));
    expect(trace.traceId).not.toBe(TRACE_ID);
  });

  it("accepts a later version with extra fields, as the spec asks", () => {
    expect(parseTraceparent(`01-${TRACE_ID}-${PARENT_ID}-01-what-comes-next`)).toMatchObject({ traceId: TRACE_ID, parentId: PARENT_ID });
  });

  it("carries the traceparent on error responses too", async () => {
    const response = await SELF.fetch(url("/v1/missing"), { headers: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` } });
    expect(response.status).toBe(404);
    expect(responseTrace(response).traceId).toBe(TRACE_ID);
  });

  it("exposes the trace on c.var and builds outgoing headers that name this request's span", async () => {
    const app = testApp((app) => app.get("/v1/test/trace", (c) => c.json({ traceId: c.var.traceId, outgoing: traceHeaders(c.var.trace) })));
    const response = await call(app, "/v1/test/trace", { headers: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01`, tracestate: "vendor=x" } });
    const body = await response.json<{ traceId: string; outgoing: Record<string, string> }>();
    expect(body.traceId).toBe(TRACE_ID);
    expect(body.outgoing.traceparent).toBe(response.headers.get("traceparent"));
    expect(body.outgoing.tracestate).toBe("vendor=x");
  });

  it("formats what it parses", () => {
    const trace = startTrace(`00-${TRACE_ID}-${PARENT_ID}-01`);
    expect(trace.parentSpanId).toBe(PARENT_ID);
    expect(parseTraceparent(formatTraceparent(trace))).toEqual({ version: "00", traceId: TRACE_ID, parentId: trace.spanId, flags: "01" });
  });
});
