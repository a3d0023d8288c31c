import { env } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { RateCounter } from "../../src/durable-objects/rate-counter";
import { DependencyUnavailableError } from "../../src/lib/errors";
import { createRateCounters, type RatePolicy } from "../../src/lib/rate-counter";
import { call, testApp } from "../helpers/app";
import { expectProblem } from "../helpers/problem";

const MINUTE = 60_000;
const policy: RatePolicy = { algorithm: "fixed-window", limit: 3, windowMs: MINUTE };
/** Short, so a call that waits for it has been bounded; a stalled counter never answers at all. */
const TIMEOUT_MS = 50;

type Namespace = DurableObjectNamespace<RateCounter>;

/** A key of its own for each test. */
const key = () => `test:${crypto.randomUUID()}`;

/** A clock the test moves by hand, starting a little ahead of the real one (clean-up alarms stay in the future). */
function testClock() {
  let now = Date.now() + MINUTE;
  const clock = () => now;
  return Object.assign(clock, { advance: (ms: number) => (now += ms) });
}

/** The real namespace, recording the object names the client asks for. */
function recordingNamespace(names: string[]): Namespace {
  return {
    idFromName: (name: string) => {
      names.push(name);
      return env.RATE_COUNTER.idFromName(name);
    },
    get: (id: DurableObjectId) => env.RATE_COUNTER.get(id),
  } as unknown as Namespace;
}

/** A namespace whose objects answer every call with `answer()`: our own client's failure paths, not the platform's. */
function fakeNamespace(answer: () => Promise<unknown>, calls: string[] = []): Namespace {
  const stub = new Proxy({}, { get: (_, method) => (...args: unknown[]) => (calls.push(String(method)), answer()) });
  return { idFromName: (name: string) => ({ name }), get: () => stub } as unknown as Namespace;
}

const stalled = () => fakeNamespace(() => new Promise(() => {}));

describe("the rate counter client", () => {
  it("consumes, peeks and resets a key's counter on its Durable Object, on the injected clock", async () => {
    const clock = testClock();
    const counters = createRateCounters(env.RATE_COUNTER, { clock });
    const name = key();
    expect(await counters.consume(name, policy, 2)).toMatchObject({ allowed: true, remaining: 1, resetAt: clock() + MINUTE });
    expect(await counters.consume(name, policy)).toMatchObject({ allowed: true, remaining: 0 });
    const refused = await counters.consume(name, policy);
    expect(refused).toMatchObject({ allowed: false, retryAfterMs: MINUTE });
    expect(await counters.peek(name, policy)).toEqual(refused);

    clock.advance(MINUTE);
    expect(await counters.peek(name, policy)).toMatchObject({ allowed: true, remaining: 3 });
    await counters.consume(name, policy, 3);
    await counters.reset(name);
    expect(await counters.peek(name, policy)).toMatchObject({ allowed: true, remaining: 3 });
  });

  it("counts each key apart and the same key together, across clients", async () => {
    const [first, second] = [key(), key()];
    await createRateCounters(env.RATE_COUNTER).consume(first, policy, 3);
    expect(await createRateCounters(env.RATE_COUNTER).peek(first, policy)).toMatchObject({ allowed: false });
    expect(await createRateCounters(env.RATE_COUNTER).peek(second, policy)).toMatchObject({ allowed: true, remaining: 3 });
  });

  it("names each object by a short hash of its key, whatever the key's length or content", async () => {
    const names: string[] = [];
    const counters = createRateCounters(recordingNamespace(names));
    const long = `login:account:${"x".repeat(100_000)}`;
    expect(await counters.consume(long, policy)).toMatchObject({ allowed: true, remaining: 2 });
    expect(await counters.consume(long, policy)).toMatchObject({ allowed: true, remaining: 1 });
    await counters.peek("login:ip:203.0.113.0", policy);
    expect(names).toHaveLength(3);
    for (const name of names) expect(name).toMatch(/^[0-9a-f]{64}$/);
    expect(names[0]).toBe(names[1]);
    expect(names[2]).not.toBe(names[0]);
  });

  it("refuses an invalid policy or cost before any round trip", async () => {
    const calls: string[] = [];
    const counters = createRateCounters(fakeNamespace(async () => ({}), calls));
    await expect(counters.consume(key(), { ...policy, limit: 0 })).rejects.toThrow(RangeError);
    await expect(counters.consume(key(), policy, 4)).rejects.toThrow(RangeError);
    await expect(counters.peek(key(), { algorithm: "token-bucket", capacity: 5, refillPerSecond: 0 })).rejects.toThrow(RangeError);
    expect(calls).toEqual([]);
  });
});

describe("the rate counter client when the counter is unavailable", () => {
  const operations: Array<[string, (namespace: Namespace) => Promise<unknown>]> = [
    ["consume", (namespace) => createRateCounters(namespace, { timeoutMs: TIMEOUT_MS }).consume(key(), policy)],
    ["peek", (namespace) => createRateCounters(namespace, { timeoutMs: TIMEOUT_MS }).peek(key(), policy)],
    ["reset", (namespace) => createRateCounters(namespace, { timeoutMs: TIMEOUT_MS }).reset(key())],
  ];

  it.each(operations)("bounds a %s that never answers and throws DependencyUnavailableError (timeout)", async (_, operation) => {
    const error = await operation(stalled()).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(DependencyUnavailableError);
    expect(error).toMatchObject({ dependency: "rate-counter", reason: "timeout" });
  });

  it.each(operations)("throws DependencyUnavailableError (unreachable) with the cause when a %s fails", async (_, operation) => {
    const cause = new Error("Network connection lost.");
    const error = await operation(fakeNamespace(() => Promise.reject(cause))).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(DependencyUnavailableError);
    expect(error).toMatchObject({ dependency: "rate-counter", reason: "unreachable", cause });
  });

  it("throws DependencyUnavailableError (unreachable) when the namespace cannot make a stub", async () => {
    const cause = new Error("Durable Object namespace unavailable");
    const namespace = {
      idFromName: () => ({}),
      get: () => {
        throw cause;
      },
    } as unknown as Namespace;
    const error = await createRateCounters(namespace).consume(key(), policy).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ name: "DependencyUnavailableError", reason: "unreachable", cause });
  });
});

describe("a route whose rate counter is unavailable", () => {
  beforeEach(() => {
    // onError logs the failure with the request id; that line is the expected output here.
    vi.spyOn(console, "error").mockImplementation(() => {});
  });
  afterEach(() => vi.restoreAllMocks());

  const app = testApp((app) => {
    app.post("/v1/test/stalled-counter", async (c) => {
      const decision = await createRateCounters(stalled(), { timeoutMs: TIMEOUT_MS }).consume("login:ip:203.0.113.0", policy);
      return c.json(decision);
    });
    app.post("/v1/test/failing-counter", async (c) => {
      const decision = await createRateCounters(fakeNamespace(() => Promise.reject(new Error("secret internal detail")))).peek("k", policy);
      return c.json(decision);
    });
  });

  it.each(["/v1/test/stalled-counter", "/v1/test/failing-counter"])("answers %s with 503 problem+json and Retry-After", async (path) => {
    const response = await call(app, path, { method: "POST" });
    const problem = await expectProblem(response, { status: 503, code: "SERVICE_UNAVAILABLE" });
    expect(response.headers.get("Retry-After")).toBe("5");
    expect(problem.detail).not.toMatch(/rate|counter|durable|timed out/i);
  });
});
