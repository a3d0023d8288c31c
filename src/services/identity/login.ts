import { and, eq, isNull } from "drizzle-orm";
import { users } from "../../db/schema";
import { ApiError } from "../../lib/errors";
import { hashPassword, needsRehash, verifyDummy, verifyPassword } from "../../lib/passwords";
import type { Cache } from "../../lib/cache";
import type { RequestMeta } from "../../lib/request-meta";
import { auditInsert } from "./audit";
import { normalizeEmail } from "./emails";
import { forgetUser } from "./profile-cache";
import type { LoginThrottle } from "./login-throttle";
import { openSession, type SessionDeps, type TokenPair } from "./sessions";

export interface LoginDeps extends SessionDeps {
  throttle: LoginThrottle;
  /** A re-hash moves the profile's updatedAt: its cached copy is dropped. */
  cache: Cache;
}

/**
 * Signs a user in with e-mail and password: two database round trips (the account, then one batch
 * with the new session, its audit row and, when the stored hash's parameters are old, the new hash).
 * An unknown address, an account without a password and a wrong password are the same 401 after the
 * same hashing work.
 */
export async function login(deps: LoginDeps, input: { email: string; password: string }, meta: RequestMeta): Promise<TokenPair> {
  const email = normalizeEmail(input.email);
  await deps.throttle.assertAllowed(email, meta.ip);
  const [user] = await deps.db.http
    .select({ id: users.id, passwordHash: users.passwordHash })
    .from(users)
    .where(and(eq(users.email, email), isNull(users.deletedAt)))
    .limit(1);
  const valid = user?.passwordHash ? await verifyPassword(input.password, user.passwordHash) : await verifyDummy(input.password);
  const at = new Date(deps.clock());

  if (!user || !valid) {
    await Promise.all([
      deps.throttle.recordFailure(email, meta.ip),
      auditInsert(deps.db, { action: "login.failed", actorId: null, ...(user ? { target: { type: "user", id: user.id } } : {}) }, meta, at),
    ]);
    throw new ApiError("UNAUTHORIZED", { detail: "invalidCredentials" });
  }

  const { sessionId, queries, tokens } = await openSession(deps, user.id, meta);
  const rehash = needsRehash(user.passwordHash!)
    ? [deps.db.http.update(users).set({ passwordHash: await hashPassword(input.password), updatedAt: at }).where(eq(users.id, user.id))]
    : [];
  await Promise.all([
    deps.db.http.batch([...queries, auditInsert(deps.db, { action: "login.succeeded", actorId: user.id, target: { type: "session", id: sessionId } }, meta, at), ...rehash]),
    deps.throttle.recordSuccess(email),
  ]);
  if (rehash.length > 0) await forgetUser(deps.cache, user.id);
  return tokens;
}
