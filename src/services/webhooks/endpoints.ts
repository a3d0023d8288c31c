import { and, asc, eq, isNull, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { webhookEndpoints } from "../../db/schema";
import { LOCAL_ENVIRONMENTS } from "../../env";
import type { Clock } from "../../lib/clock";
import { ApiError, invalidField } from "../../lib/errors";
import { isId, newId } from "../../lib/ids";
import type { RequestMeta } from "../../lib/request-meta";
import type { AuditAction } from "../identity/audit";
import { sealSecret } from "../../lib/secret-box";
import type { WorkspaceAccess } from "../workspaces/access";
import { at, auditFrom, lockWorkspace, textArray } from "../workspaces/sql";
import { checkUrlHost } from "./address-policy";
import { generateWebhookSecret } from "./signing";

/** Live endpoints a workspace may have: each event fans out to every one of them. */
export const MAX_WEBHOOK_ENDPOINTS = 20;
export const MAX_ENDPOINT_URL_LENGTH = 2048;
/** How long the secret before a rotation keeps signing beside the new one, unless the rotation says. */
export const DEFAULT_ROTATION_OVERLAP_SECONDS = 86_400;
export const MAX_ROTATION_OVERLAP_SECONDS = 7 * 86_400;

export interface EndpointDeps {
  db: Database;
  clock: Clock;
  /** WEBHOOK_SECRETS_KEY: what secrets are sealed under. */
  secretsKey: string;
  /** APP_ENV: plain http is allowed only in development and test. */
  appEnv: string;
}

/** An endpoint as the API shows it (and as the `webhook.endpoint_disabled` event carries it): never its secret. */
export interface EndpointView {
  id: string;
  url: string;
  description: string;
  eventTypes: string[];
  enabled: boolean;
  disabledAt: Date | null;
  disabledReason: string | null;
  failingSince: Date | null;
  previousSecretExpiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  createdBy: string;
}

export interface NewEndpoint {
  url: string;
  description?: string;
  /** Known types, without repeats; empty: every type. */
  eventTypes: string[];
}

export interface EndpointChanges {
  url?: string;
  description?: string;
  eventTypes?: string[];
  enabled?: boolean;
}

const viewColumns = {
  id: webhookEndpoints.id,
  url: webhookEndpoints.url,
  description: webhookEndpoints.description,
  eventTypes: webhookEndpoints.eventTypes,
  disabledAt: webhookEndpoints.disabledAt,
  disabledReason: webhookEndpoints.disabledReason,
  failingSince: webhookEndpoints.failingSince,
  previousSecretExpiresAt: webhookEndpoints.previousSecretExpiresAt,
  createdAt: webhookEndpoints.createdAt,
  updatedAt: webhookEndpoints.updatedAt,
  createdBy: webhookEndpoints.createdBy,
};

type ViewRow = Omit<EndpointView, "enabled">;

function toView(row: ViewRow): EndpointView {
  return { ...row, enabled: row.disabledAt === null };
}

/**
 * 400 unless `url` is one deliveries may go to: http(s) (https outside development and test), no
 * credentials or fragment, and a host that is a public address or a name that is not internal.
 * Names are resolved before every attempt, not here: DNS can change.
 */
export function checkEndpointUrl(url: string, appEnv: string, options: { allowedTarget?: string } = {}): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidField("url", "is not a URL");
  }
  const schemes = LOCAL_ENVIRONMENTS.has(appEnv) ? ["https:", "http:"] : ["https:"];
  if (!schemes.includes(parsed.protocol)) throw invalidField("url", LOCAL_ENVIRONMENTS.has(appEnv) ? "must be http or https" : "must be https");
  if (parsed.username || parsed.password) throw invalidField("url", "must not carry credentials");
  if (parsed.hash) throw invalidField("url", "must not have a fragment");
  if (options.allowedTarget !== undefined && parsed.host === options.allowedTarget) return;
  const verdict = checkUrlHost(parsed);
  if (!verdict.ok) throw invalidField("url", `must reach a public address (${verdict.reason})`);
}

/**
 * Creates an endpoint with a new secret, sealed; returns it with the secret, shown this once. One
 * round trip: a batch locking the workspace's row, then inserting only while it has fewer than
 * MAX_WEBHOOK_ENDPOINTS live endpoints (exact under concurrent creations).
 * `allowedTarget` is for tests only (their receiver on loopback), never reachable from a request.
 */
export async function createEndpoint(
  deps: EndpointDeps,
  access: WorkspaceAccess,
  input: NewEndpoint,
  meta: RequestMeta,
  options: { allowedTarget?: string } = {},
): Promise<{ endpoint: EndpointView; secret: string }> {
  checkEndpointUrl(input.url, deps.appEnv, options);
  const id = newId("webhookEndpoint");
  const secret = generateWebhookSecret();
  const now = new Date(deps.clock());
  const description = input.description ?? "";
  const [, inserted] = await deps.db.http.batch([
    lockWorkspace(deps.db, access.workspaceId),
    deps.db.http.execute(sql`
      insert into webhook_endpoints (id, workspace_id, url, description, event_types, secret_sealed, created_by, updated_by, created_at, updated_at)
      select ${id}, ${access.workspaceId}, ${input.url}, ${description}, ${textArray(input.eventTypes)}, ${await sealSecret(deps.secretsKey, id, secret)},
             ${access.actor.id}, ${access.actor.id}, ${at(now)}, ${at(now)}
      where (select count(*) from webhook_endpoints where workspace_id = ${access.workspaceId} and deleted_at is null) < ${MAX_WEBHOOK_ENDPOINTS}
      returning id`),
    endpointAudit(deps.db, "webhook_endpoint.created", access, id, now, meta, { url: input.url, eventTypes: input.eventTypes }),
  ]);
  if (inserted.rows.length === 0) throw new ApiError("CONFLICT", { detail: "webhookEndpointLimit", params: { limit: MAX_WEBHOOK_ENDPOINTS } });
  const endpoint = toView({
    id,
    url: input.url,
    description,
    eventTypes: input.eventTypes,
    disabledAt: null,
    disabledReason: null,
    failingSince: null,
    previousSecretExpiresAt: null,
    createdAt: now,
    updatedAt: now,
    createdBy: access.actor.id,
  });
  return { endpoint, secret };
}

/** The workspace's live endpoints, oldest first (at most MAX_WEBHOOK_ENDPOINTS): one round trip. */
export async function listEndpoints(db: Database, access: WorkspaceAccess): Promise<EndpointView[]> {
  const rows = await db.http
    .select(viewColumns)
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.workspaceId, access.workspaceId), isNull(webhookEndpoints.deletedAt)))
    .orderBy(asc(webhookEndpoints.createdAt), asc(webhookEndpoints.id))
    .limit(MAX_WEBHOOK_ENDPOINTS);
  return rows.map(toView);
}

/** Endpoint `endpointId` of the caller's workspace; 404 for another's, a deleted one, or none: one round trip. */
export async function getEndpoint(db: Database, access: WorkspaceAccess, endpointId: string): Promise<EndpointView> {
  if (!isId("webhookEndpoint", endpointId)) throw new ApiError("NOT_FOUND");
  const [row] = await db.http.select(viewColumns).from(webhookEndpoints).where(liveEndpoint(access, endpointId));
  if (!row) throw new ApiError("NOT_FOUND");
  return toView(row);
}

function liveEndpoint(access: WorkspaceAccess, endpointId: string) {
  return and(eq(webhookEndpoints.id, endpointId), eq(webhookEndpoints.workspaceId, access.workspaceId), isNull(webhookEndpoints.deletedAt));
}

/**
 * Changes an endpoint's URL, description, event types or state, in one round trip. Enabling clears
 * the failure record (a fresh five-day window); disabling keeps an earlier disablement's time and reason.
 */
export async function updateEndpoint(deps: EndpointDeps, access: WorkspaceAccess, endpointId: string, changes: EndpointChanges, meta: RequestMeta): Promise<EndpointView> {
  if (!isId("webhookEndpoint", endpointId)) throw new ApiError("NOT_FOUND");
  if (changes.url !== undefined) checkEndpointUrl(changes.url, deps.appEnv);
  const now = new Date(deps.clock());
  const state =
    changes.enabled === undefined
      ? {}
      : changes.enabled
        ? { disabledAt: null, disabledReason: null, failingSince: null }
        : { disabledAt: sql`coalesce(${webhookEndpoints.disabledAt}, ${at(now)})`, disabledReason: sql`coalesce(${webhookEndpoints.disabledReason}, 'disabled by a member')` };
  const [[row]] = await deps.db.http.batch([
    deps.db.http
    .update(webhookEndpoints)
    .set({
      ...(changes.url === undefined ? {} : { url: changes.url }),
      ...(changes.description === undefined ? {} : { description: changes.description }),
      ...(changes.eventTypes === undefined ? {} : { eventTypes: changes.eventTypes }),
      ...state,
      updatedAt: now,
      updatedBy: access.actor.id,
    })
    .where(liveEndpoint(access, endpointId))
    .returning(viewColumns),
    endpointAudit(deps.db, "webhook_endpoint.updated", access, endpointId, now, meta, { ...changes }),
  ]);
  if (!row) throw new ApiError("NOT_FOUND");
  return toView(row);
}

/** Deletes an endpoint (soft: its delivery log stays until the workspace goes); it gets nothing more. One round trip. */
export async function deleteEndpoint(deps: Pick<EndpointDeps, "db" | "clock">, access: WorkspaceAccess, endpointId: string, meta: RequestMeta): Promise<void> {
  if (!isId("webhookEndpoint", endpointId)) throw new ApiError("NOT_FOUND");
  const now = new Date(deps.clock());
  const [rows] = await deps.db.http.batch([
    deps.db.http.update(webhookEndpoints).set({ deletedAt: now, updatedAt: now, updatedBy: access.actor.id }).where(liveEndpoint(access, endpointId)).returning({ id: webhookEndpoints.id }),
    endpointAudit(deps.db, "webhook_endpoint.deleted", access, endpointId, now, meta),
  ]);
  if (rows.length === 0) throw new ApiError("NOT_FOUND");
}

/**
 * Gives an endpoint a new secret, returned this once; the current one keeps signing beside it for
 * `overlapSeconds` (0: it stops now). One round trip: the sealed current secret moves to the
 * previous column in the same statement (both are sealed for the row's id).
 */
export async function rotateEndpointSecret(
  deps: EndpointDeps,
  access: WorkspaceAccess,
  endpointId: string,
  overlapSeconds: number,
  meta: RequestMeta,
): Promise<{ endpoint: EndpointView; secret: string }> {
  if (!isId("webhookEndpoint", endpointId)) throw new ApiError("NOT_FOUND");
  const secret = generateWebhookSecret();
  const now = new Date(deps.clock());
  const previousUntil = overlapSeconds > 0 ? new Date(now.getTime() + overlapSeconds * 1000) : null;
  const [[row]] = await deps.db.http.batch([
    deps.db.http
    .update(webhookEndpoints)
    .set({
      previousSecretSealed: previousUntil ? sql`${webhookEndpoints.secretSealed}` : null,
      previousSecretExpiresAt: previousUntil,
      secretSealed: await sealSecret(deps.secretsKey, endpointId, secret),
      updatedAt: now,
      updatedBy: access.actor.id,
    })
    .where(liveEndpoint(access, endpointId))
    .returning(viewColumns),
    endpointAudit(deps.db, "webhook_endpoint.secret_rotated", access, endpointId, now, meta, { overlapSeconds }),
  ]);
  if (!row) throw new ApiError("NOT_FOUND");
  return { endpoint: toView(row), secret };
}

/**
 * The audit row of a change to endpoint `endpointId`, for the batch after the change: written only
 * when the change happened (the row carries this change's `updated_at`), so a 404 records nothing.
 * `details` name what changed, never a secret.
 */
function endpointAudit(db: Database, action: AuditAction, access: WorkspaceAccess, endpointId: string, time: Date, meta: RequestMeta, details?: Record<string, unknown>) {
  const event = {
    action,
    actorId: access.actor.id,
    workspaceId: access.workspaceId,
    targetType: "webhook_endpoint" as const,
    targetId: endpointId,
    details: details ? sql`${JSON.stringify(details)}::jsonb` : undefined,
  };
  return db.http.execute(sql`
    with changed as (
      select id from webhook_endpoints where id = ${endpointId} and workspace_id = ${access.workspaceId} and updated_at = ${at(time)}
    )
    ${auditFrom("changed", event, meta, time)}`);
}
