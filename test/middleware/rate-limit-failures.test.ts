import { afterEach, describe, expect, it, vi } from "vitest";
import { workerBindings } from "../../dev/stack-info";
import type { Fault } from "../../dev/faults";
import { expectProblem } from "../helpers/problem";
import { expectRateLimited, from, limitedApp, rateLimits, uniqueIpv4, WITHOUT_UPSTASH } from "../helpers/rate-limits";
import { clearFaults, faultStack, setFault } from "../helpers/stack";

const stack = faultStack("rate-limits");
const HOUR = 3_600_000;
const N = 3;
const fixedWindow = { algorithm: "fixed-window", limit: N, windowMs: HOUR } as const;

/** The fail-open lines logged so far (console.warn, spied). */
function failOpenLines(warn: { mock: { calls: unknown[][] } }): Array<Record<string, unknown>> {
  return warn.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>).filter((line) => line.msg === "rate limit failed open");
}

/** A RATE_COUNTER namespace whose objects answer every call with `answer()`. */
function brokenNamespace(answer: () => Promise<never>) {
  const stub = { consume: answer, peek: answer, reset: answer };
  return { idFromName: (name: string) => ({ name }), get: () => stub } as unknown as string;
}

afterEach(async () => {
  vi.restoreAllMocks();
  await clearFaults(stack);
});

describe("the api rate limit when Upstash is slow or down", () => {
  const cases: Array<[string, Fault, number, string]> = [
    // Far slower than the test's own time limit: the request answers only because the limiter stops waiting.
    ["slow", { latencyMs: 30_000 }, 50, "timeout"],
    ["failing", { errorStatus: 500 }, 2000, "unreachable"],
    ["unreachable", { drop: true }, 2000, "unreachable"],
  ];

  it.each(cases)("fails open when Upstash is %s, logs and counts each time, and the isolate's cap still limits", async (_, fault, timeoutMs, reason) => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    await setFault("upstash", fault, stack);
    const { app } = limitedApp();
    const bindings = { ...workerBindings(stack), ...rateLimits({ api: { policy: fixedWindow, timeoutMs } }) };
    const ip = uniqueIpv4();

    for (let request = 1; request <= N; request++) {
      const response = await from(app, ip, bindings);
      expect(response.status).toBe(200);
      expect(response.headers.get("RateLimit")).toBe(`"api";r=${N - request};t=3600`);
    }
    await expectRateLimited(await from(app, ip, bindings));

    const lines = failOpenLines(warn);
    expect(lines.map((line) => line.failOpens)).toEqual([1, 2, 3, 4]);
    for (const line of lines) {
      expect(line).toMatchObject({ level: "warn", group: "api", backend: "upstash", reason, error: { name: "DependencyUnavailableError" } });
      expect(JSON.stringify(line)).not.toContain(stack.upstashToken!);
    }
  });
});

describe("the rate limits when the Durable Objects cannot be reached", () => {
  it("refuses the authentication flows with 503 and Retry-After: they fail closed", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const { app } = limitedApp();
    const bindings = { ...rateLimits({}), RATE_COUNTER: brokenNamespace(() => Promise.reject(new Error("Durable Object unreachable"))) };
    const response = await from(app, uniqueIpv4(), bindings, "/v1/auth/password/forgot", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email: "nobody@example.test" }),
    });
    await expectProblem(response, { status: 503, code: "SERVICE_UNAVAILABLE" });
    expect(response.headers.get("Retry-After")).toBe("5");
    expect(JSON.parse(String(errors.mock.calls[0]?.[0]))).toMatchObject({ msg: "dependency unavailable", error: { name: "DependencyUnavailableError" } });
  });

  it.each([
    ["unreachable", () => Promise.reject(new Error("Durable Object unreachable")), "unreachable"],
    ["stalled", () => new Promise<never>(() => {}), "timeout"],
  ] as const)("lets the api group through when its object is %s, logged, under the isolate's cap", async (_, answer, reason) => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const { app } = limitedApp();
    const bindings = { ...WITHOUT_UPSTASH, ...rateLimits({ api: { policy: fixedWindow, timeoutMs: 50 } }), RATE_COUNTER: brokenNamespace(answer) };
    const ip = uniqueIpv4();
    for (let request = 0; request < N; request++) expect((await from(app, ip, bindings)).status).toBe(200);
    await expectRateLimited(await from(app, ip, bindings));
    expect(failOpenLines(warn)).toEqual(Array.from({ length: N + 1 }, (_, index) => expect.objectContaining({ backend: "durable-object", reason, failOpens: index + 1 })));
  });
});
