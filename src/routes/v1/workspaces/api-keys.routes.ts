import { z } from "@hono/zod-openapi";
import { API_KEY_MAX_CIDRS } from "../../../db/schema";
import { API_KEY_MAX_ROTATION_OVERLAP_SECONDS } from "../../../env";
import { parseIpRange } from "../../../lib/ip-ranges";
import { jsonBody, problemResponse } from "../../../lib/openapi";
import { PERMISSIONS } from "../../../lib/permissions";
import { WorkspaceParams, workspaceRoute } from "../../../lib/workspace-route";
import { API_KEY_CACHE_TTL_MS } from "../../../services/workspaces/api-key-cache";
import { MAX_API_KEY_PAGE, MAX_LIVE_API_KEYS } from "../../../services/workspaces/api-keys";

const ApiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().openapi({ description: "The key's visible part: the key reads `<env>_<prefix>_…`.", example: "3xk9ab12" }),
    scopes: z.array(z.enum(PERMISSIONS)).openapi({ description: "What the key may do in its workspace." }),
    allowedCidrs: z.array(z.string()).nullable().openapi({ description: "The networks the key may be used from, normalised; null for anywhere." }),
    expiresAt: z.iso.datetime().nullable(),
    lastUsedAt: z.iso.datetime().nullable().openapi({ description: "Recorded about once a minute: it may lag behind by that much." }),
    createdAt: z.iso.datetime(),
    createdBy: z.string().nullable().openapi({ description: "The member who created it; null when a key did, or the account is gone." }),
    revokedAt: z.iso.datetime().nullable(),
    previousSecretExpiresAt: z.iso.datetime().nullable().openapi({ description: "Until when the secret before the last rotation still works." }),
  })
  .openapi("ApiKey");

const IssuedApiKeySchema = ApiKeySchema.extend({
  key: z.string().openapi({ description: "The whole key, `<env>_<prefix>_<secret><checksum>`: shown this once, never again.", example: "live_3xk9ab12_…" }),
}).openapi("IssuedApiKey");

const ApiKeyListSchema = z
  .object({
    apiKeys: z.array(ApiKeySchema).openapi({ description: "Newest first, revoked and expired ones included." }),
    nextCursor: z.string().nullable().openapi({ description: "Pass as `cursor` for the next page; null on the last." }),
  })
  .openapi("ApiKeyList");

const CidrSchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .refine((cidr) => parseIpRange(cidr) !== undefined, "must be an IPv4 or IPv6 CIDR or address, e.g. 203.0.113.0/24");

const CreateApiKeySchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    scopes: z
      .array(z.enum(PERMISSIONS))
      .min(1)
      .max(PERMISSIONS.length)
      .openapi({ description: "Permissions the key gets: only ones the caller holds in the workspace." }),
    expiresAt: z.iso.datetime({ offset: true }).optional().openapi({ description: "When the key stops working; in the future. None: never." }),
    allowedCidrs: z
      .array(CidrSchema)
      .min(1)
      .max(API_KEY_MAX_CIDRS)
      .optional()
      .openapi({ description: `Up to ${API_KEY_MAX_CIDRS} CIDRs or addresses the key may be used from (CF-Connecting-IP); none: anywhere.` }),
  })
  .strict()
  .openapi("CreateApiKey");

const RotateApiKeySchema = z
  .object({
    overlapSeconds: z
      .number()
      .int()
      .min(0)
      .max(API_KEY_MAX_ROTATION_OVERLAP_SECONDS)
      .optional()
      .openapi({ description: "How long the current secret keeps working beside the new one; API_KEY_ROTATION_OVERLAP_SECONDS when left out. 0: it stops now." }),
  })
  .strict()
  .openapi("RotateApiKey");

const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_API_KEY_PAGE).default(50).openapi({ param: { name: "limit", in: "query" } }),
  cursor: z.string().max(64).optional().openapi({ param: { name: "cursor", in: "query" }, description: "`nextCursor` of the page before." }),
});

const KeyParams = WorkspaceParams.extend({ keyId: z.string().max(64).openapi({ param: { name: "keyId", in: "path" } }) });

const tags = ["API keys"];
/** The answer shows the key's secret once: never stored for a replay, so `Idempotency-Key` is not honoured. */
const SHOWS_SECRET = { idempotency: false };
const unauthorized = problemResponse("No valid access token or API key.");
const forbidden = problemResponse("The caller lacks the apikey:manage permission in the workspace.");
const notFound = problemResponse("No such workspace of the caller's, or no such key in it.");
const CACHE_SECONDS = API_KEY_CACHE_TTL_MS / 1000;
const noStore = z.string().openapi({ description: "`no-store`: the response shows a secret." });

export const listApiKeys = workspaceRoute("apikey:manage", {
  method: "get",
  path: "/{workspaceId}/api-keys",
  tags,
  summary: "The workspace's API keys, a page at a time; never their secrets.",
  request: { params: WorkspaceParams, query: ListQuery },
  responses: {
    200: { description: "A page of keys.", content: { "application/json": { schema: ApiKeyListSchema } } },
    400: problemResponse("The limit or the cursor is invalid."),
    401: unauthorized,
    403: forbidden,
    404: notFound,
  },
});

export const createApiKey = workspaceRoute("apikey:manage", {
  method: "post",
  path: "/{workspaceId}/api-keys",
  tags,
  summary: "Create an API key; the response shows it, once.",
  request: { params: WorkspaceParams, body: jsonBody(CreateApiKeySchema) },
  responses: {
    201: { description: "Created: store `key` now.", headers: z.object({ "Cache-Control": noStore }), content: { "application/json": { schema: IssuedApiKeySchema } } },
    400: problemResponse("The body is not a valid key, or its expiry is not in the future."),
    401: unauthorized,
    403: problemResponse("The caller lacks apikey:manage, or one of the scopes."),
    404: notFound,
    409: problemResponse(`The workspace already has ${MAX_LIVE_API_KEYS} live keys.`),
  },
}, SHOWS_SECRET);

export const getApiKey = workspaceRoute("apikey:manage", {
  method: "get",
  path: "/{workspaceId}/api-keys/{keyId}",
  tags,
  summary: "One API key; never its secret.",
  request: { params: KeyParams },
  responses: {
    200: { description: "The key.", content: { "application/json": { schema: ApiKeySchema } } },
    401: unauthorized,
    403: forbidden,
    404: notFound,
  },
});

export const rotateApiKey = workspaceRoute("apikey:manage", {
  method: "post",
  path: "/{workspaceId}/api-keys/{keyId}/rotate",
  tags,
  summary: "Give a key a new secret, shown once; the current one keeps working for the overlap.",
  description: `The new secret works everywhere at once. The previous one is refused everywhere within ${CACHE_SECONDS} seconds of the overlap's end; rotating again ends the last overlap, within the same bound.`,
  request: { params: KeyParams, body: { ...jsonBody(RotateApiKeySchema), required: false } },
  responses: {
    200: { description: "Rotated: store `key` now.", headers: z.object({ "Cache-Control": noStore }), content: { "application/json": { schema: IssuedApiKeySchema } } },
    400: problemResponse("The body is not valid."),
    401: unauthorized,
    403: problemResponse("The caller lacks apikey:manage, or one of the key's scopes."),
    404: notFound,
    409: problemResponse("The key is revoked or expired."),
  },
}, SHOWS_SECRET);

export const revokeApiKey = workspaceRoute("apikey:manage", {
  method: "delete",
  path: "/{workspaceId}/api-keys/{keyId}",
  tags,
  summary: "Revoke a key for good; revoking a revoked key changes nothing.",
  description: `Refused everywhere within ${CACHE_SECONDS} seconds (at once by the isolate that revoked it).`,
  request: { params: KeyParams },
  responses: {
    204: { description: "Revoked." },
    401: unauthorized,
    403: forbidden,
    404: notFound,
  },
});

export type ListApiKeysRoute = typeof listApiKeys;
export type CreateApiKeyRoute = typeof createApiKey;
export type GetApiKeyRoute = typeof getApiKey;
export type RotateApiKeyRoute = typeof rotateApiKey;
export type RevokeApiKeyRoute = typeof revokeApiKey;
