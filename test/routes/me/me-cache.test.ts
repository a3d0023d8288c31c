import { afterEach, describe, expect, it, vi } from "vitest";
import { inject } from "vitest";
import { workerBindings, type StackInfo } from "../../../dev/stack-info";
import type { Fault } from "../../../dev/faults";
import { eq } from "drizzle-orm";
import { createApp } from "../../../src/app";
import { users } from "../../../src/db/schema";
import { argon2 } from "../../../src/lib/passwords/argon2";
import { formatPhc } from "../../../src/lib/passwords/phc";
import { encodePassword } from "../../../src/lib/passwords/policy";
import type { MailMessage } from "../../../src/services/mail/message";
import { db, json } from "../../helpers/accounts";
import { call, type BindingOverrides } from "../../helpers/app";
import { manualClock } from "../../helpers/clock";
import { bearer, createUser, signIn } from "../../helpers/identity";
import { RecordingQueue } from "../../helpers/mail";
import { expectProblem } from "../../helpers/problem";
import { countDatabaseRoundTrips } from "../../helpers/round-trips";
import { clearFaults, faultStack, setFault, testStack } from "../../helpers/stack";
import { upstashClient } from "../../stack/upstash-setup";

/**
 * An app standing for one isolate, on the test's clock. A reader that finds another isolate filling
 * the profile waits up to 5 s (in 20 ms turns) for it, so the tests' counts never depend on how fast
 * that fill lands.
 */
function isolate(options: { time?: ReturnType<typeof manualClock>; bindings?: BindingOverrides } = {}) {
  const time = options.time ?? manualClock();
  const app = createApp({ clock: time.clock, cache: { fill: { lockMs: 10_000, pollMs: 20, polls: 250 } } });
  const queue = new RecordingQueue();
  const request = (path: string, init?: RequestInit) => call(app, path, init, { MAIL_QUEUE: queue, ...options.bindings });
  return { app, time, queue, request };
}

type Isolate = ReturnType<typeof isolate>;

/** A signed-in user and the Authorization header of their session. */
async function signedIn(options: Parameters<typeof createUser>[0] = {}) {
  const user = await createUser(options);
  const session = await signIn(user);
  return { user, session, headers: bearer(session.accessToken) };
}

/** GET /v1/me with the database round trips it made, counted at `stack`'s endpoint. */
async function me(on: Isolate, headers: Record<string, string>, stack: StackInfo = testStack()) {
  const { result, roundTrips } = await countDatabaseRoundTrips(() => on.request("/v1/me", { headers }), stack);
  expect(result.status).toBe(200);
  expect(result.headers.get("Cache-Control")).toBe("no-store");
  return { profile: (await result.json()) as Record<string, unknown>, roundTrips };
}

/**
 * Two GETs: the first checks the session (which loads the profile with it), the second, within
 * SESSION_CHECK_TTL_SECONDS, trusts the isolate's check and fills the cache.
 */
async function warm(on: Isolate, headers: Record<string, string>, stack?: StackInfo) {
  await me(on, headers, stack);
  return me(on, headers, stack);
}

describe("GET /v1/me through the cache", () => {
  it("makes zero database round trips once cached, with the session check warm (requests within SESSION_CHECK_TTL_SECONDS)", async () => {
    const { user, headers } = await signedIn({ name: "Ada" });
    const app = isolate();
    expect((await me(app, headers)).roundTrips).toBe(1);
    const filled = await me(app, headers);
    expect(filled.roundTrips).toBe(1);
    const cached = await me(app, headers);
    expect(cached.roundTrips).toBe(0);
    expect(cached.profile).toEqual(filled.profile);
    expect(cached.profile).toMatchObject({ id: user.id, name: "Ada", emailVerified: true });
    // The value lives under the user's id alone, and under the run's REDIS_KEY_PREFIX.
    expect(await upstashClient().exists(`${inject("redisKeyPrefix")}cache:user:${user.id}:0:profile`)).toBe(1);
  });

  it("shows a PATCH at once: the write invalidates before it answers, the next GET fills again in one round trip", async () => {
    const { headers } = await signedIn({ name: "Before" });
    const app = isolate();
    await warm(app, headers);
    expect((await app.request("/v1/me", json("PATCH", { name: "After" }, headers))).status).toBe(200);
    const refilled = await me(app, headers);
    expect(refilled).toMatchObject({ roundTrips: 1, profile: { name: "After" } });
    expect(await me(app, headers)).toMatchObject({ roundTrips: 0, profile: { name: "After" } });
  });

  it("shows a change made in another isolate that shares Redis", async () => {
    const { headers } = await signedIn({ name: "Before", locale: "en" });
    const [writer, reader] = [isolate(), isolate()];
    await warm(writer, headers);
    // The writer's fill serves the reader too.
    expect(await warm(reader, headers)).toMatchObject({ roundTrips: 0, profile: { name: "Before" } });
    expect((await writer.request("/v1/me", json("PATCH", { name: "After", locale: "de" }, headers))).status).toBe(200);
    expect(await me(reader, headers)).toMatchObject({ roundTrips: 1, profile: { name: "After", locale: "de" } });
  });

  it("loads a profile once for concurrent cold reads, in one isolate and across two", async () => {
    const { headers } = await signedIn();
    const [one, two] = [isolate(), isolate()];
    // Session checks warm, profile not cached: authentication's read does not fill the cache.
    await me(one, headers);
    await me(two, headers);
    const { result, roundTrips } = await countDatabaseRoundTrips(() => Promise.all([one, two, one, two, one, two].map((on) => on.request("/v1/me", { headers }))));
    expect(roundTrips).toBe(1);
    const bodies = await Promise.all(result.map((response) => response.text()));
    expect(new Set(bodies).size).toBe(1);
  });

  it("answers 401, not the cached profile, in another isolate once the account is deleted", async () => {
    const { headers } = await signedIn();
    const [writer, reader] = [isolate(), isolate()];
    await warm(reader, headers);
    await me(writer, headers);
    expect((await writer.request("/v1/me", { method: "DELETE", headers })).status).toBe(204);
    // The reader still trusts its session check for SESSION_CHECK_TTL_SECONDS; the profile is gone.
    await expectProblem(await reader.request("/v1/me", { headers }), { status: 401, code: "UNAUTHORIZED" });
  });

  it("shows a verified address at once after the verification link is followed", async () => {
    const { headers } = await signedIn({ verified: false });
    const [writer, reader] = [isolate(), isolate()];
    expect((await warm(reader, headers)).profile).toMatchObject({ emailVerified: false });
    expect((await writer.request("/v1/auth/email/verification", { method: "POST", headers })).status).toBe(202);
    const [mail] = writer.queue.take() as Array<Extract<MailMessage, { template: "verify-email" }>>;
    expect((await writer.request("/v1/auth/email/verify", json("POST", { token: mail!.token }))).status).toBe(204);
    expect(await me(reader, headers)).toMatchObject({ roundTrips: 1, profile: { emailVerified: true } });
  });

  it("shows the updatedAt a password change moved", async () => {
    const { user, headers } = await signedIn();
    const [writer, reader] = [isolate(), isolate()];
    const before = (await warm(reader, headers)).profile;
    writer.time.advance(60_000);
    const change = { currentPassword: user.password, newPassword: "another long and unusual passphrase" };
    expect((await writer.request("/v1/auth/password/change", json("POST", change, headers))).status).toBe(204);
    const after = await me(reader, headers);
    expect(after.roundTrips).toBe(1);
    expect(Date.parse(String(after.profile.updatedAt))).toBeGreaterThan(Date.parse(String(before.updatedAt)));
  });

  it("shows the updatedAt a password reset moved, to an isolate still trusting the ended session", async () => {
    const { user, headers } = await signedIn();
    const [writer, reader] = [isolate(), isolate()];
    const before = (await warm(reader, headers)).profile;
    writer.time.advance(60_000);
    expect((await writer.request("/v1/auth/password/forgot", json("POST", { email: user.email }))).status).toBe(202);
    const [mail] = writer.queue.take() as Array<Extract<MailMessage, { template: "reset-password" }>>;
    expect((await writer.request("/v1/auth/password/reset", json("POST", { token: mail!.token, password: "a brand new long passphrase" }))).status).toBe(204);
    const after = await me(reader, headers);
    expect(Date.parse(String(after.profile.updatedAt))).toBeGreaterThan(Date.parse(String(before.updatedAt)));
  });

  it("shows the updatedAt a login moved by re-hashing a password stored with older parameters", async () => {
    const { user, headers } = await signedIn();
    const older = { memoryKiB: 9216, iterations: 4, parallelism: 1 };
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const tag = await argon2({ password: encodePassword(user.password), salt, tagLength: 32, ...older });
    await db.update(users).set({ passwordHash: formatPhc({ ...older, salt, tag }) }).where(eq(users.id, user.id));
    const [writer, reader] = [isolate(), isolate()];
    const before = (await warm(reader, headers)).profile;
    writer.time.advance(60_000);
    expect((await writer.request("/v1/auth/login", json("POST", { email: user.email, password: user.password }))).status).toBe(200);
    const after = await me(reader, headers);
    expect(Date.parse(String(after.profile.updatedAt))).toBeGreaterThan(Date.parse(String(before.updatedAt)));
  });
});

describe("GET /v1/me without the Redis tier", () => {
  const stack = faultStack("cache");
  afterEach(async () => {
    vi.restoreAllMocks();
    await clearFaults(stack);
  });

  const faults: Array<[string, Fault]> = [
    ["down", { drop: true }],
    ["failing", { errorStatus: 500 }],
    // Far slower than the Redis module's 1 s bound on a command.
    ["slow", { latencyMs: 30_000 }],
  ];

  it.each(faults)("answers correctly when Redis is %s, and logs each miss it caused by family kind and count", async (_, fault) => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const { user, headers } = await signedIn({ name: "Before" });
    const app = isolate({ bindings: workerBindings(stack) });
    await setFault("upstash", fault, stack);
    expect(await warm(app, headers, stack)).toMatchObject({ roundTrips: 1, profile: { name: "Before" } });
    expect((await app.request("/v1/me", json("PATCH", { name: "After" }, headers))).status).toBe(200);
    expect(await me(app, headers, stack)).toMatchObject({ roundTrips: 1, profile: { name: "After" } });

    const lines = warn.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>).filter((line) => String(line.msg).startsWith("cache:"));
    expect(lines.map((line) => [line.operation, line.redisFailures])).toEqual([
      ["read", 1],
      ["invalidate", 2],
      ["read", 3],
    ]);
    for (const { userId, ...own } of lines) {
      // The request's fields name the user, as on every line of the request; the cache's own name no one.
      expect(userId).toBe(user.id);
      expect(own).toMatchObject({ level: "warn", family: "user" });
      expect(JSON.stringify(own)).not.toContain(user.id);
    }
  });

  it("answers correctly when Upstash is not configured, reading the database each time", async () => {
    const { headers } = await signedIn({ name: "Before" });
    const app = isolate({ bindings: { UPSTASH_REDIS_REST_URL: undefined, UPSTASH_REDIS_REST_TOKEN: undefined } });
    expect(await warm(app, headers)).toMatchObject({ roundTrips: 1, profile: { name: "Before" } });
    expect((await me(app, headers)).roundTrips).toBe(1);
    expect((await app.request("/v1/me", json("PATCH", { name: "After" }, headers))).status).toBe(200);
    expect(await me(app, headers)).toMatchObject({ roundTrips: 1, profile: { name: "After" } });
  });
});
