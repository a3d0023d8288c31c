import { and, eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { auditLog, oneTimeTokens, sessions, users } from "../../../src/db/schema";
import { createOpaqueToken, hashOpaqueToken, InvalidTokenError } from "../../../src/lib/tokens";
import { PASSWORD_ISSUES, verifyPassword } from "../../../src/lib/passwords";
import type { MailMessage } from "../../../src/services/mail/message";
import { accountsApp, db, expectNoSecretsAnswered, refreshWith, watchAccount } from "../../helpers/accounts";
import { manualClock } from "../../helpers/clock";
import { bearer, createUser, signIn, uniqueEmail, type TestUser } from "../../helpers/identity";
import { expectProblem } from "../../helpers/problem";
import { countDatabaseRoundTrips } from "../../helpers/round-trips";

afterEach(expectNoSecretsAnswered);

const MINUTE = 60 * 1000;
const NEW_PASSWORD = "another long and unusual passphrase";

type Client = ReturnType<typeof accountsApp>;

/** Asks for a reset of `user`'s password; returns the token its mail carries. */
async function resetToken(client: Client, user: TestUser): Promise<string> {
  watchAccount(user.email);
  expect((await client.post("/v1/auth/password/forgot", { email: user.email })).status).toBe(202);
  const [mail] = client.queue.take() as Array<Extract<MailMessage, { template: "reset-password" }>>;
  expect(mail).toMatchObject({ template: "reset-password", to: user.email });
  return mail!.token;
}

const passwordHashOf = async (user: TestUser) => (await db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, user.id)))[0]!.hash!;

describe("POST /v1/auth/password/forgot", () => {
  it("answers a known and an unknown address identically, in one round trip each, and mails only the known one", async () => {
    const user = await createUser({ locale: "de" });
    const client = accountsApp();
    const known = await countDatabaseRoundTrips(() => client.post("/v1/auth/password/forgot", { email: user.email.toUpperCase() }));
    const mails = client.queue.take();
    const unknown = await countDatabaseRoundTrips(() => client.post("/v1/auth/password/forgot", { email: uniqueEmail("nobody") }));
    expect(unknown.result.status).toBe(202);
    expect(known.result.status).toBe(unknown.result.status);
    expect(await known.result.text()).toBe(await unknown.result.text());
    const headerNames = (response: Response) => [...response.headers.keys()].filter((name) => name !== "x-request-id").sort();
    expect(headerNames(known.result)).toEqual(headerNames(unknown.result));
    expect([known.roundTrips, unknown.roundTrips]).toEqual([1, 1]);
    expect(mails).toEqual([{ template: "reset-password", to: user.email, locale: "de", token: expect.stringMatching(/^pt_/) }]);
    expect(client.queue.take()).toEqual([]);
    const audited = await db.select().from(auditLog).where(and(eq(auditLog.targetId, user.id), eq(auditLog.action, "password.reset_requested")));
    expect(audited).toEqual([expect.objectContaining({ actorId: null, targetType: "user" })]);
  });

  it("stores the token only as its hash, bound to the purpose and the address, valid 30 minutes", async () => {
    const user = await createUser();
    const client = accountsApp();
    const token = await resetToken(client, user);
    const rows = await db.select().from(oneTimeTokens).where(eq(oneTimeTokens.userId, user.id));
    expect(rows).toEqual([
      expect.objectContaining({ tokenHash: await hashOpaqueToken(token), purpose: "password_reset", email: user.email, usedAt: null, expiresAt: new Date(client.time.clock() + 30 * MINUTE) }),
    ]);
  });
});

describe("POST /v1/auth/password/reset", () => {
  it("sets the password, ends every session of the account at once, audits it and sends a notice", async () => {
    const user = await createUser({ locale: "es" });
    const client = accountsApp();
    const [first, second] = [await signIn(user, client.time.clock), await signIn(user, client.time.clock)];
    // Both sessions are now checked and cached by this isolate.
    for (const { accessToken } of [first, second]) expect((await client.request("/v1/me", { headers: bearer(accessToken) })).status).toBe(200);

    const token = await resetToken(client, user);
    const { result, roundTrips } = await countDatabaseRoundTrips(() => client.post("/v1/auth/password/reset", { token, password: NEW_PASSWORD }));
    expect(result.status).toBe(204);
    // One read refuses a dead token before any hashing; one statement does the rest.
    expect(roundTrips).toBe(2);
    expect(await verifyPassword(NEW_PASSWORD, await passwordHashOf(user))).toBe(true);

    const ended = await db.select({ reason: sessions.revokedReason }).from(sessions).where(eq(sessions.userId, user.id));
    expect(ended).toEqual([{ reason: "password_reset" }, { reason: "password_reset" }]);
    for (const { accessToken } of [first, second]) await expectProblem(await client.request("/v1/me", { headers: bearer(accessToken) }), { status: 401, code: "UNAUTHORIZED" });
    for (const { refreshToken } of [first, second]) await expect(refreshWith(refreshToken, client.time.clock)).rejects.toBeInstanceOf(InvalidTokenError);

    const audited = await db.select().from(auditLog).where(and(eq(auditLog.targetId, user.id), eq(auditLog.action, "password.reset")));
    expect(audited).toEqual([expect.objectContaining({ actorId: user.id })]);
    expect(client.queue.take()).toEqual([{ template: "password-changed", to: user.email, locale: "es" }]);
  });

  it("redeems a token once: of two concurrent resets exactly one sets its password", async () => {
    const user = await createUser();
    const client = accountsApp();
    const token = await resetToken(client, user);
    const passwords = ["first concurrent passphrase", "second concurrent passphrase"];
    const answers = await Promise.all(passwords.map((password) => client.post("/v1/auth/password/reset", { token, password })));
    expect(answers.map((response) => response.status).sort()).toEqual([204, 400]);
    await expectProblem(answers.find((response) => response.status === 400)!, { status: 400, code: "INVALID_TOKEN" });
    const winner = passwords[answers.findIndex((response) => response.status === 204)]!;
    expect(await verifyPassword(winner, await passwordHashOf(user))).toBe(true);
    expect(await db.select().from(auditLog).where(and(eq(auditLog.targetId, user.id), eq(auditLog.action, "password.reset")))).toHaveLength(1);
  });

  it("accepts a token for 30 minutes and refuses it from then on, leaving the password as it was", async () => {
    const [user, other] = [await createUser(), await createUser()];
    const early = accountsApp(manualClock());
    const late = accountsApp(manualClock());
    const [earlyToken, lateToken] = [await resetToken(early, user), await resetToken(late, other)];
    early.time.advance(30 * MINUTE - 1000);
    late.time.advance(30 * MINUTE);
    expect((await early.post("/v1/auth/password/reset", { token: earlyToken, password: NEW_PASSWORD })).status).toBe(204);
    await expectProblem(await late.post("/v1/auth/password/reset", { token: lateToken, password: NEW_PASSWORD }), { status: 400, code: "INVALID_TOKEN" });
    expect(await verifyPassword(other.password, await passwordHashOf(other))).toBe(true);
  });

  it("refuses a token of another purpose: a verification token, and a reset-shaped token stored for verification", async () => {
    const user = await createUser();
    const client = accountsApp();
    const storedForVerification = createOpaqueToken("reset");
    await db.insert(oneTimeTokens).values({
      tokenHash: await hashOpaqueToken(storedForVerification),
      userId: user.id,
      purpose: "email_verification",
      email: user.email,
      expiresAt: new Date(client.time.clock() + 60 * MINUTE),
    });
    await expectProblem(await client.post("/v1/auth/password/reset", { token: storedForVerification, password: NEW_PASSWORD }), { status: 400, code: "INVALID_TOKEN" });
    await expectProblem(await client.post("/v1/auth/password/reset", { token: createOpaqueToken("verification"), password: NEW_PASSWORD }), { status: 400, code: "INVALID_TOKEN" });
    expect(await verifyPassword(user.password, await passwordHashOf(user))).toBe(true);
  });

  it.each([
    ["an unknown token", async () => createOpaqueToken("reset")],
    ["an expired token", async (client: Client, user: TestUser) => {
      const token = await resetToken(client, user);
      client.time.advance(30 * MINUTE);
      return token;
    }],
    ["a used token", async (client: Client, user: TestUser) => {
      const token = await resetToken(client, user);
      expect((await client.post("/v1/auth/password/reset", { token, password: NEW_PASSWORD })).status).toBe(204);
      return token;
    }],
    ["a token stored for another purpose", async (client: Client, user: TestUser) => {
      const token = createOpaqueToken("reset");
      const expiresAt = new Date(client.time.clock() + 60 * MINUTE);
      await db.insert(oneTimeTokens).values({ tokenHash: await hashOpaqueToken(token), userId: user.id, purpose: "email_verification", email: user.email, expiresAt });
      return token;
    }],
  ])("refuses %s after one read that changes nothing, before the new password is hashed", async (_, arrange) => {
    const user = await createUser();
    const client = accountsApp();
    const token = await arrange(client, user);
    const { result, statements } = await countDatabaseRoundTrips(() => client.post("/v1/auth/password/reset", { token, password: "yet another unusual passphrase" }));
    await expectProblem(result, { status: 400, code: "INVALID_TOKEN" });
    expect(statements).toEqual([expect.stringMatching(/^select user_id from one_time_tokens where /)]);
  });

  it("refuses the token of an account deleted since it was sent", async () => {
    const user = await createUser();
    const client = accountsApp();
    const token = await resetToken(client, user);
    await db.update(users).set({ deletedAt: new Date() }).where(eq(users.id, user.id));
    await expectProblem(await client.post("/v1/auth/password/reset", { token, password: NEW_PASSWORD }), { status: 400, code: "INVALID_TOKEN" });
    expect(await verifyPassword(user.password, await passwordHashOf(user))).toBe(true);
  });

  it("sets a 64-character Unicode password", async () => {
    const user = await createUser();
    const client = accountsApp();
    const token = await resetToken(client, user);
    const password = Array.from("Ünïcödé 🔑 contraseña 密碼 ".repeat(4)).slice(0, 64).join("");
    expect(Array.from(password)).toHaveLength(64);
    expect((await client.post("/v1/auth/password/reset", { token, password })).status).toBe(204);
    expect(await verifyPassword(password, await passwordHashOf(user))).toBe(true);
  });

  it("refuses a common password and one over the byte cap, and keeps the token usable", async () => {
    const user = await createUser();
    const client = accountsApp();
    const token = await resetToken(client, user);
    const common = await expectProblem(await client.post("/v1/auth/password/reset", { token, password: "qwertyuiop" }), { status: 400, code: "VALIDATION_FAILED" });
    expect(common.errors).toEqual([{ path: "password", ...PASSWORD_ISSUES.tooCommon }]);
    const { result, roundTrips } = await countDatabaseRoundTrips(() => client.post("/v1/auth/password/reset", { token, password: "é".repeat(513) }));
    expect((await expectProblem(result, { status: 400, code: "VALIDATION_FAILED" })).errors).toEqual([{ path: "password", ...PASSWORD_ISSUES.tooLong }]);
    expect(roundTrips).toBe(0);
    expect((await client.post("/v1/auth/password/reset", { token, password: NEW_PASSWORD })).status).toBe(204);
  });
});
