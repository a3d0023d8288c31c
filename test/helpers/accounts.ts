import { inArray } from "drizzle-orm";
import { expect } from "vitest";
import { createApp } from "../../src/app";
import { createDatabase } from "../../src/db/client";
import { oneTimeTokens, users } from "../../src/db/schema";
import type { Clock } from "../../src/lib/clock";
import { importSigningKeys } from "../../src/lib/tokens";
import { refreshSession, sessionSettings } from "../../src/services/identity/sessions";
import { call } from "./app";
import { manualClock } from "./clock";
import { testConfig } from "./identity";
import { RecordingQueue } from "./mail";

/** The test database, for arranging rows and checking what the API wrote. */
export const db = createDatabase(testConfig()).http;

/** A JSON request, with extra headers. */
export function json(method: string, body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method, headers: { "Content-Type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) };
}

/** Every response body the accounts tests received, with the one-time tokens mailed meanwhile. */
const seen = { bodies: [] as Array<{ path: string; body: string }>, tokens: new Set<string>(), emails: new Set<string>() };

/**
 * An app (standing for one isolate) on a clock the test moves, with a recording MAIL_QUEUE. Every
 * response body it answers is kept for `expectNoSecretsAnswered`.
 */
export function accountsApp(time = manualClock()) {
  const app = createApp({ clock: time.clock });
  const queue = new RecordingQueue();
  const request = async (path: string, init?: RequestInit) => {
    const response = await call(app, path, init, { MAIL_QUEUE: queue });
    seen.bodies.push({ path, body: await response.clone().text() });
    for (const message of queue.sent as Array<{ token?: string; to?: string }>) {
      if (message.token) seen.tokens.add(message.token);
      if (message.to) seen.emails.add(message.to);
    }
    return response;
  };
  return { app, time, queue, request, post: (path: string, body: unknown, headers?: Record<string, string>) => request(path, json("POST", body, headers)) };
}

/** Adds the account of `email` to those whose secrets `expectNoSecretsAnswered` looks for. */
export function watchAccount(email: string): void {
  seen.emails.add(email);
}

/**
 * Asserts that no response kept since the last call carries a password hash (whole, or its salt or
 * tag), a token hash or a one-time token: those of the accounts the responses concerned, looked up in
 * the database, and anything shaped like one. Forgets the responses.
 */
export async function expectNoSecretsAnswered(): Promise<void> {
  const bodies = seen.bodies.splice(0);
  const emails = [...seen.emails];
  const secrets = [...seen.tokens];
  seen.tokens.clear();
  seen.emails.clear();
  if (emails.length > 0) {
    const accounts = await db.select({ id: users.id, passwordHash: users.passwordHash }).from(users).where(inArray(users.email, emails));
    for (const { passwordHash } of accounts) if (passwordHash) secrets.push(passwordHash, ...passwordHash.split("$").slice(-2));
    const ids = accounts.map((account) => account.id);
    if (ids.length > 0) {
      const tokens = await db.select({ tokenHash: oneTimeTokens.tokenHash }).from(oneTimeTokens).where(inArray(oneTimeTokens.userId, ids));
      secrets.push(...tokens.map((token) => token.tokenHash));
    }
  }
  for (const { path, body } of bodies) {
    expect(body, path).not.toMatch(/\$argon2/);
    expect(body, path).not.toMatch(/\b(vt|pt|rt)_[A-Za-z0-9_-]{43}/);
    expect(body, path).not.toMatch(/\b[0-9a-f]{64}\b/);
    for (const secret of secrets) expect(body.includes(secret), `${path} answered a secret`).toBe(false);
  }
}

/** Exchanges a refresh token through the session service, as `POST /v1/auth/refresh` does. */
export async function refreshWith(refreshToken: string, clock: Clock) {
  const config = testConfig();
  const deps = { db: createDatabase(config), clock, keys: () => importSigningKeys(config.JWT_SIGNING_KEYS), settings: sessionSettings(config) };
  return refreshSession(deps, refreshToken, { ip: null, userAgent: null, requestId: `test-${crypto.randomUUID()}` });
}
