import { and, eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { auditLog, sessions, users } from "../../../src/db/schema";
import { InvalidTokenError } from "../../../src/lib/tokens";
import { accountsApp, db, expectNoSecretsAnswered, json, refreshWith, watchAccount } from "../../helpers/accounts";
import { bearer, createUser, signIn } from "../../helpers/identity";
import { expectProblem } from "../../helpers/problem";
import { countDatabaseRoundTrips } from "../../helpers/round-trips";

afterEach(expectNoSecretsAnswered);

/** A user signed in on a fresh app (an isolate that has checked no session yet). */
async function signedIn(options: Parameters<typeof createUser>[0] = {}) {
  const user = await createUser(options);
  watchAccount(user.email);
  const client = accountsApp();
  const session = await signIn(user, client.time.clock);
  return { user, client, session, headers: bearer(session.accessToken) };
}

describe("GET /v1/me", () => {
  it("answers the profile, with whether the address is verified and never the password hash", async () => {
    const { user, client, headers } = await signedIn({ verified: false, name: "Ada", locale: "es" });
    const response = await client.request("/v1/me", { headers });
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    expect(await response.json()).toEqual({
      id: user.id,
      email: user.email,
      emailVerified: false,
      name: "Ada",
      locale: "es",
      role: "user",
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
  });

  it("makes one database round trip: the profile authentication loaded with the session, or the profile alone", async () => {
    const { client, headers } = await signedIn({ verified: true });
    const first = await countDatabaseRoundTrips(() => client.request("/v1/me", { headers }));
    expect(first.roundTrips).toBe(1);
    expect(await first.result.json()).toMatchObject({ emailVerified: true });
    // The session check is cached now: authentication makes none, the handler reads the profile.
    const second = await countDatabaseRoundTrips(() => client.request("/v1/me", { headers }));
    expect(second.roundTrips).toBe(1);
    expect(second.result.status).toBe(200);
  });

  it("requires an access token", async () => {
    await expectProblem(await accountsApp().request("/v1/me"), { status: 401, code: "UNAUTHORIZED" });
  });
});

describe("PATCH /v1/me", () => {
  it("changes the name and the language, audits it, and answers the new profile", async () => {
    const { user, client, headers } = await signedIn({ name: "Before" });
    const response = await client.request("/v1/me", json("PATCH", { name: "  After  ", locale: "de" }, headers));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: user.id, name: "After", locale: "de" });
    const [row] = await db.select().from(users).where(eq(users.id, user.id));
    expect(row).toMatchObject({ name: "After", locale: "de", email: user.email, role: "user", deletedAt: null });
    expect(row!.emailVerifiedAt).toEqual(expect.any(Date));
    const audited = await db.select().from(auditLog).where(and(eq(auditLog.targetId, user.id), eq(auditLog.action, "user.updated")));
    expect(audited).toEqual([expect.objectContaining({ actorId: user.id })]);
  });

  it("removes the name with null and leaves what the body does not name", async () => {
    const { user, client, headers } = await signedIn({ name: "Ada", locale: "es" });
    expect(await (await client.request("/v1/me", json("PATCH", { name: null }, headers))).json()).toMatchObject({ name: null, locale: "es" });
    expect(await db.select({ name: users.name }).from(users).where(eq(users.id, user.id))).toEqual([{ name: null }]);
  });

  it("writes in one round trip once the session is checked", async () => {
    const { client, headers } = await signedIn();
    expect((await client.request("/v1/me", { headers })).status).toBe(200);
    const { roundTrips } = await countDatabaseRoundTrips(() => client.request("/v1/me", json("PATCH", { locale: "es" }, headers)));
    expect(roundTrips).toBe(1);
  });

  it.each([["role"], ["emailVerified"], ["id"], ["__proto__"]])("refuses a body carrying %s, and changes nothing", async (field) => {
    const { user, client, headers } = await signedIn({ name: "Ada" });
    const body = `{"name":"Mallory",${JSON.stringify(field)}:{"role":"admin"}}`;
    const problem = await expectProblem(await client.request("/v1/me", json("PATCH", body, headers)), { status: 400, code: "VALIDATION_FAILED" });
    expect(problem.errors).toEqual([expect.objectContaining({ code: "unrecognized_keys" })]);
    expect(await db.select({ name: users.name, role: users.role }).from(users).where(eq(users.id, user.id))).toEqual([{ name: "Ada", role: "user" }]);
  });

  it("refuses an empty change, an unknown language and an empty name", async () => {
    const { client, headers } = await signedIn();
    for (const body of [{}, { locale: "fr" }, { name: "   " }]) {
      await expectProblem(await client.request("/v1/me", json("PATCH", body, headers)), { status: 400, code: "VALIDATION_FAILED" });
    }
  });
});

describe("DELETE /v1/me", () => {
  it("deletes the account softly, ends every session at once, audits it, in one round trip", async () => {
    const { user, client, headers, session } = await signedIn();
    const other = await signIn(user, client.time.clock);
    expect((await client.request("/v1/me", { headers: bearer(other.accessToken) })).status).toBe(200);
    expect((await client.request("/v1/me", { headers })).status).toBe(200);

    const { result, roundTrips } = await countDatabaseRoundTrips(() => client.request("/v1/me", { method: "DELETE", headers }));
    expect(result.status).toBe(204);
    expect(roundTrips).toBe(1);

    const [account] = await db.select({ deletedAt: users.deletedAt }).from(users).where(eq(users.id, user.id));
    expect(account?.deletedAt).toEqual(new Date(client.time.clock()));
    const reasons = await db.select({ reason: sessions.revokedReason }).from(sessions).where(eq(sessions.userId, user.id));
    expect(reasons).toEqual([{ reason: "account_deleted" }, { reason: "account_deleted" }]);
    for (const token of [session, other]) {
      await expectProblem(await client.request("/v1/me", { headers: bearer(token.accessToken) }), { status: 401, code: "UNAUTHORIZED" });
      await expect(refreshWith(token.refreshToken, client.time.clock)).rejects.toBeInstanceOf(InvalidTokenError);
    }
    const audited = await db.select().from(auditLog).where(and(eq(auditLog.targetId, user.id), eq(auditLog.action, "user.deleted")));
    expect(audited).toEqual([expect.objectContaining({ actorId: user.id })]);
  });
});
