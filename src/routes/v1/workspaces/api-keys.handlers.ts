import type { Context } from "hono";
import type { AppEnv } from "../../../lib/app-env";
import type { AppRouteHandler } from "../../../lib/create-router";
import { parseIpRange } from "../../../lib/ip-ranges";
import { isPermission } from "../../../lib/permissions";
import { requestMeta } from "../../../lib/request-meta";
import { API_KEY_ENVIRONMENTS } from "../../../lib/tokens";
import type { WorkspaceAccess } from "../../../services/workspaces/access";
import * as service from "../../../services/workspaces/api-keys";
import type { ApiKeyDeps, ApiKeySummary } from "../../../services/workspaces/api-keys";
import type { CreateApiKeyRoute, GetApiKeyRoute, ListApiKeysRoute, RevokeApiKeyRoute, RotateApiKeyRoute } from "./api-keys.routes";

const NO_STORE = { "Cache-Control": "no-store" };

export const listApiKeys: AppRouteHandler<ListApiKeysRoute> = async (c) => {
  const { limit, cursor } = c.req.valid("query");
  const page = await service.listApiKeys(c.var.services.db, workspace(c), { limit, after: cursor });
  return c.json({ apiKeys: page.apiKeys.map(toResponse), nextCursor: page.next }, 200);
};

export const createApiKey: AppRouteHandler<CreateApiKeyRoute> = async (c) => {
  const { name, scopes, expiresAt, allowedCidrs } = c.req.valid("json");
  const input = {
    name,
    scopes: [...new Set(scopes)],
    expiresAt: expiresAt === undefined ? undefined : new Date(expiresAt),
    allowedCidrs: allowedCidrs && [...new Set(allowedCidrs.map((cidr) => parseIpRange(cidr)!.cidr))],
  };
  const issued = await service.createApiKey(apiKeyDeps(c), workspace(c), input, requestMeta(c));
  return c.json({ ...toResponse(issued.apiKey), key: issued.secret }, 201, NO_STORE);
};

export const getApiKey: AppRouteHandler<GetApiKeyRoute> = async (c) => {
  const key = await service.getApiKey(c.var.services.db, workspace(c), c.req.valid("param").keyId);
  return c.json(toResponse(key), 200);
};

export const rotateApiKey: AppRouteHandler<RotateApiKeyRoute> = async (c) => {
  const overlapSeconds = c.req.valid("json").overlapSeconds ?? c.var.config.API_KEY_ROTATION_OVERLAP_SECONDS;
  const issued = await service.rotateApiKey(apiKeyDeps(c), workspace(c), c.req.valid("param").keyId, overlapSeconds, requestMeta(c));
  // This isolate takes the new secret from its next request; the others re-read a key whose cached secret does not match.
  c.var.services.apiKeys.forget(issued.apiKey.prefix);
  return c.json({ ...toResponse(issued.apiKey), key: issued.secret }, 200, NO_STORE);
};

export const revokeApiKey: AppRouteHandler<RevokeApiKeyRoute> = async (c) => {
  const { prefix } = await service.revokeApiKey(apiKeyDeps(c), workspace(c), c.req.valid("param").keyId, requestMeta(c));
  // Refused here from the next request; in the other isolates within the cache's time to live.
  c.var.services.apiKeys.forget(prefix);
  return c.body(null, 204);
};

function apiKeyDeps(c: Context<AppEnv>): ApiKeyDeps {
  const { config, services } = c.var;
  return { db: services.db, clock: services.clock, environment: API_KEY_ENVIRONMENTS[config.APP_ENV] };
}

/** The caller's access to the workspace, which workspaceRoute's guard resolved. */
function workspace(c: Context<AppEnv>): WorkspaceAccess {
  const access = c.var.workspace;
  if (!access) throw new Error("an api key route without workspaceAccess()");
  return access;
}

/** A key as the API shows it: times in ISO 8601, no secret and no hash. */
function toResponse(key: ApiKeySummary) {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    scopes: key.scopes.filter(isPermission),
    allowedCidrs: key.allowedCidrs,
    expiresAt: key.expiresAt?.toISOString() ?? null,
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    createdAt: key.createdAt.toISOString(),
    createdBy: key.createdBy,
    revokedAt: key.revokedAt?.toISOString() ?? null,
    previousSecretExpiresAt: key.previousSecretExpiresAt?.toISOString() ?? null,
  };
}
