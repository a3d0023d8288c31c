import { and, eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { auditLog, oneTimeTokens, users } from "../../../src/db/schema";
import { createOpaqueToken, hashOpaqueToken } from "../../../src/lib/tokens";
import { accountsApp, db, expectNoSecretsAnswered, watchAccount } from "../../helpers/accounts";
import { manualClock } from "../../helpers/clock";
import { bearer, createUser, signIn, uniqueEmail } from "../../helpers/identity";
import type { MailMessage } from "../../../src/services/mail/message";
import { expectProblem } from "../../helpers/problem";
import { countDatabaseRoundTrips } from "../../helpers/round-trips";

afterEach(expectNoSecretsAnswered);

const HOUR = 60 * 60 * 1000;

/** Registers a new address through the API; returns it with the token its verification mail carries. */
async function registered(client: ReturnType<typeof accountsApp>) {
  const email = uniqueEmail("verify");
  expect((await client.post("/v1/auth/register", { email, password: "a long and unusual passphrase" })).status).toBe(202);
  const [mail] = client.queue.take() as Array<Extract<MailMessage, { template: "verify-email" }>>;
  return { email, token: mail!.token };
}

const verifiedAt = async (email: string) => (await db.select({ at: users.emailVerifiedAt }).from(users).where(eq(users.email, email)))[0]?.at;

describe("POST /v1/auth/email/verify", () => {
  it("marks the address verified with the token from the mail, and audits it, in one round trip", async () => {
    const client = accountsApp();
    const { email, token } = await registered(client);
    const { result, roundTrips } = await countDatabaseRoundTrips(() => client.post("/v1/auth/email/verify", { token }));
    expect(result.status).toBe(204);
    expect(roundTrips).toBe(1);
    expect(await verifiedAt(email)).toEqual(new Date(client.time.clock()));
    const [account] = await db.select({ id: users.id }).from(users).where(eq(users.email, email));
    const audited = await db.select().from(auditLog).where(and(eq(auditLog.targetId, account!.id), eq(auditLog.action, "user.email_verified")));
    expect(audited).toHaveLength(1);
  });

  it("redeems a token once: of two concurrent redemptions exactly one succeeds", async () => {
    const client = accountsApp();
    const { token } = await registered(client);
    const answers = await Promise.all([client.post("/v1/auth/email/verify", { token }), client.post("/v1/auth/email/verify", { token })]);
    expect(answers.map((response) => response.status).sort()).toEqual([204, 400]);
    await expectProblem(answers.find((response) => response.status === 400)!, { status: 400, code: "INVALID_TOKEN" });
    expect(await db.select({ usedAt: oneTimeTokens.usedAt }).from(oneTimeTokens).where(eq(oneTimeTokens.tokenHash, await hashOpaqueToken(token)))).toEqual([
      { usedAt: expect.any(Date) },
    ]);
  });

  it("refuses a token used before", async () => {
    const client = accountsApp();
    const { token } = await registered(client);
    expect((await client.post("/v1/auth/email/verify", { token })).status).toBe(204);
    await expectProblem(await client.post("/v1/auth/email/verify", { token }), { status: 400, code: "INVALID_TOKEN" });
  });

  it("accepts a token until 24 hours have passed, and refuses it from then on", async () => {
    const early = accountsApp(manualClock());
    const late = accountsApp(manualClock());
    const [first, second] = [await registered(early), await registered(late)];
    early.time.advance(24 * HOUR - 1000);
    late.time.advance(24 * HOUR);
    expect((await early.post("/v1/auth/email/verify", { token: first.token })).status).toBe(204);
    await expectProblem(await late.post("/v1/auth/email/verify", { token: second.token }), { status: 400, code: "INVALID_TOKEN" });
    expect(await verifiedAt(second.email)).toBeNull();
  });

  it("refuses a token of another purpose: a reset token, and a verification-shaped token stored for a reset", async () => {
    const user = await createUser({ verified: false });
    const client = accountsApp();
    const storedForReset = createOpaqueToken("verification");
    await db.insert(oneTimeTokens).values({
      tokenHash: await hashOpaqueToken(storedForReset),
      userId: user.id,
      purpose: "password_reset",
      email: user.email,
      expiresAt: new Date(client.time.clock() + HOUR),
    });
    await expectProblem(await client.post("/v1/auth/email/verify", { token: storedForReset }), { status: 400, code: "INVALID_TOKEN" });
    await expectProblem(await client.post("/v1/auth/email/verify", { token: createOpaqueToken("reset") }), { status: 400, code: "INVALID_TOKEN" });
    expect(await verifiedAt(user.email)).toBeNull();
  });

  it("verifies nothing when the account's address is no longer the one the token was sent to", async () => {
    const client = accountsApp();
    const { email, token } = await registered(client);
    const changed = uniqueEmail("changed");
    await db.update(users).set({ email: changed }).where(eq(users.email, email));
    await expectProblem(await client.post("/v1/auth/email/verify", { token }), { status: 400, code: "INVALID_TOKEN" });
    expect(await verifiedAt(changed)).toBeNull();
  });

  it("answers an unknown or malformed token with the same problem", async () => {
    const client = accountsApp();
    const unknown = await expectProblem(await client.post("/v1/auth/email/verify", { token: createOpaqueToken("verification") }), { status: 400, code: "INVALID_TOKEN" });
    const malformed = await expectProblem(await client.post("/v1/auth/email/verify", { token: "vt_not-a-token" }), { status: 400, code: "INVALID_TOKEN" });
    expect({ ...unknown, requestId: undefined }).toEqual({ ...malformed, requestId: undefined });
  });
});

describe("POST /v1/auth/email/verification", () => {
  it("sends an unverified account a new link that works, in one round trip", async () => {
    const user = await createUser({ verified: false, locale: "de" });
    watchAccount(user.email);
    const client = accountsApp();
    const { accessToken } = await signIn(user, client.time.clock);
    const { result, roundTrips } = await countDatabaseRoundTrips(() => client.request("/v1/auth/email/verification", { method: "POST", headers: bearer(accessToken) }));
    expect(result.status).toBe(202);
    expect(await result.json()).toEqual({ status: "accepted" });
    // Authentication checks the session (one), the handler stores the token (one).
    expect(roundTrips).toBe(2);
    const [mail] = client.queue.take() as Array<Extract<MailMessage, { template: "verify-email" }>>;
    expect(mail).toEqual({ template: "verify-email", to: user.email, locale: "de", token: expect.stringMatching(/^vt_/) });
    expect((await client.post("/v1/auth/email/verify", { token: mail!.token })).status).toBe(204);
  });

  it("answers a verified account alike and sends it nothing", async () => {
    const user = await createUser({ verified: true });
    const client = accountsApp();
    const { accessToken } = await signIn(user, client.time.clock);
    const response = await client.request("/v1/auth/email/verification", { method: "POST", headers: bearer(accessToken) });
    expect(response.status).toBe(202);
    expect(client.queue.take()).toEqual([]);
    expect(await db.select().from(oneTimeTokens).where(eq(oneTimeTokens.userId, user.id))).toEqual([]);
  });

  it("requires an access token", async () => {
    await expectProblem(await accountsApp().request("/v1/auth/email/verification", { method: "POST" }), { status: 401, code: "UNAUTHORIZED" });
  });
});
