import { and, eq, gt, isNull, ne, sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Database } from "../../db/client";
import { refreshTokens, sessions, SESSION_END_REASONS } from "../../db/schema";
import type { Config } from "../../env";
import type { Clock } from "../../lib/clock";
import { newId } from "../../lib/ids";
import type { RequestMeta } from "../../lib/request-meta";
import {
  createOpaqueToken,
  hashOpaqueToken,
  InvalidTokenError,
  parseOpaqueToken,
  signAccessToken,
  type AccessTokenSettings,
  type SigningKeys,
} from "../../lib/tokens";
import { auditInsert, type AuditAction } from "./audit";
import { sealSuccessor, unsealSuccessor } from "./refresh-seal";

export type SessionEndReason = (typeof SESSION_END_REASONS)[number];

export interface SessionSettings {
  accessToken: AccessTokenSettings;
  /** A session's absolute lifetime. */
  absoluteMs: number;
  /** A session unused this long has ended. */
  idleMs: number;
  /** How long a rotated refresh token still yields its successor. */
  graceMs: number;
}

export function sessionSettings(config: Config): SessionSettings {
  return {
    accessToken: { issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE, lifetimeSeconds: config.ACCESS_TOKEN_TTL_SECONDS },
    absoluteMs: config.SESSION_ABSOLUTE_TTL_SECONDS * 1000,
    idleMs: config.SESSION_IDLE_TTL_SECONDS * 1000,
    graceMs: config.REFRESH_REUSE_GRACE_SECONDS * 1000,
  };
}

/** What the session services need; handlers build it from `c.var`. */
export interface SessionDeps {
  db: Database;
  clock: Clock;
  keys: () => Promise<SigningKeys>;
  settings: SessionSettings;
}

/** The answer of login and refresh. */
export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: "Bearer";
  expiresIn: number;
}

type Query = BatchItem<"pg">;

/**
 * A new session for `userId`: the inserts that create it, to run in the batch of the event that opens
 * it (with its audit row), and the tokens to answer with once that batch has succeeded.
 */
export async function openSession(deps: SessionDeps, userId: string, meta: RequestMeta): Promise<{ sessionId: string; queries: [Query, Query]; tokens: TokenPair }> {
  const now = deps.clock();
  const sessionId = newId("session");
  const refreshToken = createOpaqueToken("refresh");
  const queries: [Query, Query] = [
    deps.db.http.insert(sessions).values({
      id: sessionId,
      userId,
      userAgent: meta.userAgent,
      ip: meta.ip,
      createdAt: new Date(now),
      lastUsedAt: new Date(now),
      expiresAt: new Date(now + deps.settings.absoluteMs),
    }),
    deps.db.http.insert(refreshTokens).values({ tokenHash: await hashOpaqueToken(refreshToken), sessionId, createdAt: new Date(now) }),
  ];
  return { sessionId, queries, tokens: await tokenPair(deps, userId, sessionId, refreshToken) };
}

async function tokenPair(deps: SessionDeps, userId: string, sessionId: string, refreshToken: string): Promise<TokenPair> {
  const access = await signAccessToken({ userId, sessionId }, await deps.keys(), deps.settings.accessToken, deps.clock);
  return { accessToken: access.token, refreshToken, tokenType: "Bearer", expiresIn: access.expiresIn };
}

/** The presented refresh token's row, its session and user, as the rotation statement saw them. */
interface PresentedToken {
  sessionId: string;
  userId: string;
  rotatedAt: Date | null;
  successorSealed: string | null;
  revokedAt: Date | null;
  expiresAt: Date;
  lastUsedAt: Date;
  userDeleted: boolean;
  rotatedNow: boolean;
}

/**
 * Exchanges a refresh token for a new pair, in one database round trip: one statement rotates the
 * token if it is current and its session active, stores the successor, touches the session and
 * writes the audit row, or else returns what it found. A rotated token presented again within the
 * grace window yields the same successor (concurrent refreshes by one client); later, it revokes the
 * whole session (the token was stolen, or the client is broken). Every refusal is an InvalidTokenError.
 */
export async function refreshSession(deps: SessionDeps, presented: unknown, meta: RequestMeta): Promise<TokenPair> {
  const token = parseOpaqueToken("refresh", presented);
  const successor = createOpaqueToken("refresh");
  const [presentedHash, successorHash, sealed] = await Promise.all([hashOpaqueToken(token), hashOpaqueToken(successor), sealSuccessor(token, successor)]);
  const attempt = () => rotate(deps, { presentedHash, successorHash, sealed }, meta);

  let found = await attempt();
  if (!found) throw new InvalidTokenError("unknown");
  if (found.rotatedNow) return tokenPair(deps, found.userId, found.sessionId, successor);
  const now = deps.clock();
  if (!isActive(found, deps.settings, now)) throw new InvalidTokenError("session-ended");
  // Active, current, yet not rotated: a concurrent refresh with the same token got there first and
  // this statement's snapshot predates it. Once more, and the rotation is visible.
  if (found.rotatedAt === null) found = (await attempt()) ?? found;
  if (found.rotatedNow) return tokenPair(deps, found.userId, found.sessionId, successor);
  if (found.rotatedAt !== null && now - found.rotatedAt.getTime() <= deps.settings.graceMs && found.successorSealed) {
    const earlier = await unsealSuccessor(token, found.successorSealed);
    if (earlier) return tokenPair(deps, found.userId, found.sessionId, earlier);
  }
  await endSessions(deps, { userId: found.userId, sessionId: found.sessionId }, "reuse_detected", "session.reuse_detected", meta);
  throw new InvalidTokenError("used");
}

function isActive(found: PresentedToken, settings: SessionSettings, now: number): boolean {
  return found.revokedAt === null && !found.userDeleted && found.expiresAt.getTime() > now && found.lastUsedAt.getTime() + settings.idleMs > now;
}

async function rotate(
  deps: SessionDeps,
  { presentedHash, successorHash, sealed }: { presentedHash: string; successorHash: string; sealed: string },
  meta: RequestMeta,
): Promise<PresentedToken | undefined> {
  const now = new Date(deps.clock()).toISOString();
  const idleSeconds = deps.settings.idleMs / 1000;
  const result = await deps.db.http.execute(sql`
    with presented as (
      select rt.session_id, rt.rotated_at, rt.successor_sealed, s.user_id, s.revoked_at, s.expires_at, s.last_used_at,
             u.deleted_at is not null as user_deleted
      from refresh_tokens rt
      join sessions s on s.id = rt.session_id
      join users u on u.id = s.user_id
      where rt.token_hash = ${presentedHash}
    ),
    rotated as (
      update refresh_tokens set rotated_at = ${now}::timestamptz, successor_sealed = ${sealed}
      where token_hash = ${presentedHash} and rotated_at is null
        and exists (
          select 1 from presented p
          where p.revoked_at is null and not p.user_deleted and p.expires_at > ${now}::timestamptz
            and p.last_used_at + make_interval(secs => ${idleSeconds}) > ${now}::timestamptz
        )
      returning session_id
    ),
    successor as (
      insert into refresh_tokens (token_hash, session_id, created_at)
      select ${successorHash}, session_id, ${now}::timestamptz from rotated
    ),
    touched as (
      update sessions set last_used_at = ${now}::timestamptz where id in (select session_id from rotated)
    ),
    audited as (
      insert into audit_log (id, actor_id, action, target_type, target_id, ip, user_agent, request_id, created_at)
      select ${newId("audit")}, p.user_id, 'session.refreshed', 'session', p.session_id, ${meta.ip}, ${meta.userAgent}, ${meta.requestId}, ${now}::timestamptz
      from presented p where exists (select 1 from rotated)
    )
    select p.*, exists (select 1 from rotated) as rotated_now from presented p`);
  const row = result.rows[0] as Record<string, unknown> | undefined;
  if (!row) return undefined;
  return {
    sessionId: row.session_id as string,
    userId: row.user_id as string,
    rotatedAt: toDate(row.rotated_at),
    successorSealed: (row.successor_sealed as string | null) ?? null,
    revokedAt: toDate(row.revoked_at),
    expiresAt: toDate(row.expires_at)!,
    lastUsedAt: toDate(row.last_used_at)!,
    userDeleted: row.user_deleted === true,
    rotatedNow: row.rotated_now === true,
  };
}

function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value : new Date(String(value));
}

/** Which sessions to end: one of the user's, all of them, or all but one. */
export type SessionSelection = { userId: string; sessionId?: string; exceptSessionId?: string };

/**
 * The update that ends the selected active sessions of a user, for the batch of the event that
 * ends them (password change or reset, account deletion). Access tokens of ended sessions stop
 * within SESSION_CHECK_TTL_SECONDS.
 */
export function endSessionsQuery(db: Database, selection: SessionSelection, reason: SessionEndReason, at: Date) {
  const conditions: SQL[] = [eq(sessions.userId, selection.userId), isNull(sessions.revokedAt)];
  if (selection.sessionId) conditions.push(eq(sessions.id, selection.sessionId));
  if (selection.exceptSessionId) conditions.push(ne(sessions.id, selection.exceptSessionId));
  return db.http
    .update(sessions)
    .set({ revokedAt: at, revokedReason: reason })
    .where(and(...conditions))
    .returning({ id: sessions.id });
}

/** Ends the selected sessions with their audit row in one batch; returns the ids it ended. */
export async function endSessions(deps: Pick<SessionDeps, "db" | "clock">, selection: SessionSelection, reason: SessionEndReason, action: AuditAction, meta: RequestMeta): Promise<string[]> {
  const at = new Date(deps.clock());
  const target = selection.sessionId ? { type: "session" as const, id: selection.sessionId } : { type: "user" as const, id: selection.userId };
  const [ended] = await deps.db.http.batch([
    endSessionsQuery(deps.db, selection, reason, at),
    auditInsert(deps.db, { action, actorId: selection.userId, target }, meta, at),
  ]);
  return ended.map((row) => row.id);
}

/** A session as `GET /v1/auth/sessions` lists it. */
export interface SessionSummary {
  id: string;
  userAgent: string | null;
  createdAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
}

/** The user's active sessions, most recently used first. */
export async function listSessions(deps: Pick<SessionDeps, "db" | "clock" | "settings">, userId: string): Promise<SessionSummary[]> {
  const now = deps.clock();
  return deps.db.http
    .select({ id: sessions.id, userAgent: sessions.userAgent, createdAt: sessions.createdAt, lastUsedAt: sessions.lastUsedAt, expiresAt: sessions.expiresAt })
    .from(sessions)
    .where(
      and(
        eq(sessions.userId, userId),
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, new Date(now)),
        gt(sessions.lastUsedAt, new Date(now - deps.settings.idleMs)),
      ),
    )
    .orderBy(sql`${sessions.lastUsedAt} desc`)
    .limit(100);
}
