import { and, eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { auditLog, sessions, users } from "../../../src/db/schema";
import { PASSWORD_ISSUES, verifyPassword } from "../../../src/lib/passwords";
import { InvalidTokenError } from "../../../src/lib/tokens";
import { accountsApp, db, expectNoSecretsAnswered, json, refreshWith, watchAccount } from "../../helpers/accounts";
import { bearer, createUser, signIn, type TestUser } from "../../helpers/identity";
import { expectProblem } from "../../helpers/problem";
import { countDatabaseRoundTrips } from "../../helpers/round-trips";

afterEach(expectNoSecretsAnswered);

const NEW_PASSWORD = "a brand new and unusual passphrase";

const passwordHashOf = async (user: TestUser) => (await db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, user.id)))[0]!.hash!;

describe("POST /v1/auth/password/change", () => {
  it("changes the password, ends every other session at once, keeps this one, and sends a notice", async () => {
    const user = await createUser({ locale: "de" });
    watchAccount(user.email);
    const client = accountsApp();
    const [current, other] = [await signIn(user, client.time.clock), await signIn(user, client.time.clock)];
    // Both sessions are now checked and cached by this isolate.
    for (const { accessToken } of [current, other]) expect((await client.request("/v1/me", { headers: bearer(accessToken) })).status).toBe(200);

    const { result, roundTrips } = await countDatabaseRoundTrips(() =>
      client.request("/v1/auth/password/change", json("POST", { currentPassword: user.password, newPassword: NEW_PASSWORD }, bearer(current.accessToken))),
    );
    expect(result.status).toBe(204);
    // The session is cached, so authentication makes none: the stored hash, then one batch.
    expect(roundTrips).toBe(2);
    expect(await verifyPassword(NEW_PASSWORD, await passwordHashOf(user))).toBe(true);

    const states = await db.select({ id: sessions.id, reason: sessions.revokedReason }).from(sessions).where(eq(sessions.userId, user.id));
    expect(states).toEqual(expect.arrayContaining([{ id: current.sessionId, reason: null }, { id: other.sessionId, reason: "password_changed" }]));
    expect((await client.request("/v1/me", { headers: bearer(current.accessToken) })).status).toBe(200);
    await expectProblem(await client.request("/v1/me", { headers: bearer(other.accessToken) }), { status: 401, code: "UNAUTHORIZED" });
    await expect(refreshWith(other.refreshToken, client.time.clock)).rejects.toBeInstanceOf(InvalidTokenError);
    expect(await refreshWith(current.refreshToken, client.time.clock)).toMatchObject({ tokenType: "Bearer" });

    const audited = await db.select().from(auditLog).where(and(eq(auditLog.targetId, user.id), eq(auditLog.action, "password.changed")));
    expect(audited).toEqual([expect.objectContaining({ actorId: user.id })]);
    expect(client.queue.take()).toEqual([{ template: "password-changed", to: user.email, locale: "de" }]);
  });

  it("refuses a wrong current password with 403 and changes nothing", async () => {
    const user = await createUser();
    const client = accountsApp();
    const [current, other] = [await signIn(user, client.time.clock), await signIn(user, client.time.clock)];
    const response = await client.request("/v1/auth/password/change", json("POST", { currentPassword: "not the password", newPassword: NEW_PASSWORD }, bearer(current.accessToken)));
    await expectProblem(response, { status: 403, code: "INVALID_CURRENT_PASSWORD" });
    expect(await verifyPassword(user.password, await passwordHashOf(user))).toBe(true);
    expect((await client.request("/v1/me", { headers: bearer(other.accessToken) })).status).toBe(200);
    expect(client.queue.take()).toEqual([]);
  });

  it("refuses with 403 for an account that has no password to give", async () => {
    const user = await createUser();
    await db.update(users).set({ passwordHash: null }).where(eq(users.id, user.id));
    const client = accountsApp();
    const { accessToken } = await signIn(user, client.time.clock);
    const response = await client.request("/v1/auth/password/change", json("POST", { currentPassword: user.password, newPassword: NEW_PASSWORD }, bearer(accessToken)));
    await expectProblem(response, { status: 403, code: "INVALID_CURRENT_PASSWORD" });
    expect(await db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, user.id))).toEqual([{ hash: null }]);
  });

  it("refuses a new password that is common or over the byte cap", async () => {
    const user = await createUser();
    const client = accountsApp();
    const { accessToken } = await signIn(user, client.time.clock);
    const change = (newPassword: string) => client.request("/v1/auth/password/change", json("POST", { currentPassword: user.password, newPassword }, bearer(accessToken)));
    expect((await expectProblem(await change("iloveyou123"), { status: 400, code: "VALIDATION_FAILED" })).errors).toEqual([{ path: "newPassword", ...PASSWORD_ISSUES.tooCommon }]);
    expect((await expectProblem(await change("€".repeat(342)), { status: 400, code: "VALIDATION_FAILED" })).errors).toEqual([{ path: "newPassword", ...PASSWORD_ISSUES.tooLong }]);
    expect(await verifyPassword(user.password, await passwordHashOf(user))).toBe(true);
  });

  it("requires an access token", async () => {
    const response = await accountsApp().request("/v1/auth/password/change", json("POST", { currentPassword: "whatever it is", newPassword: NEW_PASSWORD }));
    await expectProblem(response, { status: 401, code: "UNAUTHORIZED" });
  });
});
