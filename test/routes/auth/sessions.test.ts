import { and, eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { createApp } from "../../../src/app";
import { createDatabase } from "../../../src/db/client";
import { auditLog, sessions, users } from "../../../src/db/schema";
import { needsRehash, verifyPassword } from "../../../src/lib/passwords";
import { argon2 } from "../../../src/lib/passwords/argon2";
import { formatPhc } from "../../../src/lib/passwords/phc";
import { encodePassword } from "../../../src/lib/passwords/policy";
import { call } from "../../helpers/app";
import { manualClock } from "../../helpers/clock";
import { bearer, createUser, testConfig } from "../../helpers/identity";
import { expectProblem } from "../../helpers/problem";
import { countDatabaseRoundTrips } from "../../helpers/round-trips";

const db = createDatabase(testConfig()).http;
const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: "POST",
  headers: { "Content-Type": "application/json", ...headers },
  body: JSON.stringify(body),
});

interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: string;
  expiresIn: number;
}

/** An app (standing for one isolate) on a clock the test moves. */
function isolate(time = manualClock()) {
  const app = createApp({ clock: time.clock });
  return { app, time, request: (path: string, init?: RequestInit) => call(app, path, init) };
}

async function loginAs(request: (path: string, init?: RequestInit) => Promise<Response>, email: string, password: string): Promise<TokenPair> {
  const response = await request("/v1/auth/login", json({ email, password }, { "User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0" }));
  expect(response.status).toBe(200);
  return response.json<TokenPair>();
}

describe("POST /v1/auth/login", () => {
  it("signs in with e-mail and password and answers an uncacheable token pair", async () => {
    const user = await createUser();
    const { request } = isolate();
    const response = await request("/v1/auth/login", json({ email: user.email.toUpperCase(), password: user.password }));
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const tokens = await response.json<TokenPair>();
    expect(tokens).toEqual({ accessToken: expect.any(String), refreshToken: expect.stringMatching(/^rt_/), tokenType: "Bearer", expiresIn: 900 });

    const listed = await request("/v1/auth/sessions", { headers: bearer(tokens.accessToken) });
    expect(listed.status).toBe(200);
  });

  it("makes two database round trips: the account, then one batch with the session and its audit row", async () => {
    const user = await createUser();
    const { request } = isolate();
    const { result, roundTrips, statements } = await countDatabaseRoundTrips(() => request("/v1/auth/login", json({ email: user.email, password: user.password })));
    expect(result.status).toBe(200);
    expect(roundTrips).toBe(2);
    expect(statements[1]).toMatch(/insert into "sessions".*insert into "refresh_tokens".*insert into "audit_log"/);
  });

  it("re-hashes a password stored with older parameters on a successful login", async () => {
    const user = await createUser();
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const older = { memoryKiB: 9216, iterations: 4, parallelism: 1 };
    const tag = await argon2({ password: encodePassword(user.password), salt, tagLength: 32, ...older });
    await db.update(users).set({ passwordHash: formatPhc({ ...older, salt, tag }) }).where(eq(users.id, user.id));

    await loginAs(isolate().request, user.email, user.password);
    const [stored] = await db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, user.id));
    expect(stored!.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(needsRehash(stored!.passwordHash!)).toBe(false);
    expect(await verifyPassword(user.password, stored!.passwordHash!)).toBe(true);
  });

  it("answers a wrong password and an unknown address identically", async () => {
    const user = await createUser();
    const { request } = isolate();
    const wrong = await request("/v1/auth/login", json({ email: user.email, password: "not the password" }));
    const unknown = await request("/v1/auth/login", json({ email: `nobody-${user.email}`, password: "not the password" }));
    const [a, b] = await Promise.all([expectProblem(wrong, { status: 401, code: "UNAUTHORIZED" }), expectProblem(unknown, { status: 401, code: "UNAUTHORIZED" })]);
    const comparable = ({ requestId: _r, ...rest }: Record<string, unknown>) => rest;
    expect(comparable(a)).toEqual(comparable(b));
    expect([...wrong.headers.keys()].sort()).toEqual([...unknown.headers.keys()].sort());
  });

  it("records failed and successful logins in the audit log", async () => {
    const user = await createUser();
    const { request } = isolate();
    await request("/v1/auth/login", json({ email: user.email, password: "not the password" }));
    await loginAs(request, user.email, user.password);
    const actions = await db.select({ action: auditLog.action, actorId: auditLog.actorId }).from(auditLog).where(eq(auditLog.targetId, user.id));
    expect(actions).toContainEqual({ action: "login.failed", actorId: null });
    const succeeded = await db.select().from(auditLog).where(and(eq(auditLog.actorId, user.id), eq(auditLog.action, "login.succeeded")));
    expect(succeeded).toHaveLength(1);
  });

  it.each([["role"], ["emailVerified"], ["id"], ["__proto__"]])("refuses a body carrying %s", async (field) => {
    const user = await createUser();
    const body = `{"email":${JSON.stringify(user.email)},"password":${JSON.stringify(user.password)},${JSON.stringify(field)}:{"admin":true}}`;
    const response = await isolate().request("/v1/auth/login", { method: "POST", headers: { "Content-Type": "application/json" }, body });
    await expectProblem(response, { status: 400, code: "VALIDATION_FAILED" });
  });

  it("refuses a password over the byte cap with 400 before looking at the account", async () => {
    const user = await createUser();
    const response = await isolate().request("/v1/auth/login", json({ email: user.email, password: "€".repeat(400) }));
    await expectProblem(response, { status: 400, code: "VALIDATION_FAILED" });
    expect(await db.select().from(auditLog).where(eq(auditLog.targetId, user.id))).toEqual([]);
  });
});

describe("POST /v1/auth/refresh", () => {
  const SECOND = 1000;
  const DAY = 86_400 * SECOND;

  async function signedInIsolate() {
    const user = await createUser();
    const iso = isolate();
    const tokens = await loginAs(iso.request, user.email, user.password);
    const refresh = (refreshToken: string) => iso.request("/v1/auth/refresh", json({ refreshToken }));
    return { ...iso, user, tokens, refresh };
  }

  it("rotates the refresh token and answers a new pair", async () => {
    const { tokens, refresh, request } = await signedInIsolate();
    const response = await refresh(tokens.refreshToken);
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const next = await response.json<TokenPair>();
    expect(next.refreshToken).not.toBe(tokens.refreshToken);
    expect(next.accessToken).not.toBe(tokens.accessToken);
    expect((await request("/v1/auth/sessions", { headers: bearer(next.accessToken) })).status).toBe(200);
    expect((await refresh(next.refreshToken)).status).toBe(200);
  });

  it("makes one database round trip", async () => {
    const { tokens, refresh } = await signedInIsolate();
    const { result, roundTrips } = await countDatabaseRoundTrips(() => refresh(tokens.refreshToken));
    expect(result.status).toBe(200);
    expect(roundTrips).toBe(1);
  });

  it("gives a client that sends the same token twice at once the same successor", async () => {
    const { tokens, refresh } = await signedInIsolate();
    const [first, second] = await Promise.all([refresh(tokens.refreshToken), refresh(tokens.refreshToken)]);
    expect([first.status, second.status]).toEqual([200, 200]);
    const [a, b] = await Promise.all([first.json<TokenPair>(), second.json<TokenPair>()]);
    expect(a.refreshToken).toBe(b.refreshToken);
    expect((await refresh(a.refreshToken)).status).toBe(200);
  });

  it("answers a rotated token within the grace window with the same successor", async () => {
    const { tokens, refresh, time } = await signedInIsolate();
    const next = await (await refresh(tokens.refreshToken)).json<TokenPair>();
    time.advance(5 * SECOND);
    const again = await refresh(tokens.refreshToken);
    expect(again.status).toBe(200);
    expect((await again.json<TokenPair>()).refreshToken).toBe(next.refreshToken);
  });

  it("revokes the whole session when a rotated token comes back after the grace window", async () => {
    const { tokens, refresh, time } = await signedInIsolate();
    vi.spyOn(console, "log").mockImplementation(() => {});
    const next = await (await refresh(tokens.refreshToken)).json<TokenPair>();
    time.advance(11 * SECOND);
    await expectProblem(await refresh(tokens.refreshToken), { status: 401, code: "UNAUTHORIZED" });
    // The family is gone: the successor the legitimate client holds no longer works either.
    await expectProblem(await refresh(next.refreshToken), { status: 401, code: "UNAUTHORIZED" });
    const [session] = await db.select({ reason: sessions.revokedReason }).from(sessions).where(eq(sessions.id, sessionIdOf(next.accessToken)));
    expect(session).toEqual({ reason: "reuse_detected" });
    vi.restoreAllMocks();
  });

  it("ends a session at its absolute lifetime, however recently it was used", async () => {
    const { tokens, refresh, time } = await signedInIsolate();
    let current = tokens.refreshToken;
    for (let day = 5; day <= 25; day += 5) {
      time.advance(5 * DAY);
      const response = await refresh(current);
      expect(response.status).toBe(200);
      current = (await response.json<TokenPair>()).refreshToken;
    }
    time.advance(5 * DAY);
    await expectProblem(await refresh(current), { status: 401, code: "UNAUTHORIZED" });
  });

  it("ends a session unused for longer than the idle timeout", async () => {
    const { tokens, refresh, time } = await signedInIsolate();
    time.advance(7 * DAY + SECOND);
    await expectProblem(await refresh(tokens.refreshToken), { status: 401, code: "UNAUTHORIZED" });
  });

  it("refuses unknown, malformed and other kinds of tokens with the same 401", async () => {
    const { refresh, tokens } = await signedInIsolate();
    const problems = await Promise.all(
      ["rt_" + "A".repeat(43), "garbage", "vt_" + tokens.refreshToken.slice(3)].map(async (token) =>
        expectProblem(await refresh(token), { status: 401, code: "UNAUTHORIZED" }),
      ),
    );
    expect(new Set(problems.map((problem) => problem.detail)).size).toBe(1);
  });
});

/** The session id an access token names, read from its claims. */
function sessionIdOf(accessToken: string): string {
  return (JSON.parse(atob(accessToken.split(".")[1]!.replaceAll("-", "+").replaceAll("_", "/"))) as { sid: string }).sid;
}
