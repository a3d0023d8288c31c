import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createApp } from "../../../src/app";
import { auditLog, oauthStates, userIdentities, users } from "../../../src/db/schema";
import { hashOpaqueToken } from "../../../src/lib/tokens";
import { call, testApp } from "../../helpers/app";
import { db } from "../../helpers/accounts";
import { manualClock } from "../../helpers/clock";
import { bearer, createUser, uniqueEmail } from "../../helpers/identity";
import { callback, exchange, landing, signInWith, startSignIn, stateCookie, uniqueSubject, writtenFor } from "../../helpers/oauth";
import { expectProblem } from "../../helpers/problem";
import { countDatabaseRoundTrips } from "../../helpers/round-trips";

/** The code a successful callback put in the landing URL. */
const codeOf = (response: Response) => landing(response).searchParams.get("code")!;

describe("GET /v1/auth/oauth/{provider}/start", () => {
  it("redirects to the provider with state, PKCE (S256), a nonce and the scopes, and binds the attempt to the browser by a cookie", async () => {
    const response = await call(testApp(), "/v1/auth/oauth/google/start?returnTo=%2Fsettings");
    expect(response.status).toBe(302);
    expect(response.headers.get("Referrer-Policy")).toBe("no-referrer");
    const url = new URL(response.headers.get("Location")!);
    expect(url.searchParams.get("response_type")).toBe("code");
    expect(url.searchParams.get("redirect_uri")).toBe("http://127.0.0.1:8787/v1/auth/oauth/google/callback");
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get("nonce")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get("scope")).toBe("openid email profile");

    const { value, attributes } = stateCookie(response);
    expect(value).toBe(url.searchParams.get("state"));
    expect(attributes).toContain("Path=/v1/auth/oauth/google/callback");
    expect(attributes).toContain("Max-Age=600");
    expect(attributes).toContain("HttpOnly");
    expect(attributes).toContain("Secure");
    expect(attributes).toContain("SameSite=Lax");

    const [attempt] = await db.select().from(oauthStates).where(eq(oauthStates.stateHash, await hashOpaqueToken(value)));
    expect(attempt).toMatchObject({ provider: "google", returnTo: "http://localhost:3000/settings", linkUserId: null, usedAt: null });
    expect(attempt!.expiresAt.getTime() - attempt!.createdAt.getTime()).toBe(600_000);
  });

  it("asks GitHub for read:user and user:email, with PKCE and no nonce", async () => {
    const response = await call(testApp(), "/v1/auth/oauth/github/start");
    const url = new URL(response.headers.get("Location")!);
    expect(url.searchParams.get("scope")).toBe("read:user user:email");
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.has("nonce")).toBe(false);
  });

  it.each(["//evil.example", "https://evil.example", "/\\evil.example", "/\tevil", "javascript:alert(1)", "http://localhost:3000.evil.example/", "https://user@localhost:3000/"])(
    "refuses the open redirect %j before anything is kept",
    async (returnTo) => {
      const response = await call(testApp(), `/v1/auth/oauth/google/start?returnTo=${encodeURIComponent(returnTo)}`);
      const problem = await expectProblem(response, { status: 400, code: "VALIDATION_FAILED" });
      expect(problem.errors?.[0]?.path).toBe("returnTo");
      expect(response.headers.get("Set-Cookie")).toBeNull();
    },
  );

  it("accepts an origin from OAUTH_RETURN_ORIGINS", async () => {
    const overrides = { OAUTH_RETURN_ORIGINS: "https://admin.example.test" };
    const flow = await startSignIn(testApp(), "github", { returnTo: "https://admin.example.test/back?x=1", overrides });
    const [attempt] = await db.select().from(oauthStates).where(eq(oauthStates.stateHash, await hashOpaqueToken(flow.cookie)));
    expect(attempt!.returnTo).toBe("https://admin.example.test/back?x=1");
  });

  it("is a 404 for a provider without credentials", async () => {
    const response = await call(testApp(), "/v1/auth/oauth/github/start", {}, { GITHUB_CLIENT_ID: undefined, GITHUB_CLIENT_SECRET: undefined });
    await expectProblem(response, { status: 404, code: "NOT_FOUND" });
  });

  it("makes one database round trip, which also deletes expired attempts", async () => {
    const stale = await hashOpaqueToken(crypto.randomUUID());
    const past = new Date(Date.now() - 3_600_000);
    await db.insert(oauthStates).values({ stateHash: stale, provider: "github", codeVerifier: "v", returnTo: "http://localhost:3000/", createdAt: past, expiresAt: past });
    const { roundTrips } = await countDatabaseRoundTrips(() => call(testApp(), "/v1/auth/oauth/google/start"));
    expect(roundTrips).toBe(1);
    expect(await db.select().from(oauthStates).where(eq(oauthStates.stateHash, stale))).toEqual([]);
  });
});

describe("sign in with Google", () => {
  it("makes a new account for a verified address, signs it in through a one-time code, and audits it", async () => {
    const app = testApp();
    const sub = uniqueSubject("google");
    const email = uniqueEmail("google");
    const response = await signInWith(app, "google", { returnTo: "/welcome", identity: { sub, email: email.toUpperCase(), email_verified: true, name: "Ada" } });
    const target = landing(response);
    expect(`${target.origin}${target.pathname}`).toBe("http://localhost:3000/welcome");
    const code = target.searchParams.get("code")!;
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(response.headers.get("Set-Cookie")).toMatch(/^oauth_state=;.*Max-Age=0/);

    const [account] = await db.select().from(users).where(eq(users.email, email));
    expect(account).toMatchObject({ passwordHash: null, name: "Ada", emailVerifiedAt: expect.any(Date) });
    const [identity] = await db.select().from(userIdentities).where(eq(userIdentities.subject, sub));
    expect(identity).toMatchObject({ userId: account!.id, provider: "google", email });

    const traded = await exchange(app, code);
    expect(traded.status).toBe(200);
    expect(traded.headers.get("Cache-Control")).toBe("no-store");
    const tokens = await traded.json<{ accessToken: string; refreshToken: string }>();
    const me = await call(app, "/v1/me", { headers: bearer(tokens.accessToken) });
    expect(await me.json()).toMatchObject({ id: account!.id, email, emailVerified: true });

    const audits = await db.select().from(auditLog).where(eq(auditLog.actorId, account!.id));
    expect(audits.map((row) => [row.action, row.details])).toEqual(
      expect.arrayContaining([
        ["user.registered", { provider: "google" }],
        ["identity.linked", { provider: "google", via: "registration" }],
        ["login.succeeded", { provider: "google" }],
      ]),
    );
  });

  it("signs a linked user in again, by subject, whatever address the provider gives now", async () => {
    const app = testApp();
    const sub = uniqueSubject("google");
    const first = await signInWith(app, "google", { identity: { sub, email: uniqueEmail("first"), email_verified: true } });
    codeOf(first);
    const again = await signInWith(app, "google", { identity: { sub, email: uniqueEmail("renamed"), email_verified: false } });
    const { identities, codes } = await writtenFor(sub);
    expect(identities).toHaveLength(1);
    expect(codes.map((row) => row.userId)).toEqual([identities[0]!.userId, identities[0]!.userId]);
    const traded = await exchange(app, codeOf(again));
    expect(traded.status).toBe(200);
  });

  it("links to an existing account when the provider vouches for the address and the account's own address is verified", async () => {
    const app = testApp();
    const user = await createUser({ verified: true });
    const sub = uniqueSubject("google");
    const response = await signInWith(app, "google", { identity: { sub, email: user.email, email_verified: true } });
    const [identity] = await db.select().from(userIdentities).where(eq(userIdentities.subject, sub));
    expect(identity!.userId).toBe(user.id);
    const traded = await exchange(app, codeOf(response));
    const me = await call(app, "/v1/me", { headers: bearer((await traded.json<{ accessToken: string }>()).accessToken) });
    expect((await me.json<{ id: string }>()).id).toBe(user.id);
    const [linked] = await db.select().from(auditLog).where(eq(auditLog.targetId, identity!.id));
    expect(linked).toMatchObject({ action: "identity.linked", actorId: user.id, details: { provider: "google", via: "email" } });
  });

  it("refuses to link on an address the provider does not vouch for, and makes no account for it", async () => {
    const app = testApp();
    const user = await createUser({ verified: true });
    const sub = uniqueSubject("google");
    const response = await signInWith(app, "google", { identity: { sub, email: user.email, email_verified: false } });
    expect(landing(response).searchParams.get("error")).toBe("email_not_verified");
    expect(landing(response).searchParams.has("code")).toBe(false);
    const written = await writtenFor(sub);
    expect(written.identities).toEqual([]);

    const fresh = uniqueEmail("unverified");
    const unknown = await signInWith(app, "google", { identity: { sub, email: fresh, email_verified: false } });
    expect(landing(unknown).searchParams.get("error")).toBe("email_not_verified");
    expect(await db.select().from(users).where(eq(users.email, fresh))).toEqual([]);
  });

  it("refuses to link to an account whose own address is unverified (someone may have registered it who does not own it)", async () => {
    const user = await createUser({ verified: false });
    const sub = uniqueSubject("google");
    const response = await signInWith(testApp(), "google", { identity: { sub, email: user.email, email_verified: true } });
    expect(landing(response).searchParams.get("error")).toBe("account_exists");
    expect((await writtenFor(sub, user.email)).identities).toEqual([]);
  });

  it.each([
    ["a wrong nonce", { nonce: "replayed-nonce" }],
    ["another audience", { aud: "another-client" }],
  ])("refuses an ID token with %s, writing nothing", async (_, broken) => {
    const sub = uniqueSubject("google");
    const email = uniqueEmail("broken");
    const response = await signInWith(testApp(), "google", { identity: { sub, email, email_verified: true, ...broken } });
    expect(landing(response).searchParams.get("error")).toBe("provider_refused");
    expect(await writtenFor(sub, email)).toEqual({ identities: [], accounts: [], codes: [], audits: [] });
  });

  it("refuses an ID token from another issuer", async () => {
    const sub = uniqueSubject("google");
    const overrides = { GOOGLE_ISSUER: "https://accounts.google.com" };
    const response = await signInWith(testApp(), "google", { identity: { sub, email: uniqueEmail(), email_verified: true }, overrides });
    expect(landing(response).searchParams.get("error")).toBe("provider_refused");
    expect((await writtenFor(sub)).identities).toEqual([]);
  });

  it("makes three database round trips at the callback: the attempt, what is known, the change", async () => {
    const app = testApp();
    const flow = await startSignIn(app, "google", { identity: { sub: uniqueSubject("google"), email: uniqueEmail(), email_verified: true } });
    const { result, roundTrips } = await countDatabaseRoundTrips(() => callback(app, flow.callbackPath, flow.cookie));
    expect(roundTrips).toBe(3);
    const exchanged = await countDatabaseRoundTrips(() => exchange(app, codeOf(result)));
    expect(exchanged.roundTrips).toBe(2);
  });
});

describe("sign in with GitHub", () => {
  it("makes an account from the primary verified address and signs in by the numeric id afterwards", async () => {
    const app = testApp();
    const sub = uniqueSubject("github");
    const email = uniqueEmail("octo");
    const first = await signInWith(app, "github", { identity: { sub, email, name: "Octo Cat" } });
    expect((await exchange(app, codeOf(first))).status).toBe(200);
    const [account] = await db.select().from(users).where(eq(users.email, email));
    expect(account).toMatchObject({ name: "Octo Cat", passwordHash: null });

    const again = await signInWith(app, "github", { identity: { sub, email: uniqueEmail("moved") } });
    expect((await writtenFor(sub)).codes.map((row) => row.userId)).toEqual([account!.id, account!.id]);
    expect((await exchange(app, codeOf(again))).status).toBe(200);
  });

  it("takes no address that is not the primary verified one", async () => {
    const sub = uniqueSubject("github");
    const email = uniqueEmail("unverified");
    const response = await signInWith(testApp(), "github", { identity: { sub, email, email_verified: false } });
    expect(landing(response).searchParams.get("error")).toBe("email_not_verified");
    expect(await writtenFor(sub, email)).toEqual({ identities: [], accounts: [], codes: [], audits: [] });
  });
});

describe("the callback's state", () => {
  it("refuses a callback without the state cookie, creating nothing", async () => {
    const app = testApp();
    const sub = uniqueSubject("google");
    const flow = await startSignIn(app, "google", { identity: { sub, email: uniqueEmail(), email_verified: true } });
    await expectProblem(await callback(app, flow.callbackPath), { status: 400, code: "BAD_REQUEST" });
    expect((await writtenFor(sub)).identities).toEqual([]);
    // The attempt was not spent by the refusal: the browser that holds the cookie may still finish.
    expect(landing(await callback(app, flow.callbackPath, flow.cookie)).searchParams.has("code")).toBe(true);
  });

  it("refuses a state that is not the cookie's (another browser's attempt), creating nothing", async () => {
    const app = testApp();
    const sub = uniqueSubject("google");
    const victim = await startSignIn(app, "google", { identity: { sub, email: uniqueEmail(), email_verified: true } });
    const attacker = await startSignIn(app, "google");
    const problem = await expectProblem(await callback(app, victim.callbackPath, attacker.cookie), { status: 400, code: "BAD_REQUEST" });
    expect(problem.detail).toMatch(/start signing in again/);
    expect((await writtenFor(sub)).identities).toEqual([]);
  });

  it("refuses a state used once already, creating nothing more", async () => {
    const app = testApp();
    const sub = uniqueSubject("github");
    const flow = await startSignIn(app, "github", { identity: { sub, email: uniqueEmail() } });
    codeOf(await callback(app, flow.callbackPath, flow.cookie));
    const before = await writtenFor(sub);
    await expectProblem(await callback(app, flow.callbackPath, flow.cookie), { status: 400, code: "BAD_REQUEST" });
    expect(await writtenFor(sub)).toEqual(before);
  });

  it("refuses a state older than 10 minutes, creating nothing", async () => {
    const time = manualClock();
    const app = createApp({ clock: time.clock });
    const sub = uniqueSubject("google");
    const flow = await startSignIn(app, "google", { identity: { sub, email: uniqueEmail(), email_verified: true } });
    time.advance(600_000);
    await expectProblem(await callback(app, flow.callbackPath, flow.cookie), { status: 400, code: "BAD_REQUEST" });
    expect((await writtenFor(sub)).identities).toEqual([]);
  });

  it("refuses a state of another provider", async () => {
    const app = testApp();
    const flow = await startSignIn(app, "google", { identity: { sub: uniqueSubject("google") } });
    const path = flow.callbackPath.replace("/google/", "/github/");
    await expectProblem(await callback(app, path, flow.cookie), { status: 400, code: "BAD_REQUEST" });
  });

  it.each(["google", "github"] as const)("refuses the code of another attempt (%s checks the PKCE verifier), creating nothing", async (provider) => {
    const app = testApp();
    const sub = uniqueSubject(provider);
    const email = uniqueEmail("injected");
    // The attacker's code, obtained with their own verifier, injected into the victim's attempt.
    const stolen = await startSignIn(app, provider, { identity: { sub, email, email_verified: true } });
    const victim = await startSignIn(app, provider);
    const path = `/v1/auth/oauth/${provider}/callback?code=${encodeURIComponent(stolen.code)}&state=${encodeURIComponent(victim.state)}`;
    const response = await callback(app, path, victim.cookie);
    expect(landing(response).searchParams.get("error")).toBe("provider_refused");
    expect(await writtenFor(sub, email)).toEqual({ identities: [], accounts: [], codes: [], audits: [] });
  });

  it("sends the user back with access_denied when they cancel at the provider", async () => {
    const app = testApp();
    const flow = await startSignIn(app, "github", { returnTo: "/login" });
    const response = await callback(app, `/v1/auth/oauth/github/callback?error=access_denied&state=${flow.state}`, flow.cookie);
    const target = landing(response);
    expect(`${target.pathname}?${target.searchParams}`).toBe("/login?error=access_denied");
  });
});

describe("POST /v1/auth/oauth/exchange", () => {
  it("trades a code once: the second time is INVALID_TOKEN", async () => {
    const app = testApp();
    const response = await signInWith(app, "github", { identity: { sub: uniqueSubject("github"), email: uniqueEmail() } });
    const code = codeOf(response);
    expect((await exchange(app, code)).status).toBe(200);
    await expectProblem(await exchange(app, code), { status: 400, code: "INVALID_TOKEN" });
  });

  it("refuses a code older than 2 minutes", async () => {
    const time = manualClock();
    const app = createApp({ clock: time.clock });
    const response = await signInWith(app, "github", { identity: { sub: uniqueSubject("github"), email: uniqueEmail() } });
    time.advance(120_000);
    await expectProblem(await exchange(app, codeOf(response)), { status: 400, code: "INVALID_TOKEN" });
  });

  it("refuses a code of an account deleted since", async () => {
    const app = testApp();
    const email = uniqueEmail();
    const response = await signInWith(app, "github", { identity: { sub: uniqueSubject("github"), email } });
    await db.update(users).set({ deletedAt: new Date() }).where(eq(users.email, email));
    await expectProblem(await exchange(app, codeOf(response)), { status: 400, code: "INVALID_TOKEN" });
  });

  it("refuses malformed codes without a database round trip", async () => {
    const { result, roundTrips } = await countDatabaseRoundTrips(() => exchange(testApp(), "not-a-code"));
    await expectProblem(result, { status: 400, code: "INVALID_TOKEN" });
    expect(roundTrips).toBe(0);
  });
});

describe("a provider outage", () => {
  const unreachable = "http://127.0.0.1:1/unreachable";

  it.each([
    ["Google's token endpoint answers 503", "google", { outage: "token" }, {}],
    ["Google's token endpoint cannot be reached", "google", {}, { GOOGLE_TOKEN_URL: unreachable }],
    ["Google's keys cannot be reached", "google", {}, { GOOGLE_JWKS_URL: unreachable }],
    ["GitHub's token endpoint answers 503", "github", { outage: "token" }, {}],
    ["GitHub's API answers 503", "github", { outage: "user" }, {}],
    ["GitHub's API does not answer within OAUTH_TIMEOUT_MS", "github", { outage: "hang" }, { OAUTH_TIMEOUT_MS: "200" }],
  ] as const)("is a 502 with nothing written when %s", async (_, provider, outage, overrides) => {
    const app = testApp();
    const sub = uniqueSubject(provider);
    const email = uniqueEmail("outage");
    const response = await signInWith(app, provider, { identity: { sub, email, email_verified: true, ...outage }, overrides });
    const problem = await expectProblem(response, { status: 502, code: "BAD_GATEWAY" });
    expect(problem.detail).toContain(provider);
    expect(await writtenFor(sub, email)).toEqual({ identities: [], accounts: [], codes: [], audits: [] });
  });
});
