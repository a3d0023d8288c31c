import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { createApp } from "../../../src/app";
import { createDatabase } from "../../../src/db/client";
import { auditLog } from "../../../src/db/schema";
import { call, type BindingOverrides } from "../../helpers/app";
import { manualClock } from "../../helpers/clock";
import { createUser, testConfig, uniqueEmail } from "../../helpers/identity";
import { expectProblem } from "../../helpers/problem";

const db = createDatabase(testConfig()).http;
const PER_ACCOUNT = 4;
const PER_CLIENT = 6;
const WINDOW_SECONDS = 900;
const limits: BindingOverrides = {
  LOGIN_FAILURES_PER_ACCOUNT: String(PER_ACCOUNT),
  LOGIN_FAILURES_PER_CLIENT: String(PER_CLIENT),
  LOGIN_FAILURE_WINDOW_SECONDS: String(WINDOW_SECONDS),
};

/** A fresh client address for each test, so tests do not share the per-client count. */
const uniqueIp = () => `10.${[...crypto.getRandomValues(new Uint8Array(3))].join(".")}`;
const uniqueIpv6 = () => `2001:db8:${crypto.getRandomValues(new Uint16Array(1))[0]!.toString(16)}:${crypto.getRandomValues(new Uint16Array(1))[0]!.toString(16)}::1`;

function isolate(overrides: BindingOverrides = {}) {
  const time = manualClock();
  const app = createApp({ clock: time.clock });
  const login = (email: string, password: string, ip: string) =>
    call(
      app,
      "/v1/auth/login",
      { method: "POST", headers: { "Content-Type": "application/json", "CF-Connecting-IP": ip }, body: JSON.stringify({ email, password }) },
      { ...limits, ...overrides },
    );
  return { time, login };
}

describe("login throttling", () => {
  it("refuses an account past its failures with 429 and Retry-After, before checking the password", async () => {
    const user = await createUser();
    const { login, time } = isolate();
    for (let attempt = 0; attempt < PER_ACCOUNT; attempt++) {
      expect((await login(user.email, "wrong password", uniqueIpv6())).status).toBe(401);
    }
    const refused = await login(user.email, user.password, uniqueIpv6());
    await expectProblem(refused, { status: 429, code: "RATE_LIMITED" });
    const retryAfter = Number(refused.headers.get("Retry-After"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS * 2);
    // The refused attempt never reached the account: no audit row for it.
    expect(await db.select().from(auditLog).where(eq(auditLog.targetId, user.id))).toHaveLength(PER_ACCOUNT);

    time.advance(retryAfter * 1000);
    expect((await login(user.email, user.password, uniqueIpv6())).status).toBe(200);
  });

  it("refuses a client past its failures over many accounts", async () => {
    const ip = uniqueIp();
    const { login } = isolate();
    for (let attempt = 0; attempt < PER_CLIENT; attempt++) {
      expect((await login(uniqueEmail("spray"), "Password1!", ip)).status).toBe(401);
    }
    const user = await createUser();
    await expectProblem(await login(user.email, user.password, ip), { status: 429, code: "RATE_LIMITED" });
    expect((await login(user.email, user.password, uniqueIp())).status).toBe(200);
  });

  it("counts IPv6 clients by their /64", async () => {
    const prefix = `2001:db8:${crypto.getRandomValues(new Uint16Array(1))[0]!.toString(16)}:7`;
    const { login } = isolate();
    for (let attempt = 0; attempt < PER_CLIENT; attempt++) {
      expect((await login(uniqueEmail("spray"), "Password1!", `${prefix}::${attempt + 1}`)).status).toBe(401);
    }
    await expectProblem(await login(uniqueEmail("spray"), "Password1!", `${prefix}::ffff`), { status: 429, code: "RATE_LIMITED" });
  });

  it("forgets an account's failures after a successful login", async () => {
    const user = await createUser();
    const { login } = isolate();
    for (let attempt = 0; attempt < PER_ACCOUNT - 1; attempt++) await login(user.email, "wrong password", uniqueIpv6());
    expect((await login(user.email, user.password, uniqueIpv6())).status).toBe(200);
    for (let attempt = 0; attempt < PER_ACCOUNT - 1; attempt++) expect((await login(user.email, "wrong password", uniqueIpv6())).status).toBe(401);
    expect((await login(user.email, user.password, uniqueIpv6())).status).toBe(200);
  });

  it("fails closed with 503 when the counters cannot be reached", async () => {
    const user = await createUser();
    const unreachable = {
      idFromName: (name: string) => ({ toString: () => name }),
      get: () => ({
        peek: () => Promise.reject(new Error("Durable Object unreachable")),
        consume: () => Promise.reject(new Error("Durable Object unreachable")),
        reset: () => Promise.reject(new Error("Durable Object unreachable")),
      }),
    };
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const time = manualClock();
    const app = createApp({ clock: time.clock });
    const response = await call(
      app,
      "/v1/auth/login",
      { method: "POST", headers: { "Content-Type": "application/json", "CF-Connecting-IP": uniqueIp() }, body: JSON.stringify({ email: user.email, password: user.password }) },
      { RATE_COUNTER: unreachable as unknown as string },
    );
    await expectProblem(response, { status: 503, code: "SERVICE_UNAVAILABLE" });
    expect(response.headers.get("Retry-After")).toBeTruthy();
    expect(JSON.parse(String(errors.mock.calls[0]?.[0]))).toMatchObject({ msg: "dependency unavailable", error: { name: "DependencyUnavailableError" } });
    vi.restoreAllMocks();
  });
});
