import { and, eq, isNull, lt, or } from "drizzle-orm";
import type { Database } from "../../db/client";
import { apiKeys, workspaces } from "../../db/schema";
import type { ApiKeyContext } from "../../lib/app-env";
import type { Clock } from "../../lib/clock";
import { describeError } from "../../lib/log-redaction";
import type { Logger } from "../../lib/logger";
import { IpRangeList, parseIpRange, type IpAddress, type IpRange } from "../../lib/ip-ranges";
import { isPermission } from "../../lib/permissions";
import { constantTimeEqual, hashOpaqueToken, InvalidTokenError, parseApiKey, type ApiKeyEnvironment, type InvalidTokenReason } from "../../lib/tokens";
import type { ApiKeyCache, VerifiableKey } from "./api-key-cache";

export interface ApiKeyAuthDeps {
  db: Database;
  cache: ApiKeyCache;
  clock: Clock;
  /** What starts this deployment's keys (from APP_ENV). */
  environment: ApiKeyEnvironment;
}

export interface ApiKeyPresentation {
  /** The bearer value, shaped like a key. */
  token: string;
  /** The client's address (CF-Connecting-IP); none when the request has no valid one. */
  address: IpAddress | undefined;
  /**
   * Whether the database may be asked when the isolate does not know the key, or knows a record
   * the secret does not match (a rotation made elsewhere). Without, only what the isolate holds decides.
   */
  lookup: boolean;
}

export type ApiKeyVerdict = { ok: true; key: ApiKeyContext } | { ok: false; reason: InvalidTokenReason; keyId?: string };

/**
 * Verifies an API key: its shape, environment and checksum without I/O; then its record by prefix
 * from the isolate's cache, or with `lookup` from the database (one round trip, the key with its
 * workspace), cached for API_KEY_CACHE_TTL_MS; then its secret's hash in constant time (the previous
 * secret while its rotation's overlap lasts), revocation, expiry, its workspace, and the client's
 * address against its CIDRs. The reason of a refusal is for logs only.
 */
export async function verifyApiKey(deps: ApiKeyAuthDeps, presented: ApiKeyPresentation): Promise<ApiKeyVerdict> {
  let parsed;
  try {
    parsed = parseApiKey(presented.token, deps.environment);
  } catch (error) {
    if (error instanceof InvalidTokenError) return { ok: false, reason: error.reason };
    throw error;
  }
  const hash = await hashOpaqueToken(parsed.key);
  let record = deps.cache.get(parsed.prefix);
  // A cached record whose secret does not match may predate a rotation made in another isolate.
  if (presented.lookup && (record === undefined || (record !== null && !secretOf(record, hash)))) {
    record = await readVerifiableKey(deps.db, parsed.prefix);
    deps.cache.set(parsed.prefix, record);
  }
  if (!record) return { ok: false, reason: "unknown" };
  const reason = refusalOf(record, hash, deps.clock(), presented.address);
  if (reason) return { ok: false, reason, keyId: record.id };
  return { ok: true, key: { keyId: record.id, workspaceId: record.workspaceId, scopes: record.scopes } };
}

/**
 * Writes key `keyId`'s last use after the response, at most once per API_KEY_LAST_USED_INTERVAL_MS
 * per isolate: never a write per request, and never awaited by one. A failure is logged and lost.
 */
export function noteApiKeyUse(deps: Pick<ApiKeyAuthDeps, "db" | "cache" | "clock"> & { keepAlive(work: Promise<unknown>): void; log(): Logger }, keyId: string): void {
  if (!deps.cache.claimLastUsedWrite(keyId)) return;
  const at = new Date(deps.clock());
  const write = deps.db.http
    .update(apiKeys)
    .set({ lastUsedAt: at })
    .where(and(eq(apiKeys.id, keyId), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, at))))
    .then(
      () => undefined,
      (error: unknown) => deps.log().warn("api key last use not written", { keyId, error: describeError(error) }),
    );
  deps.keepAlive(write);
}

/** The key of `prefix` with its workspace's state, or null when there is none: one round trip. */
export async function readVerifiableKey(db: Database, prefix: string): Promise<VerifiableKey | null> {
  const [row] = await db.http
    .select({
      id: apiKeys.id,
      workspaceId: apiKeys.workspaceId,
      secretHash: apiKeys.secretHash,
      previousSecretHash: apiKeys.previousSecretHash,
      previousSecretExpiresAt: apiKeys.previousSecretExpiresAt,
      scopes: apiKeys.scopes,
      allowedCidrs: apiKeys.allowedCidrs,
      expiresAt: apiKeys.expiresAt,
      revokedAt: apiKeys.revokedAt,
      workspaceDeletedAt: workspaces.deletedAt,
    })
    .from(apiKeys)
    .innerJoin(workspaces, eq(workspaces.id, apiKeys.workspaceId))
    .where(eq(apiKeys.prefix, prefix));
  if (!row) return null;
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    prefix,
    secretHash: row.secretHash,
    previousSecretHash: row.previousSecretHash,
    previousSecretExpiresAt: row.previousSecretExpiresAt?.getTime() ?? null,
    // A scope this build no longer knows grants nothing.
    scopes: new Set(row.scopes.filter(isPermission)),
    allowedCidrs: row.allowedCidrs ? new IpRangeList(row.allowedCidrs.map(parseStoredRange)) : null,
    expiresAt: row.expiresAt?.getTime() ?? null,
    revoked: row.revokedAt !== null,
    workspaceDeleted: row.workspaceDeletedAt !== null,
  };
}

/** Which of the key's secrets `hash` is of, compared in constant time, both always. */
function secretOf(record: VerifiableKey, hash: string): "current" | "previous" | undefined {
  const current = constantTimeEqual(hash, record.secretHash);
  const previous = record.previousSecretHash !== null && constantTimeEqual(hash, record.previousSecretHash);
  return current ? "current" : previous ? "previous" : undefined;
}

/** Why `record` does not admit the secret of `hash` at `now` from `address`; undefined when it does. */
function refusalOf(record: VerifiableKey, hash: string, now: number, address: IpAddress | undefined): InvalidTokenReason | undefined {
  const secret = secretOf(record, hash);
  if (!secret) return "unknown";
  if (record.revoked) return "revoked";
  if (record.workspaceDeleted) return "workspace-deleted";
  if (record.expiresAt !== null && record.expiresAt <= now) return "expired";
  if (secret === "previous" && (record.previousSecretExpiresAt === null || record.previousSecretExpiresAt <= now)) return "rotated";
  if (record.allowedCidrs && (!address || !record.allowedCidrs.includes(address))) return "address";
  return undefined;
}

function parseStoredRange(cidr: string): IpRange {
  const range = parseIpRange(cidr);
  // The API stores only CIDRs this parser wrote; one it refuses means the two disagree.
  if (!range) throw new Error("an api key holds a CIDR the API cannot read");
  return range;
}
