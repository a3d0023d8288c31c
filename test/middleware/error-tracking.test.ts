import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { z } from "zod";
import { call, testApp } from "../helpers/app";
import { expectProblem } from "../helpers/problem";
import { receivedPosts, receiverDsn } from "../helpers/telemetry";

const FINGERPRINT = /^[0-9a-f]{16}$/;

let error: MockInstance<typeof console.error>;

beforeEach(() => {
  error = vi.spyOn(console, "error").mockImplementation(() => {});
});
afterEach(() => vi.restoreAllMocks());

function failsAt(): never {
  throw new TypeError('secret internal detail: cannot read "ada@example.com"');
}

const app = testApp((app) => {
  app.get("/v1/test/crash/:id", () => failsAt());
  app.get("/v1/test/other-crash", () => {
    throw new RangeError("out of range");
  });
});

const errorLines = () => error.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>).filter((line) => line.msg === "unhandled error");

/** A Sentry envelope: a header line, then an item header and its payload per item (https://develop.sentry.dev/sdk/envelopes/). */
const EnvelopeHeader = z.object({ event_id: z.string().regex(/^[0-9a-f]{32}$/), dsn: z.string().optional() });
const ItemHeader = z.object({ type: z.literal("event") });
const SentryEvent = z.object({
  event_id: z.string(),
  level: z.literal("error"),
  environment: z.literal("test"),
  fingerprint: z.array(z.string()).length(1),
  tags: z.object({ route: z.string(), method: z.string(), requestId: z.string() }),
  contexts: z.object({ trace: z.object({ trace_id: z.string().regex(/^[0-9a-f]{32}$/), span_id: z.string().regex(/^[0-9a-f]{16}$/) }) }),
  exception: z.object({
    values: z
      .array(z.object({ type: z.string(), value: z.string(), stacktrace: z.object({ frames: z.array(z.object({ function: z.string(), lineno: z.number() })).min(1) }) }))
      .min(1),
  }),
});

function parseEnvelope(body: string) {
  const [header, itemHeader, payload, ...rest] = body.split("\n").filter(Boolean);
  expect(rest).toEqual([]);
  EnvelopeHeader.parse(JSON.parse(header!));
  ItemHeader.parse(JSON.parse(itemHeader!));
  return SentryEvent.parse(JSON.parse(payload!));
}

describe("error tracking", () => {
  it("logs an unexpected error once with request id, route, fingerprint and frames, and answers a bare 500", async () => {
    const response = await call(app, "/v1/test/crash/1", { headers: { "X-Request-Id": "crash-1" } });
    const problem = await expectProblem(response, { status: 500, code: "INTERNAL_ERROR" });
    expect(Object.keys(problem).sort()).toEqual(["code", "detail", "instance", "requestId", "status", "title", "type"]);

    const lines = errorLines();
    expect(lines).toEqual([
      expect.objectContaining({ level: "error", requestId: "crash-1", route: "/v1/test/crash/:id", fingerprint: expect.stringMatching(FINGERPRINT) }),
    ]);
    const described = lines[0]!.error as { name: string; message: string; frames: string[] };
    expect(described.name).toBe("TypeError");
    expect(described.message).not.toContain("ada@example.com");
    expect(described.frames[0]).toContain("failsAt");
    expect(error).toHaveBeenCalledTimes(1);
  });

  it("gives one failure the same fingerprint every time, and another failure another", async () => {
    await call(app, "/v1/test/crash/1");
    await call(app, "/v1/test/crash/2");
    await call(app, "/v1/test/other-crash");
    const [first, second, other] = errorLines().map((line) => line.fingerprint);
    expect(second).toBe(first);
    expect(other).not.toBe(first);
  });

  it("sends one event to Sentry with the fingerprint, after the response, and no values", async () => {
    const dsn = receiverDsn();
    const response = await call(app, "/v1/test/crash/1", { headers: { "X-Request-Id": "crash-sentry" } }, { SENTRY_DSN: dsn.url });
    await expectProblem(response, { status: 500, code: "INTERNAL_ERROR" });

    const posts = await receivedPosts(dsn);
    expect(posts.map((post) => post.path)).toEqual([`${dsn.path}envelope/`]);
    const event = parseEnvelope(posts[0]!.body);
    expect(event.fingerprint).toEqual([errorLines()[0]!.fingerprint]);
    expect(event.tags).toEqual({ route: "/v1/test/crash/:id", method: "GET", requestId: "crash-sentry" });
    expect(event.contexts.trace.trace_id).toBe(response.headers.get("traceparent")!.split("-")[1]);
    expect(event.exception.values[0]).toMatchObject({ type: "TypeError" });
    expect(posts[0]!.body).not.toContain("ada@example.com");
    expect(posts[0]!.body).not.toContain("/v1/test/crash/1");
  });

  it("sends nothing for an expected problem", async () => {
    const dsn = receiverDsn();
    expect((await call(app, "/v1/missing", undefined, { SENTRY_DSN: dsn.url })).status).toBe(404);
    expect(await receivedPosts(dsn)).toEqual([]);
    expect(errorLines()).toEqual([]);
  });
});
