import { and, desc, eq, sql, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client";
import { apiKeys, workspaces } from "../../db/schema";
import type { Clock } from "../../lib/clock";
import { ApiError, invalidField } from "../../lib/errors";
import { isId, newId } from "../../lib/ids";
import type { Permission } from "../../lib/permissions";
import type { RequestMeta } from "../../lib/request-meta";
import { generateApiKey, hashOpaqueToken, type ApiKeyEnvironment } from "../../lib/tokens";
import type { AuditAction } from "../identity/audit";
import type { WorkspaceAccess } from "./access";
import { auditFrom, isUniqueViolation, textArray } from "./sql";

/** Live keys (neither revoked nor expired) a workspace may hold: bounds the list and the limit's own count. */
export const MAX_LIVE_API_KEYS = 100;
/** Most keys one page of the list holds. */
export const MAX_API_KEY_PAGE = 100;

export interface ApiKeyDeps {
  db: Database;
  clock: Clock;
  /** What starts this deployment's keys (from APP_ENV). */
  environment: ApiKeyEnvironment;
}

/** A key as the API shows it: never its secret nor a hash of it. */
export interface ApiKeySummary {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  allowedCidrs: string[] | null;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  createdAt: Date;
  createdBy: string | null;
  revokedAt: Date | null;
  previousSecretExpiresAt: Date | null;
}

/** A key and its secret, shown this once. */
export interface IssuedApiKey {
  apiKey: ApiKeySummary;
  secret: string;
}

export interface NewApiKey {
  name: string;
  /** Validated permissions, without repeats. */
  scopes: Permission[];
  expiresAt?: Date;
  /** Normalised CIDRs (parseIpRange), without repeats; none for anywhere. */
  allowedCidrs?: string[];
}

const summaryColumns = {
  id: apiKeys.id,
  name: apiKeys.name,
  prefix: apiKeys.prefix,
  scopes: apiKeys.scopes,
  allowedCidrs: apiKeys.allowedCidrs,
  expiresAt: apiKeys.expiresAt,
  lastUsedAt: apiKeys.lastUsedAt,
  createdAt: apiKeys.createdAt,
  createdBy: apiKeys.createdBy,
  revokedAt: apiKeys.revokedAt,
  previousSecretExpiresAt: apiKeys.previousSecretExpiresAt,
};

/** A prefix taken twice: 40 random bits make it rare, never impossible. */
const PREFIX_ATTEMPTS = 3;

/**
 * Creates a key in the caller's workspace, with its audit row, in one round trip (a batch: the
 * workspace's row locked, then one statement that inserts the key only while the workspace holds
 * fewer than MAX_LIVE_API_KEYS live keys, and audits only what it inserted). The lock makes the
 * limit exact under concurrent creations. Scopes must be permissions the caller holds (403).
 */
export async function createApiKey(deps: ApiKeyDeps, access: WorkspaceAccess, input: NewApiKey, meta: RequestMeta): Promise<IssuedApiKey> {
  refuseEscalation(access, input.scopes);
  const now = deps.clock();
  if (input.expiresAt && input.expiresAt.getTime() <= now) throw invalidField("expiresAt", "must be in the future");
  for (let attempt = 1; ; attempt++) {
    try {
      return await insertApiKey(deps, access, input, meta, new Date(now));
    } catch (error) {
      if (attempt < PREFIX_ATTEMPTS && isUniqueViolation(error, "api_keys_prefix_key")) continue;
      throw error;
    }
  }
}

async function insertApiKey(deps: ApiKeyDeps, access: WorkspaceAccess, input: NewApiKey, meta: RequestMeta, at: Date): Promise<IssuedApiKey> {
  const { key, prefix } = generateApiKey(deps.environment);
  const id = newId("apiKey");
  const workspaceId = access.workspaceId;
  const createdBy = access.actor.type === "user" ? access.actor.id : null;
  const allowedCidrs = input.allowedCidrs?.length ? input.allowedCidrs : null;
  const stamp = sql`${at.toISOString()}::timestamptz`;
  const [, inserted] = await deps.db.http.batch([
    deps.db.http.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.id, workspaceId)).for("no key update"),
    deps.db.http.execute(sql`
      with created as (
        insert into api_keys (id, workspace_id, name, prefix, secret_hash, scopes, allowed_cidrs, expires_at, created_by, created_at, updated_at)
        select ${id}, ${workspaceId}, ${input.name}, ${prefix}, ${await hashOpaqueToken(key)}, ${textArray(input.scopes)},
               ${allowedCidrs ? textArray(allowedCidrs) : sql`null`}, ${input.expiresAt?.toISOString() ?? null}::timestamptz, ${createdBy}, ${stamp}, ${stamp}
        where (select count(*) from api_keys
               where workspace_id = ${workspaceId} and revoked_at is null and (expires_at is null or expires_at > ${stamp})) < ${MAX_LIVE_API_KEYS}
        returning id, workspace_id
      ),
      audited as (${keyAudit("created", "api_key.created", access, meta, at, { name: input.name, prefix, scopes: input.scopes })})
      select exists (select 1 from created) as created`),
  ]);
  if (!(inserted.rows[0] as { created: boolean } | undefined)?.created) throw new ApiError("CONFLICT", { detail: "apiKeyLimit", params: { limit: MAX_LIVE_API_KEYS } });
  const apiKey: ApiKeySummary = {
    id,
    name: input.name,
    prefix,
    scopes: input.scopes,
    allowedCidrs,
    expiresAt: input.expiresAt ?? null,
    lastUsedAt: null,
    createdAt: at,
    createdBy,
    revokedAt: null,
    previousSecretExpiresAt: null,
  };
  return { apiKey, secret: key };
}

/** One page of the workspace's keys, newest first, revoked and expired ones included: one round trip. */
export async function listApiKeys(db: Database, access: WorkspaceAccess, page: { limit: number; after?: string }): Promise<{ apiKeys: ApiKeySummary[]; next: string | null }> {
  const conditions: SQL[] = [eq(apiKeys.workspaceId, access.workspaceId)];
  if (page.after !== undefined) {
    if (!isId("apiKey", page.after)) throw invalidField("cursor", "is not a cursor this API gave");
    // Past the cursor's key in (created_at, id) order; a cursor of no key of this workspace ends the list.
    conditions.push(sql`(${apiKeys.createdAt}, ${apiKeys.id}) < (select created_at, id from api_keys where id = ${page.after} and workspace_id = ${access.workspaceId})`);
  }
  const rows = await db.http
    .select(summaryColumns)
    .from(apiKeys)
    .where(and(...conditions))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
    .limit(page.limit + 1);
  const more = rows.length > page.limit;
  const items = more ? rows.slice(0, page.limit) : rows;
  return { apiKeys: items, next: more ? items.at(-1)!.id : null };
}

/** Key `keyId` of the caller's workspace; 404 for another workspace's, or none: one round trip. */
export async function getApiKey(db: Database, access: WorkspaceAccess, keyId: string): Promise<ApiKeySummary> {
  if (!isId("apiKey", keyId)) throw new ApiError("NOT_FOUND");
  const [row] = await db.http
    .select(summaryColumns)
    .from(apiKeys)
    .where(and(eq(apiKeys.id, keyId), eq(apiKeys.workspaceId, access.workspaceId)));
  if (!row) throw new ApiError("NOT_FOUND");
  return row;
}

/**
 * Gives live key `keyId` a new secret, with its audit row: two round trips, a read of the key (its
 * prefix, which the new secret keeps and hashes with), then a batch of the conditional update with its
 * audit and the key as it is now. The previous secret keeps working for `overlapSeconds` (0: not at
 * all); one older than that stops at once. Revoked and expired keys are 409; a key holding a scope
 * the caller does not is 403, as creating it would be: its new secret would be the caller's.
 */
export async function rotateApiKey(deps: ApiKeyDeps, access: WorkspaceAccess, keyId: string, overlapSeconds: number, meta: RequestMeta): Promise<IssuedApiKey> {
  const before = await getApiKey(deps.db, access, keyId);
  const at = new Date(deps.clock());
  if (!isLive(before, at)) throw new ApiError("CONFLICT", { detail: "apiKeyNotLive" });
  refuseEscalation(access, before.scopes);
  const { key } = generateApiKey(deps.environment, before.prefix);
  const stamp = sql`${at.toISOString()}::timestamptz`;
  const previousUntil = overlapSeconds > 0 ? new Date(at.getTime() + overlapSeconds * 1000) : null;
  // Conditional again: the key may have been revoked, or rotated, since it was read.
  const [rotated, [after]] = await deps.db.http.batch([
    deps.db.http.execute(sql`
      with rotated as (
        update api_keys
        set previous_secret_hash = ${previousUntil ? sql`secret_hash` : sql`null`},
            previous_secret_expires_at = ${previousUntil?.toISOString() ?? null}::timestamptz,
            secret_hash = ${await hashOpaqueToken(key)},
            updated_at = ${stamp}
        where id = ${keyId} and workspace_id = ${access.workspaceId} and revoked_at is null
          and (expires_at is null or expires_at > ${stamp}) and scopes <@ ${textArray([...access.permissions])}
        returning id, workspace_id
      ),
      audited as (${keyAudit("rotated", "api_key.rotated", access, meta, at, { overlapSeconds })})
      select exists (select 1 from rotated) as rotated`),
    deps.db.http.select(summaryColumns).from(apiKeys).where(and(eq(apiKeys.id, keyId), eq(apiKeys.workspaceId, access.workspaceId))),
  ]);
  if (!after) throw new ApiError("NOT_FOUND");
  if (!(rotated.rows[0] as { rotated: boolean } | undefined)?.rotated) throw new ApiError("CONFLICT", { detail: "apiKeyNotLive" });
  return { apiKey: after, secret: key };
}

function isLive(key: Pick<ApiKeySummary, "revokedAt" | "expiresAt">, at: Date): boolean {
  return key.revokedAt === null && (key.expiresAt === null || key.expiresAt > at);
}

/**
 * Revokes key `keyId` with its audit row, in one round trip; revoking a revoked key changes and
 * audits nothing. Returns the key's prefix, for the isolate to forget what it cached of it.
 */
export async function revokeApiKey(deps: Pick<ApiKeyDeps, "db" | "clock">, access: WorkspaceAccess, keyId: string, meta: RequestMeta): Promise<{ prefix: string }> {
  if (!isId("apiKey", keyId)) throw new ApiError("NOT_FOUND");
  const at = new Date(deps.clock());
  const stamp = sql`${at.toISOString()}::timestamptz`;
  const [, [row]] = await deps.db.http.batch([
    deps.db.http.execute(sql`
      with revoked as (
        update api_keys set revoked_at = ${stamp}, updated_at = ${stamp}
        where id = ${keyId} and workspace_id = ${access.workspaceId} and revoked_at is null
        returning id, workspace_id
      ),
      audited as (${keyAudit("revoked", "api_key.revoked", access, meta, at)})
      select 1`),
    deps.db.http.select({ prefix: apiKeys.prefix }).from(apiKeys).where(and(eq(apiKeys.id, keyId), eq(apiKeys.workspaceId, access.workspaceId))),
  ]);
  if (!row) throw new ApiError("NOT_FOUND");
  return row;
}

/** 403 unless the caller holds every one of `scopes`: a key never does more than the one who made it. */
function refuseEscalation(access: WorkspaceAccess, scopes: readonly string[]): void {
  const missing = scopes.find((scope) => !access.permissions.has(scope as Permission));
  if (missing) throw new ApiError("FORBIDDEN", { detail: "apiKeyScopeNotHeld", params: { permission: missing } });
}

/**
 * The audit row of a key change, for one statement whose change is the clause `source` (returning the
 * key's `id` and `workspace_id`): written only when that clause returned a row. The actor is the
 * member or the key that acted.
 */
function keyAudit(source: string, action: AuditAction, access: WorkspaceAccess, meta: RequestMeta, at: Date, details?: Record<string, unknown>): SQL {
  const from = sql.identifier(source);
  return auditFrom(
    source,
    {
      action,
      actorId: access.actor.id,
      workspaceId: sql`${from}.workspace_id`,
      targetType: "api_key",
      targetId: sql`${from}.id`,
      details: details ? sql`${JSON.stringify(details)}::jsonb` : undefined,
    },
    meta,
    at,
  );
}
