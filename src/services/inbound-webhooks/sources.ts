import { sql, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client";
import type { Clock } from "../../lib/clock";
import { cursorTime, decodeCursor, encodeCursor } from "../../lib/cursor";
import { ApiError, invalidField } from "../../lib/errors";
import { isId, newId } from "../../lib/ids";
import { openSecret, sealSecret } from "../../lib/secret-box";
import type { RequestMeta } from "../../lib/request-meta";
import type { AuditAction } from "../identity/audit";
import type { WorkspaceAccess } from "../workspaces/access";
import { at, auditFrom, isoTime, lockWorkspace } from "../workspaces/sql";
import { fromBase64, type SourceKind } from "./signatures";

/** Live sources a workspace may hold. */
export const MAX_WEBHOOK_SOURCES = 50;
/** Most sources one page of the list holds. */
export const MAX_SOURCE_PAGE = 100;
/** Bytes of a secret we generate: 256 bits. */
const GENERATED_SECRET_BYTES = 32;

export interface SourceDeps {
  db: Database;
  clock: Clock;
  /** WEBHOOK_SECRETS_KEY: what seals the sources' secrets. */
  secretsKey: string;
}

/** A source as the API shows it: never its secret. */
export interface WebhookSource {
  id: string;
  kind: SourceKind;
  name: string;
  /** `hmac-sha256`, or `ed25519` for a Standard Webhooks source holding a sender's public key. */
  verification: "hmac-sha256" | "ed25519";
  createdBy: string;
  createdAt: Date;
}

export interface NewSource {
  kind: SourceKind;
  name: string;
  /** The shared secret (GitHub: any; Stripe: its `whsec_…`, required; Standard: `whsec_<base64>`). */
  secret?: string;
  /** Standard Webhooks v1a only: the sender's `whpk_<base64>` ed25519 public key, instead of a secret. */
  publicKey?: string;
}

/**
 * Checks `input`'s secret against its kind and returns the value to seal, and the secret to show
 * once when we generated it. 400 VALIDATION_FAILED for a secret the scheme cannot use.
 */
export function sourceSecret(input: NewSource): { stored: string; generated?: string } {
  if (input.publicKey !== undefined) {
    if (input.kind !== "standard") throw invalidField("publicKey", "only a standard source takes a public key");
    if (input.secret !== undefined) throw invalidField("publicKey", "give a secret or a public key, not both");
    if (!input.publicKey.startsWith("whpk_") || fromBase64(input.publicKey.slice(5))?.byteLength !== 32) throw invalidField("publicKey", "must be whpk_ and the base64 of a 32-byte ed25519 public key");
    return { stored: input.publicKey };
  }
  // One form for every secret we generate, the Standard Webhooks one: GitHub takes any string.
  const generated = `whsec_${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(GENERATED_SECRET_BYTES))))}`;
  switch (input.kind) {
    case "github":
      return input.secret !== undefined ? { stored: input.secret } : { stored: generated, generated };
    case "stripe":
      if (!input.secret?.startsWith("whsec_")) throw invalidField("secret", "a stripe source needs the whsec_ signing secret Stripe shows for the endpoint");
      return { stored: input.secret };
    case "standard":
      if (input.secret === undefined) return { stored: generated, generated };
      if (!input.secret.startsWith("whsec_") || (fromBase64(input.secret.slice(6))?.byteLength ?? 0) < 24) throw invalidField("secret", "must be whsec_ and the base64 of 24 to 64 random bytes");
      return { stored: input.secret };
  }
}

interface SourceRow {
  id: string;
  kind: SourceKind;
  name: string;
  created_by: string;
  created_at: string;
  position?: string;
}

const columns = sql`id, kind, name, created_by, ${isoTime(sql`created_at`)} as created_at`;

function toSource(row: SourceRow, publicKey: boolean): WebhookSource {
  return { id: row.id, kind: row.kind, name: row.name, verification: publicKey ? "ed25519" : "hmac-sha256", createdBy: row.created_by, createdAt: new Date(row.created_at) };
}

/**
 * Creates a source in the caller's workspace, its secret sealed, with its audit row: one round trip
 * (a batch: the workspace's row locked, so concurrent creations count each other, then one statement
 * that inserts only while the workspace holds fewer than MAX_WEBHOOK_SOURCES live sources). The secret
 * we generated is returned this once; a given one is never echoed.
 */
export async function createSource(deps: SourceDeps, access: WorkspaceAccess, input: NewSource, meta: RequestMeta): Promise<{ source: WebhookSource; secret?: string }> {
  const { stored, generated } = sourceSecret(input);
  const id = newId("webhookSource");
  const now = new Date(deps.clock());
  const sealed = await sealSecret(deps.secretsKey, id, stored);
  const [, result] = await deps.db.http.batch([
    lockWorkspace(deps.db, access.workspaceId),
    deps.db.http.execute(sql`
      with created as (
        insert into webhook_sources (id, workspace_id, kind, name, secret_sealed, created_by, updated_by, created_at, updated_at)
        select ${id}, ${access.workspaceId}, ${input.kind}, ${input.name}, ${sealed}, ${access.actor.id}, ${access.actor.id}, ${at(now)}, ${at(now)}
        where (select count(*) from webhook_sources where workspace_id = ${access.workspaceId} and deleted_at is null) < ${MAX_WEBHOOK_SOURCES}
        returning *
      ),
      audited as (${sourceAudit("created", "webhook_source.created", access, meta, now, { kind: input.kind, name: input.name })})
      select ${columns} from created`),
  ]);
  const row = result.rows[0] as SourceRow | undefined;
  if (!row) throw new ApiError("CONFLICT", { detail: "webhookSourceLimit", params: { limit: MAX_WEBHOOK_SOURCES } });
  return { source: toSource(row, input.publicKey !== undefined), secret: generated };
}

/** One page of the workspace's live sources, newest first: one round trip. */
export async function listSources(deps: SourceDeps, access: WorkspaceAccess, page: { cursor?: string; limit: number }): Promise<{ items: WebhookSource[]; nextCursor: string | null }> {
  const cursor = page.cursor === undefined ? undefined : decodeCursor(page.cursor, "webhookSource");
  if (page.cursor !== undefined && !cursor) throw invalidField("cursor", "is not a cursor of this list");
  const after = cursor ? sql`and (created_at, id) < (${cursor.at}::timestamptz, ${cursor.id})` : sql``;
  const result = await deps.db.http.execute(sql`
    select ${columns}, ${cursorTime(sql`created_at`)} as position, secret_sealed
    from webhook_sources where workspace_id = ${access.workspaceId} and deleted_at is null ${after}
    order by created_at desc, id desc limit ${page.limit + 1}`);
  const rows = result.rows as unknown as Array<SourceRow & { secret_sealed: string }>;
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  const publicKeys = await Promise.all(items.map((row) => holdsPublicKey(deps.secretsKey, row.id, row.kind, row.secret_sealed)));
  return { items: items.map((row, index) => toSource(row, publicKeys[index]!)), nextCursor: rows.length > page.limit && last ? encodeCursor({ at: last.position!, id: last.id }) : null };
}

/** Live source `sourceId` of the caller's workspace; 404 otherwise: one round trip. */
export async function getSource(deps: SourceDeps, access: WorkspaceAccess, sourceId: string): Promise<WebhookSource> {
  if (!isId("webhookSource", sourceId)) throw new ApiError("NOT_FOUND");
  const result = await deps.db.http.execute(sql`
    select ${columns}, secret_sealed from webhook_sources where id = ${sourceId} and workspace_id = ${access.workspaceId} and deleted_at is null`);
  const row = result.rows[0] as (SourceRow & { secret_sealed: string }) | undefined;
  if (!row) throw new ApiError("NOT_FOUND");
  return toSource(row, await holdsPublicKey(deps.secretsKey, row.id, row.kind, row.secret_sealed));
}

/** Deletes live source `sourceId` softly, with its audit row: its URL answers 404 from now on, its deliveries stay for the log. One round trip. */
export async function deleteSource(deps: SourceDeps, access: WorkspaceAccess, sourceId: string, meta: RequestMeta): Promise<void> {
  if (!isId("webhookSource", sourceId)) throw new ApiError("NOT_FOUND");
  const now = new Date(deps.clock());
  const result = await deps.db.http.execute(sql`
    with deleted as (
      update webhook_sources set deleted_at = ${at(now)}, updated_at = ${at(now)}, updated_by = ${access.actor.id}
      where id = ${sourceId} and workspace_id = ${access.workspaceId} and deleted_at is null returning id, workspace_id
    ),
    audited as (${sourceAudit("deleted", "webhook_source.deleted", access, meta, now)})
    select id from deleted`);
  if (result.rows.length === 0) throw new ApiError("NOT_FOUND");
}

/** The audit row of a change to the source clause `source` returned, for a `with` clause. */
function sourceAudit(source: string, action: AuditAction, access: WorkspaceAccess, meta: RequestMeta, time: Date, details?: Record<string, unknown>): SQL {
  const from = sql.identifier(source);
  return auditFrom(
    source,
    { action, actorId: access.actor.id, workspaceId: access.workspaceId, targetType: "webhook_source", targetId: sql`${from}.id`, details: details ? sql`${JSON.stringify(details)}::jsonb` : undefined },
    meta,
    time,
  );
}

async function holdsPublicKey(secretsKey: string, id: string, kind: string, sealed: string): Promise<boolean> {
  return kind === "standard" && (await openSecret(secretsKey, id, sealed)).startsWith("whpk_");
}
