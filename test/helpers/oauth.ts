import { eq, inArray, or } from "drizzle-orm";
import { expect, inject } from "vitest";
import { auditLog, oauthExchangeCodes, userIdentities, users } from "../../src/db/schema";
import type { OAuthProviderName } from "../../src/services/oauth/types";
import { call, type BindingOverrides, type TestApp } from "./app";
import { db } from "./accounts";

/** What the mock provider should say about the person signing in (see dev/oauth-mocks.ts). */
export interface MockIdentity {
  sub?: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  /** Google: an ID token for another audience, or with another nonce. */
  aud?: string;
  nonce?: string;
  outage?: "token" | "user" | "hang";
}

/** A subject no other test uses. */
export const uniqueSubject = (provider: OAuthProviderName) => (provider === "github" ? String(1_000_000 + Math.floor(Math.random() * 1e9)) : `google-${crypto.randomUUID()}`);

/** The run's mock providers and the app's credentials there. */
export const oauthMocks = () => inject("oauthProviders");

/** The state cookie a response sets, and its attributes. */
export function stateCookie(response: Response): { value: string; attributes: string } {
  const header = response.headers.get("Set-Cookie") ?? "";
  const match = /^oauth_state=([^;]*);?(.*)$/.exec(header);
  expect(match, "the answer sets the state cookie").not.toBeNull();
  return { value: match![1]!, attributes: match![2]! };
}

/** Where the provider sends the browser back: the callback's path and query, and the state in it. */
export interface ProviderReturn {
  callbackPath: string;
  state: string;
  code: string;
}

/**
 * What a browser does at the provider: follows the authorization URL (the test's choice of identity
 * added as `test_*` parameters) and reads where the provider sends it back.
 */
export async function authorizeAtProvider(authorizationUrl: string, identity: MockIdentity = {}): Promise<ProviderReturn> {
  const url = new URL(authorizationUrl);
  for (const [name, value] of Object.entries(identity)) url.searchParams.set(`test_${name}`, String(value));
  const response = await fetch(url, { redirect: "manual" });
  await response.body?.cancel();
  expect(response.status).toBe(302);
  const back = new URL(response.headers.get("Location")!);
  return { callbackPath: `${back.pathname}${back.search}`, state: back.searchParams.get("state")!, code: back.searchParams.get("code")! };
}

/** A browser's sign-in up to the callback: `/start`, then the provider. Returns the cookie and where the provider returns. */
export async function startSignIn(app: TestApp, provider: OAuthProviderName, options: { returnTo?: string; identity?: MockIdentity; overrides?: BindingOverrides } = {}) {
  const query = options.returnTo === undefined ? "" : `?returnTo=${encodeURIComponent(options.returnTo)}`;
  const started = await call(app, `/v1/auth/oauth/${provider}/start${query}`, {}, options.overrides);
  expect(started.status).toBe(302);
  const cookie = stateCookie(started).value;
  const back = await authorizeAtProvider(started.headers.get("Location")!, options.identity);
  return { cookie, ...back };
}

/** The callback as the browser calls it, with the state cookie when given. */
export function callback(app: TestApp, path: string, cookie?: string, overrides?: BindingOverrides): Promise<Response> {
  return call(app, path, cookie === undefined ? {} : { headers: { Cookie: `oauth_state=${cookie}` } }, overrides);
}

/** A whole sign-in through to the callback's answer. */
export async function signInWith(app: TestApp, provider: OAuthProviderName, options: { returnTo?: string; identity?: MockIdentity; overrides?: BindingOverrides } = {}) {
  const flow = await startSignIn(app, provider, options);
  return callback(app, flow.callbackPath, flow.cookie, options.overrides);
}

/** The query of the callback's redirect to the web app. */
export function landing(response: Response): URL {
  expect(response.status).toBe(302);
  expect(response.headers.get("Referrer-Policy")).toBe("no-referrer");
  return new URL(response.headers.get("Location")!);
}

/** Trades the callback's code at `/exchange`. */
export function exchange(app: TestApp, code: string): Promise<Response> {
  return call(app, "/v1/auth/oauth/exchange", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ code }) });
}

/** Whatever a sign-in of `subject` or `email` could have written: accounts, identities, codes, audit rows. */
export async function writtenFor(subject: string, email?: string) {
  const identities = await db.select().from(userIdentities).where(eq(userIdentities.subject, subject));
  const accounts = email ? await db.select({ id: users.id }).from(users).where(eq(users.email, email)) : [];
  const userIds = [...new Set([...identities.map((row) => row.userId), ...accounts.map((row) => row.id)])];
  const codes = userIds.length ? await db.select().from(oauthExchangeCodes).where(inArray(oauthExchangeCodes.userId, userIds)) : [];
  const audits = userIds.length ? await db.select().from(auditLog).where(or(inArray(auditLog.actorId, userIds), inArray(auditLog.targetId, userIds))) : [];
  return { identities, accounts, codes, audits };
}
