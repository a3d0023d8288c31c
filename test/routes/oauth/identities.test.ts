import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDatabase } from "../../../src/db/client";
import { auditLog, oauthStates, userIdentities, users } from "../../../src/db/schema";
import { newId } from "../../../src/lib/ids";
import { hashOpaqueToken } from "../../../src/lib/tokens";
import type { OAuthProviderName } from "../../../src/services/oauth/types";
import { call, testApp } from "../../helpers/app";
import { db, json } from "../../helpers/accounts";
import { bearer, createUser, signIn, testConfig, uniqueEmail } from "../../helpers/identity";
import { authorizeAtProvider, callback, landing, stateCookie, uniqueSubject } from "../../helpers/oauth";
import { expectProblem } from "../../helpers/problem";
import { countDatabaseRoundTrips } from "../../helpers/round-trips";

/** A user who signs in through providers only: no password, the given providers linked. */
async function providerOnlyUser(providers: OAuthProviderName[]) {
  const id = newId("user");
  await db.insert(users).values({ id, email: uniqueEmail("provider-only"), emailVerifiedAt: new Date(), passwordHash: null });
  for (const provider of providers) await db.insert(userIdentities).values({ id: newId("identity"), userId: id, provider, subject: uniqueSubject(provider) });
  return { id };
}

/** Whether an unlink waits for a user's row (the statement's parameters are not in its text). */
async function unlinkWaiting(): Promise<boolean> {
  const result = await db.execute(sql`select 1 from pg_stat_activity where wait_event_type = 'Lock' and query like '%from users where id = $1 for no key update%'`);
  return result.rows.length > 0;
}

/** A signed-in user on a fresh app whose session check is warm, so counts show the route's own round trips. */
async function signedIn(user: { id: string }) {
  const app = testApp();
  const headers = bearer((await signIn(user)).accessToken);
  expect((await call(app, "/v1/me", { headers })).status).toBe(200);
  return { app, headers };
}

/** The link flow as a web app drives it: POST for the URL (and the cookie), the provider, the callback. */
async function link(app: ReturnType<typeof testApp>, headers: Record<string, string>, provider: OAuthProviderName, identity: Parameters<typeof authorizeAtProvider>[1]) {
  const started = await call(app, `/v1/me/identities/${provider}`, json("POST", { returnTo: "/settings/accounts" }, headers));
  expect(started.status).toBe(200);
  const { authorizationUrl } = await started.json<{ authorizationUrl: string }>();
  const back = await authorizeAtProvider(authorizationUrl, identity);
  return callback(app, back.callbackPath, stateCookie(started).value);
}

describe("GET /v1/me/identities", () => {
  it("lists the linked providers, never the subject, in one round trip", async () => {
    const user = await providerOnlyUser(["google", "github"]);
    const { app, headers } = await signedIn(user);
    const { result, roundTrips } = await countDatabaseRoundTrips(() => call(app, "/v1/me/identities", { headers }));
    expect(roundTrips).toBe(1);
    const body = await result.json<{ identities: Array<Record<string, unknown>> }>();
    expect(body.identities.map((identity) => identity.provider)).toEqual(["github", "google"]);
    expect(Object.keys(body.identities[0]!).sort()).toEqual(["createdAt", "email", "id", "provider"]);
  });
});

describe("POST /v1/me/identities/{provider}", () => {
  it("links the provider account to the signed-in user through the browser, and audits it", async () => {
    const user = await createUser();
    const { app, headers } = await signedIn(user);
    const sub = uniqueSubject("github");
    const response = await link(app, headers, "github", { sub, email: uniqueEmail("other-address") });
    const target = landing(response);
    expect(`${target.pathname}?${target.searchParams}`).toBe("/settings/accounts?linked=github");
    const [identity] = await db.select().from(userIdentities).where(eq(userIdentities.subject, sub));
    expect(identity!.userId).toBe(user.id);
    const [audit] = await db.select().from(auditLog).where(eq(auditLog.targetId, identity!.id));
    expect(audit).toMatchObject({ action: "identity.linked", actorId: user.id, details: { provider: "github", via: "link" } });
  });

  it("keeps the attempt for that user, in one round trip", async () => {
    const user = await createUser();
    const { app, headers } = await signedIn(user);
    const { result, roundTrips } = await countDatabaseRoundTrips(() => call(app, "/v1/me/identities/google", json("POST", {}, headers)));
    expect(roundTrips).toBe(1);
    const [attempt] = await db.select().from(oauthStates).where(eq(oauthStates.stateHash, await hashOpaqueToken(stateCookie(result).value)));
    expect(attempt!.linkUserId).toBe(user.id);
  });

  it("refuses a provider account linked to another user", async () => {
    const sub = uniqueSubject("google");
    const owner = await providerOnlyUser([]);
    await db.insert(userIdentities).values({ id: newId("identity"), userId: owner.id, provider: "google", subject: sub });
    const user = await createUser();
    const { app, headers } = await signedIn(user);
    const response = await link(app, headers, "google", { sub, email: uniqueEmail(), email_verified: true });
    expect(landing(response).searchParams.get("error")).toBe("identity_in_use");
    expect(await db.select().from(userIdentities).where(eq(userIdentities.userId, user.id))).toEqual([]);
  });

  it("refuses a second account of a provider already linked", async () => {
    const user = await providerOnlyUser(["github"]);
    const { app, headers } = await signedIn(user);
    const response = await link(app, headers, "github", { sub: uniqueSubject("github"), email: uniqueEmail() });
    expect(landing(response).searchParams.get("error")).toBe("provider_already_linked");
    expect(await db.select().from(userIdentities).where(eq(userIdentities.userId, user.id))).toHaveLength(1);
  });

  it("refuses a returnTo off the web app", async () => {
    const { app, headers } = await signedIn(await createUser());
    const response = await call(app, "/v1/me/identities/google", json("POST", { returnTo: "//evil.example" }, headers));
    await expectProblem(response, { status: 400, code: "VALIDATION_FAILED" });
  });
});

describe("DELETE /v1/me/identities/{provider}", () => {
  it("unlinks a provider of a user who has a password, with its audit row, in one round trip", async () => {
    const user = await createUser();
    await db.insert(userIdentities).values({ id: newId("identity"), userId: user.id, provider: "google", subject: uniqueSubject("google") });
    const { app, headers } = await signedIn(user);
    const { result, roundTrips } = await countDatabaseRoundTrips(() => call(app, "/v1/me/identities/google", { method: "DELETE", headers }));
    expect(result.status).toBe(204);
    expect(roundTrips).toBe(1);
    expect(await db.select().from(userIdentities).where(eq(userIdentities.userId, user.id))).toEqual([]);
    const [audit] = await db.select().from(auditLog).where(and(eq(auditLog.actorId, user.id), eq(auditLog.action, "identity.unlinked")));
    expect(audit!.details).toEqual({ provider: "google" });
  });

  it("refuses to unlink the last way to sign in (no password, no other provider)", async () => {
    const user = await providerOnlyUser(["google", "github"]);
    const { app, headers } = await signedIn(user);
    expect((await call(app, "/v1/me/identities/google", { method: "DELETE", headers })).status).toBe(204);
    const refused = await call(app, "/v1/me/identities/github", { method: "DELETE", headers });
    await expectProblem(refused, { status: 409, code: "CONFLICT" });
    expect(await db.select().from(userIdentities).where(eq(userIdentities.userId, user.id))).toHaveLength(1);
  });

  it("decides an unlink after a concurrent one has committed, so two at once cannot leave nothing", async () => {
    const user = await providerOnlyUser(["google", "github"]);
    const { app, headers } = await signedIn(user);
    let answer: Promise<Response> | undefined;
    // An unlink of google holds the user's row, as the route's batch does, while the github unlink arrives.
    await createDatabase(testConfig()).transaction(async (tx) => {
      await tx.execute(sql`select id from users where id = ${user.id} for no key update`);
      await tx.delete(userIdentities).where(and(eq(userIdentities.userId, user.id), eq(userIdentities.provider, "google")));
      let settled = false;
      answer = call(app, "/v1/me/identities/github", { method: "DELETE", headers }).finally(() => (settled = true));
      // Until the github unlink waits for the row (or, without the lock, has already answered).
      for (let tries = 0; tries < 50 && !settled && !(await unlinkWaiting()); tries++) await new Promise((resolve) => setTimeout(resolve, 10));
    });
    await expectProblem(await answer!, { status: 409, code: "CONFLICT" });
    expect(await db.select().from(userIdentities).where(eq(userIdentities.userId, user.id))).toHaveLength(1);
  });

  it("is a 404 for a provider not linked, another user's included", async () => {
    const other = await providerOnlyUser(["github"]);
    void other;
    const { app, headers } = await signedIn(await createUser());
    await expectProblem(await call(app, "/v1/me/identities/github", { method: "DELETE", headers }), { status: 404, code: "NOT_FOUND" });
  });

  it("lets a deleted account's provider accounts sign up again", async () => {
    const user = await providerOnlyUser(["google"]);
    const { app, headers } = await signedIn(user);
    expect((await call(app, "/v1/me", { method: "DELETE", headers })).status).toBe(204);
    expect(await db.select().from(userIdentities).where(eq(userIdentities.userId, user.id))).toEqual([]);
  });
});
