import { env } from "cloudflare:test";
import { workerBindings, type StackInfo } from "../../dev/stack-info.ts";
import { loadConfig, type Config } from "../../src/env";
import { createDatabase } from "../../src/db/client";
import { users } from "../../src/db/schema";
import { systemClock, type Clock } from "../../src/lib/clock";
import { newId } from "../../src/lib/ids";
import { hashPassword } from "../../src/lib/passwords";
import { importSigningKeys, parseSigningKeySet, type SigningKeySet } from "../../src/lib/tokens";
import { auditInsert } from "../../src/services/identity/audit";
import { openSession, sessionSettings, type TokenPair } from "../../src/services/identity/sessions";

/** The test bindings' configuration. */
export function testConfig(overrides: Record<string, string | undefined> = {}): Config {
  const result = loadConfig({ ...env, ...overrides });
  if (!result.ok) throw new Error(`invalid test config: ${result.settings.join(", ")}`);
  return result.config;
}

/** The run's signing key set, to forge tokens against. */
export function testKeySet(): SigningKeySet {
  return parseSigningKeySet(testConfig().JWT_SIGNING_KEYS);
}

/** A unique address for one test. */
export const uniqueEmail = (label = "user") => `${label}-${crypto.randomUUID().slice(0, 8)}@example.test`;

export interface TestUser {
  id: string;
  email: string;
  password: string;
}

/** The test configuration, bound to `stack` when given. */
const configOn = (stack?: StackInfo) => testConfig(stack ? workerBindings(stack) : {});

/**
 * Inserts a user straight into the database (not through registration), with an Argon2id hash of
 * `password`, verified unless told otherwise; into `stack`'s database when given.
 */
export async function createUser(
  options: { email?: string; password?: string; verified?: boolean; locale?: "en" | "de" | "es"; name?: string; role?: "user" | "admin"; stack?: StackInfo } = {},
): Promise<TestUser> {
  const config = configOn(options.stack);
  const db = createDatabase(config);
  const email = options.email ?? uniqueEmail();
  const password = options.password ?? "correct horse battery staple";
  const id = newId("user");
  await db.http.insert(users).values({
    id,
    email,
    passwordHash: await hashPassword(password),
    emailVerifiedAt: options.verified === false ? null : new Date(),
    locale: options.locale ?? "en",
    name: options.name ?? null,
    role: options.role ?? "user",
  });
  return { id, email, password };
}

/**
 * Opens a session for `user` straight through the session service (not through the login route) and
 * returns its tokens, signed with the run's keys; in `stack`'s database when given.
 */
export async function signIn(user: Pick<TestUser, "id">, clock: Clock = systemClock, stack?: StackInfo): Promise<TokenPair & { sessionId: string }> {
  const config = configOn(stack);
  const db = createDatabase(config);
  const deps = { db, clock, keys: () => importSigningKeys(config.JWT_SIGNING_KEYS), settings: sessionSettings(config) };
  const meta = { ip: "192.0.2.1", userAgent: "vitest", requestId: `test-${crypto.randomUUID()}` };
  const { sessionId, queries, tokens } = await openSession(deps, user.id, meta);
  await db.http.batch([...queries, auditInsert(db, { action: "login.succeeded", actorId: user.id, target: { type: "session", id: sessionId } }, meta, new Date(clock()))]);
  return { ...tokens, sessionId };
}

/** `Authorization` for an access token, with JSON content type for requests with a body. */
export function bearer(accessToken: string, extra: Record<string, string> = {}): Record<string, string> {
  return { Authorization: `Bearer ${accessToken}`, ...extra };
}
