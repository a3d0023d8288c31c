import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { z } from "zod";
import { call, testApp } from "../helpers/app";
import { allowConsoleError } from "../helpers/expected-noise";
import { testKey } from "../helpers/redis-keys";
import { receivedPosts, receiverEndpoint } from "../helpers/telemetry";

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN_ID = "00f067aa0ba902b7";
const TRACEPARENT = `00-${TRACE_ID}-${CALLER_SPAN_ID}-01`;
const HEX_16 = /^[0-9a-f]{16}$/;

let log: MockInstance<typeof console.log>;
let sent: MockInstance<typeof fetch>;

beforeEach(() => {
  log = vi.spyOn(console, "log").mockImplementation(() => {});
  // Calls through: the spy only watches what the Worker sends.
  sent = vi.spyOn(globalThis, "fetch");
});
afterEach(() => vi.restoreAllMocks());

interface SpanLine {
  msg: string;
  requestId: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: string;
  error: boolean;
  attributes: Record<string, unknown>;
}

const loggedLines = () => log.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>);
/** The outbound calls' spans, one line each. */
const spanLines = () => loggedLines().filter((line) => line.msg === "span") as unknown as SpanLine[];
/** The request's line, which is also its server span (its span ids, no line of its own). */
const requestLines = () => loggedLines().filter((line) => line.msg === "request");

/** The app with a route that makes one database query and one Redis command. */
const tracedApp = () =>
  testApp((app) =>
    app.get("/v1/test/traced/:id", async (c) => {
      const { db, redis } = c.var.services;
      await db.http.execute(sql`select ${c.req.param("id")}::text as id`);
      await redis!.get(testKey("tracing"));
      return c.json({ ok: true });
    }),
  );

/** What a collector must accept: OTLP/HTTP JSON's ExportTraceServiceRequest, as far as we send it. */
const OtlpValue = z.union([
  z.strictObject({ stringValue: z.string() }),
  z.strictObject({ intValue: z.string().regex(/^-?\d+$/) }),
  z.strictObject({ doubleValue: z.number() }),
  z.strictObject({ boolValue: z.boolean() }),
]);
const OtlpAttributes = z.array(z.strictObject({ key: z.string().min(1), value: OtlpValue }));
const OtlpSpan = z.strictObject({
  traceId: z.string().regex(/^[0-9a-f]{32}$/),
  spanId: z.string().regex(HEX_16),
  parentSpanId: z.string().regex(HEX_16).optional(),
  name: z.string().min(1),
  kind: z.union([z.literal(2), z.literal(3)]),
  startTimeUnixNano: z.string().regex(/^\d{19}$/),
  endTimeUnixNano: z.string().regex(/^\d{19}$/),
  attributes: OtlpAttributes,
  status: z.strictObject({ code: z.union([z.literal(0), z.literal(2)]) }),
});
const OtlpExport = z.strictObject({
  resourceSpans: z
    .array(
      z.strictObject({
        resource: z.strictObject({ attributes: OtlpAttributes }),
        scopeSpans: z.array(z.strictObject({ scope: z.strictObject({ name: z.string().min(1) }), spans: z.array(OtlpSpan).min(1) })).length(1),
      }),
    )
    .length(1),
});

describe("tracing", () => {
  it("records the request's span under the caller's and each outbound call under the request's", async () => {
    const response = await call(tracedApp(), "/v1/test/traced/42", { headers: { traceparent: TRACEPARENT, "X-Request-Id": "trace-1" } });
    expect(response.status).toBe(200);
    const requestSpanId = response.headers.get("traceparent")!.split("-")[2];

    expect(requestLines()).toEqual([
      expect.objectContaining({
        requestId: "trace-1",
        traceId: TRACE_ID,
        spanId: requestSpanId,
        parentSpanId: CALLER_SPAN_ID,
        method: "GET",
        route: "/v1/test/traced/:id",
        path: "/v1/test/traced/42",
        status: 200,
      }),
    ]);
    const calls = spanLines();
    // The request's span is its request line: no span line repeats it.
    expect(calls.map((span) => span.kind)).not.toContain("server");
    // The api rate limit's Upstash calls come first; the client sends commands as pipelines.
    expect(calls.map((span) => span.name)).toContain("postgresql query");
    expect(calls.filter((span) => span.name.startsWith("redis ")).length).toBeGreaterThanOrEqual(2);
    for (const span of calls) {
      expect(span).toMatchObject({ traceId: TRACE_ID, parentSpanId: requestSpanId, kind: "client", error: false });
      expect(span.spanId).toMatch(HEX_16);
      expect(span.spanId).not.toBe(requestSpanId);
    }
  });

  it("sends each call's own traceparent to Neon and Upstash over HTTP", async () => {
    await call(tracedApp(), "/v1/test/traced/7", { headers: { traceparent: TRACEPARENT } });
    const calls = spanLines();
    const query = calls.find((span) => span.name === "postgresql query");
    const command = calls.at(-1);
    expect(command?.name).toMatch(/^redis /);
    const traceparents = sent.mock.calls.map(([, init]) => new Headers(init?.headers).get("traceparent"));
    expect(traceparents).toContain(`00-${TRACE_ID}-${query!.spanId}-01`);
    expect(traceparents).toContain(`00-${TRACE_ID}-${command!.spanId}-01`);
  });

  it("records a failed call as an error and the request's 500 as one", async () => {
    const app = testApp((app) =>
      app.get("/v1/test/failing-query", async (c) => {
        await c.var.services.db.http.execute(sql`select * from no_such_table`);
        return c.json({});
      }),
    );
    allowConsoleError(/"msg":"unhandled error"/, "the route's query fails on purpose");
    expect((await call(app, "/v1/test/failing-query")).status).toBe(500);
    const query = spanLines().find((span) => span.name === "postgresql query");
    expect(requestLines()).toEqual([expect.objectContaining({ level: "error", status: 500, spanId: expect.stringMatching(HEX_16) })]);
    expect(query).toMatchObject({ name: "postgresql query", error: true, attributes: { "http.response.status_code": 400 } });
  });

  it("exports the request's spans as valid OTLP/HTTP JSON to the configured collector, after the response", async () => {
    const endpoint = receiverEndpoint("otlp");
    const response = await call(tracedApp(), "/v1/test/traced/9", { headers: { traceparent: TRACEPARENT } }, { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint.url });
    expect(response.status).toBe(200);

    const posts = await receivedPosts(endpoint);
    expect(posts.map((post) => [post.path, post.contentType])).toEqual([[`${endpoint.path}/v1/traces`, "application/json"]]);
    const exported = OtlpExport.parse(JSON.parse(posts[0]!.body));
    const { resource, scopeSpans } = exported.resourceSpans[0]!;
    expect(resource.attributes).toContainEqual({ key: "service.name", value: { stringValue: "edge-backend" } });
    const spans = scopeSpans[0]!.spans;
    // Exported: the request's server span (logged as its request line) and each call's client span.
    const [request] = requestLines();
    expect(spans.map((span) => [span.spanId, span.parentSpanId, span.traceId, span.kind])).toEqual([
      [request!.spanId, CALLER_SPAN_ID, TRACE_ID, 2],
      ...spanLines().map((line) => [line.spanId, line.parentSpanId, TRACE_ID, 3]),
    ]);
    for (const span of spans) expect(BigInt(span.endTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(span.startTimeUnixNano));
  });

  it("builds, logs and exports nothing with TRACING off", async () => {
    const endpoint = receiverEndpoint("otlp-off");
    const response = await call(tracedApp(), "/v1/test/traced/1", { headers: { traceparent: TRACEPARENT } }, { TRACING: "off", OTEL_EXPORTER_OTLP_ENDPOINT: endpoint.url });
    expect(response.status).toBe(200);
    expect(spanLines()).toEqual([]);
    expect(requestLines()).toHaveLength(1);
    expect(sent.mock.calls.map(([, init]) => new Headers(init?.headers).get("traceparent")).filter(Boolean)).toEqual([]);
    expect(await receivedPosts(endpoint)).toEqual([]);
  });

  it("keeps secret path values out of span attributes", async () => {
    const token = "Zm9yZ290LXBhc3N3b3JkLXRva2VuLXZhbHVlLTAxMjM0NTY3";
    const endpoint = receiverEndpoint("otlp-secret-path");
    const app = testApp((app) => app.get("/v1/test/reset/:token", (c) => c.json({})));
    await call(app, `/v1/test/reset/${token}`, undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint.url });
    expect(JSON.stringify(log.mock.calls)).not.toContain(token);
    expect(requestLines()[0]!.path).toBe("/v1/test/reset/:token");
    const posts = await receivedPosts(endpoint);
    expect(posts.map((post) => post.body).join("")).not.toContain(token);
    const [server] = OtlpExport.parse(JSON.parse(posts[0]!.body)).resourceSpans[0]!.scopeSpans[0]!.spans;
    expect(server!.attributes).toContainEqual({ key: "url.path", value: { stringValue: "/v1/test/reset/:token" } });
  });

  it("answers as usual and logs one warning when the collector cannot be reached", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const response = await call(tracedApp(), "/v1/test/traced/3", undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9/otlp" });
    expect(response.status).toBe(200);
    const warnings = warn.mock.calls.map(([line]) => JSON.parse(String(line)) as { msg: string; reason?: string });
    expect(warnings).toEqual([expect.objectContaining({ msg: "trace export failed", reason: "unreachable" })]);
  });
});
