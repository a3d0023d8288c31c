import { and, eq, isNull } from "drizzle-orm";
import type { Database } from "../../db/client";
import { sessions, users } from "../../db/schema";
import type { SessionCheck } from "../app-scope";
import { profileColumns, type UserProfile } from "./users";

export interface SessionRules {
  /** SESSION_IDLE_TTL_SECONDS, in ms. */
  idleMs: number;
}

/** A session as the database has it now, with its user's profile when the session is active. */
export interface CheckedSession {
  check: SessionCheck;
  user?: UserProfile;
}

/**
 * Reads whether session `sessionId` of `userId` is active at `now`, with the user's profile in the same
 * round trip: the caller caches the check, and a handler that needs the profile (GET /v1/me) finds it.
 */
export async function checkSession(db: Database, sessionId: string, userId: string, rules: SessionRules, now: number): Promise<CheckedSession> {
  const [row] = await db.http
    .select({ ...profileColumns, revokedAt: sessions.revokedAt, expiresAt: sessions.expiresAt, lastUsedAt: sessions.lastUsedAt })
    .from(sessions)
    .innerJoin(users, and(eq(users.id, sessions.userId), isNull(users.deletedAt)))
    .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId)));
  if (!row) return { check: { active: false, userId, role: "user" } };
  const { revokedAt, expiresAt, lastUsedAt, ...user } = row;
  const active = revokedAt === null && expiresAt.getTime() > now && lastUsedAt.getTime() + rules.idleMs > now;
  return { check: { active, userId, role: user.role }, ...(active ? { user } : {}) };
}
