import { and, eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { auditLog, oneTimeTokens, users } from "../../../src/db/schema";
import { PASSWORD_ISSUES, verifyPassword } from "../../../src/lib/passwords";
import { createDatabase } from "../../../src/db/client";
import { accountsApp, db, expectNoSecretsAnswered, json } from "../../helpers/accounts";
import { call } from "../../helpers/app";
import { allowConsoleError } from "../../helpers/expected-noise";
import { createUser, testConfig, uniqueEmail } from "../../helpers/identity";
import { testStack } from "../../helpers/stack";
import { expectProblem } from "../../helpers/problem";
import { countDatabaseRoundTrips } from "../../helpers/round-trips";

afterEach(expectNoSecretsAnswered);

const PASSWORD = "a long and unusual passphrase";

describe("POST /v1/auth/register", () => {
  it("creates an unverified account with the password hashed and sends it a verification mail", async () => {
    const { post, queue } = accountsApp();
    const email = uniqueEmail("new");
    const response = await post("/v1/auth/register", { email: email.toUpperCase(), password: PASSWORD, name: " Ada " });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ status: "accepted" });

    const [account] = await db.select().from(users).where(eq(users.email, email));
    expect(account).toMatchObject({ email, name: "Ada", locale: "en", role: "user", emailVerifiedAt: null, deletedAt: null });
    expect(await verifyPassword(PASSWORD, account!.passwordHash!)).toBe(true);
    expect(queue.take()).toEqual([{ template: "verify-email", to: email, locale: "en", token: expect.stringMatching(/^vt_/) }]);
    const audited = await db.select().from(auditLog).where(and(eq(auditLog.targetId, account!.id), eq(auditLog.action, "user.registered")));
    expect(audited).toEqual([expect.objectContaining({ actorId: account!.id, targetType: "user" })]);
  });

  it("keeps the account's language from Accept-Language", async () => {
    const { post, queue } = accountsApp();
    const email = uniqueEmail("aleman");
    await post("/v1/auth/register", { email, password: PASSWORD }, { "Accept-Language": "fr;q=0.9, de;q=0.8" });
    const [account] = await db.select({ locale: users.locale }).from(users).where(eq(users.email, email));
    expect(account?.locale).toBe("de");
    expect(queue.take()).toEqual([expect.objectContaining({ template: "verify-email", locale: "de" })]);
  });

  it("changes nothing for a known address and sends that account a notice instead, in its own language", async () => {
    const existing = await createUser({ locale: "es", name: "Existing" });
    const { post, queue } = accountsApp();
    const response = await post("/v1/auth/register", { email: existing.email, password: PASSWORD, name: "Intruder" }, { "Accept-Language": "de" });
    expect(response.status).toBe(202);

    const accounts = await db.select().from(users).where(eq(users.email, existing.email));
    expect(accounts).toHaveLength(1);
    expect(accounts[0]).toMatchObject({ id: existing.id, name: "Existing" });
    expect(await verifyPassword(existing.password, accounts[0]!.passwordHash!)).toBe(true);
    expect(await db.select().from(oneTimeTokens).where(eq(oneTimeTokens.userId, existing.id))).toEqual([]);
    expect(queue.take()).toEqual([{ template: "account-exists", to: existing.email, locale: "es" }]);
  });

  it("answers a known and an unknown address with the same status, headers and body, in one round trip each", async () => {
    const existing = await createUser();
    const { post } = accountsApp();
    const known = await countDatabaseRoundTrips(() => post("/v1/auth/register", { email: existing.email, password: PASSWORD }));
    const unknown = await countDatabaseRoundTrips(() => post("/v1/auth/register", { email: uniqueEmail("fresh"), password: PASSWORD }));
    expect(known.result.status).toBe(unknown.result.status);
    expect(await known.result.text()).toBe(await unknown.result.text());
    const headerNames = (response: Response) => [...response.headers.keys()].filter((name) => name !== "x-request-id").sort();
    expect(headerNames(known.result)).toEqual(headerNames(unknown.result));
    expect([known.roundTrips, unknown.roundTrips]).toEqual([1, 1]);
  });

  it("lets the address of a deleted account register again", async () => {
    const { post, queue } = accountsApp();
    const deleted = await createUser();
    await db.update(users).set({ deletedAt: new Date() }).where(eq(users.id, deleted.id));
    await post("/v1/auth/register", { email: deleted.email, password: PASSWORD });
    expect(queue.take()).toEqual([expect.objectContaining({ template: "verify-email", to: deleted.email })]);
  });

  it("queues no mail when the database does not take the registration", async () => {
    allowConsoleError(/"msg":"unhandled error"/, "the database endpoint answers 404 on purpose; onError logs the failure");
    const { app, queue } = accountsApp();
    try {
      // Another endpoint for this request only: the local stack's control server, which has no /sql.
      const broken = { MAIL_QUEUE: queue, NEON_HTTP_ENDPOINT: `${testStack().controlUrl}/sql` };
      const response = await call(app, "/v1/auth/register", json("POST", { email: uniqueEmail(), password: PASSWORD }), broken);
      expect(response.status).toBeGreaterThanOrEqual(500);
      expect(queue.take()).toEqual([]);
    } finally {
      // The Neon driver's endpoint is process-wide: point it back at the stack for the next test.
      createDatabase(testConfig());
    }
  });

  it.each([["role"], ["emailVerified"], ["id"], ["__proto__"]])("refuses a body carrying %s, and creates nothing", async (field) => {
    const { request, queue } = accountsApp();
    const email = uniqueEmail("mass");
    const body = `{"email":${JSON.stringify(email)},"password":${JSON.stringify(PASSWORD)},${JSON.stringify(field)}:{"role":"admin"}}`;
    const response = await request("/v1/auth/register", { method: "POST", headers: { "Content-Type": "application/json" }, body });
    const problem = await expectProblem(response, { status: 400, code: "VALIDATION_FAILED" });
    expect(problem.errors).toEqual([expect.objectContaining({ code: "unrecognized_keys" })]);
    expect(await db.select().from(users).where(eq(users.email, email))).toEqual([]);
    expect(queue.take()).toEqual([]);
  });

  it("refuses a common password", async () => {
    const { post } = accountsApp();
    const problem = await expectProblem(await post("/v1/auth/register", { email: uniqueEmail(), password: "Password123" }), { status: 400, code: "VALIDATION_FAILED" });
    expect(problem.errors).toEqual([{ path: "password", ...PASSWORD_ISSUES.tooCommon }]);
  });

  it("answers a password over the byte cap with 400 before any work: no hashing, no database round trip", async () => {
    const { post, queue } = accountsApp();
    const email = uniqueEmail("long");
    // 1,025 bytes of UTF-8, one over the cap. Without the schema's cap, hashing would refuse it (a 500).
    const password = "é".repeat(512) + "x";
    const { result, roundTrips } = await countDatabaseRoundTrips(() => post("/v1/auth/register", { email, password }));
    const problem = await expectProblem(result, { status: 400, code: "VALIDATION_FAILED" });
    expect(problem.errors).toEqual([{ path: "password", ...PASSWORD_ISSUES.tooLong }]);
    expect(roundTrips).toBe(0);
    expect(await db.select().from(users).where(eq(users.email, email))).toEqual([]);
    expect(queue.take()).toEqual([]);
  });

  it("registers a 64-character Unicode password, whose NFKC form is what signs in", async () => {
    const { post } = accountsApp();
    const email = uniqueEmail("unicode");
    // 64 code points of 1 to 4 UTF-8 bytes, fullwidth letters included (NFKC makes them ASCII).
    const password = Array.from("ｐａｓｓ wörd 密码 🔐🗝️ ".repeat(8)).slice(0, 64).join("");
    expect(Array.from(password)).toHaveLength(64);
    expect((await post("/v1/auth/register", { email, password })).status).toBe(202);
    const [account] = await db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.email, email));
    expect(await verifyPassword(password, account!.passwordHash!)).toBe(true);
    expect(await verifyPassword(password.normalize("NFKC"), account!.passwordHash!)).toBe(true);
  });
});
