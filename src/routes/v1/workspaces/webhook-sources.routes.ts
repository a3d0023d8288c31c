import { z } from "@hono/zod-openapi";
import { CursorParam, limitParam } from "../../../lib/cursor";
import { jsonBody, problemResponse } from "../../../lib/openapi";
import { WorkspaceParams, workspaceRoute } from "../../../lib/workspace-route";
import { DELIVERY_STATUSES, MAX_DELIVERY_PAGE } from "../../../services/inbound-webhooks/deliveries";
import { SOURCE_KINDS } from "../../../services/inbound-webhooks/signatures";
import { MAX_SOURCE_PAGE, MAX_WEBHOOK_SOURCES } from "../../../services/inbound-webhooks/sources";

const WebhookSourceSchema = z
  .object({
    id: z.string(),
    kind: z.enum(SOURCE_KINDS),
    name: z.string(),
    verification: z.enum(["hmac-sha256", "ed25519"]).openapi({ description: "`ed25519`: a standard source holding its sender's public key (v1a signatures)." }),
    url: z.string().openapi({ description: "The path to give the sender, on this API's origin.", example: "/v1/hooks/whs_0g5k2m7x9q3w8e4r6t1y5u2i7o" }),
    createdBy: z.string(),
    createdAt: z.iso.datetime(),
  })
  .openapi("WebhookSource");

const CreatedWebhookSourceSchema = WebhookSourceSchema.extend({
  secret: z.string().nullable().openapi({ description: "The signing secret we generated, to give the sender: shown this once, never again. Null when you gave one." }),
}).openapi("CreatedWebhookSource");

const CreateWebhookSourceSchema = z
  .object({
    kind: z.enum(SOURCE_KINDS),
    name: z.string().trim().min(1).max(100),
    secret: z
      .string()
      .min(16)
      .max(256)
      .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces")
      .optional()
      .openapi({ description: "github: any secret (generated when left out); stripe: the endpoint's `whsec_…` signing secret, required; standard: `whsec_<base64>` (generated when left out)." }),
    publicKey: z
      .string()
      .max(128)
      .optional()
      .openapi({ description: "standard only, instead of a secret: the sender's ed25519 public key as `whpk_<base64>`; the source then accepts `v1a` signatures only." }),
  })
  .strict()
  .openapi("CreateWebhookSource");

const WebhookSourceListSchema = z
  .object({ webhookSources: z.array(WebhookSourceSchema), nextCursor: z.string().nullable() })
  .openapi("WebhookSourceList");

const InboundDeliverySchema = z
  .object({
    id: z.string(),
    deliveryId: z.string().openapi({ description: "The sender's id: X-GitHub-Delivery, the Stripe event's id, or webhook-id." }),
    eventType: z.string(),
    status: z.enum(DELIVERY_STATUSES).openapi({ description: "received (queued), processed, or failed (retries spent: in the dead-letter queue)." }),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    receivedAt: z.iso.datetime(),
    processedAt: z.iso.datetime().nullable(),
  })
  .openapi("InboundDelivery");

const InboundDeliveryListSchema = z
  .object({ deliveries: z.array(InboundDeliverySchema).openapi({ description: "Newest first; payloads are not listed." }), nextCursor: z.string().nullable() })
  .openapi("InboundDeliveryList");

const SourceParams = WorkspaceParams.extend({ sourceId: z.string().max(64).openapi({ param: { name: "sourceId", in: "path" } }) });
const DeliveryParams = SourceParams.extend({ deliveryId: z.string().max(64).openapi({ param: { name: "deliveryId", in: "path" } }) });

const tags = ["Webhook sources"];
const unauthorized = problemResponse("No valid access token or API key.");
const notFound = problemResponse("No such workspace of the caller's, or no such live source in it.");

export const listWebhookSources = workspaceRoute("webhook:read", {
  method: "get",
  path: "/{workspaceId}/webhook-sources",
  tags,
  summary: "The workspace's inbound webhook sources, newest first; never their secrets.",
  request: { params: WorkspaceParams, query: z.object({ limit: limitParam(50, MAX_SOURCE_PAGE), cursor: CursorParam }) },
  responses: {
    200: { description: "A page of sources.", content: { "application/json": { schema: WebhookSourceListSchema } } },
    400: problemResponse("The cursor is invalid."),
    401: unauthorized,
    403: problemResponse("The caller lacks webhook:read."),
    404: notFound,
  },
});

export const createWebhookSource = workspaceRoute(
  "webhook:manage",
  {
    method: "post",
    path: "/{workspaceId}/webhook-sources",
    tags,
    summary: "Add a source of inbound webhooks; a secret we generate is shown once.",
    request: { params: WorkspaceParams, body: jsonBody(CreateWebhookSourceSchema) },
    responses: {
      201: { description: "Created: give the sender `url` and the secret.", headers: z.object({ "Cache-Control": z.string() }), content: { "application/json": { schema: CreatedWebhookSourceSchema } } },
      400: problemResponse("The body is invalid, or the secret does not fit the kind."),
      401: unauthorized,
      403: problemResponse("The caller lacks webhook:manage."),
      404: notFound,
      409: problemResponse(`The workspace already has ${MAX_WEBHOOK_SOURCES} sources.`),
    },
  },
  // The answer may show a secret: never stored for a replay.
  { idempotency: false },
);

export const getWebhookSource = workspaceRoute("webhook:read", {
  method: "get",
  path: "/{workspaceId}/webhook-sources/{sourceId}",
  tags,
  summary: "One source; never its secret.",
  request: { params: SourceParams },
  responses: {
    200: { description: "The source.", content: { "application/json": { schema: WebhookSourceSchema } } },
    401: unauthorized,
    403: problemResponse("The caller lacks webhook:read."),
    404: notFound,
  },
});

export const deleteWebhookSource = workspaceRoute("webhook:manage", {
  method: "delete",
  path: "/{workspaceId}/webhook-sources/{sourceId}",
  tags,
  summary: "Delete a source: its URL answers 404 from now on; its delivery log stays.",
  request: { params: SourceParams },
  responses: {
    204: { description: "Deleted." },
    401: unauthorized,
    403: problemResponse("The caller lacks webhook:manage."),
    404: notFound,
  },
});

export const listInboundDeliveries = workspaceRoute("webhook:read", {
  method: "get",
  path: "/{workspaceId}/webhook-sources/{sourceId}/deliveries",
  tags,
  summary: "A source's received deliveries, newest first, optionally of one status.",
  request: {
    params: SourceParams,
    query: z.object({
      limit: limitParam(50, MAX_DELIVERY_PAGE),
      cursor: CursorParam,
      status: z.enum(DELIVERY_STATUSES).optional().openapi({ param: { name: "status", in: "query" } }),
    }),
  },
  responses: {
    200: { description: "A page of deliveries.", content: { "application/json": { schema: InboundDeliveryListSchema } } },
    400: problemResponse("The cursor or status is invalid."),
    401: unauthorized,
    403: problemResponse("The caller lacks webhook:read."),
    404: notFound,
  },
});

export const replayInboundDelivery = workspaceRoute("webhook:manage", {
  method: "post",
  path: "/{workspaceId}/webhook-sources/{sourceId}/deliveries/{deliveryId}/replay",
  tags,
  summary: "Process a stored delivery again: back to received, and queued.",
  description: "A GitHub delivery's comments are added at most once per task, however often it is replayed: a replay retries what failed, it does not repeat what happened.",
  request: { params: DeliveryParams },
  responses: {
    202: { description: "Queued again.", content: { "application/json": { schema: InboundDeliverySchema } } },
    401: unauthorized,
    403: problemResponse("The caller lacks webhook:manage."),
    404: problemResponse("No such workspace of the caller's, or no such delivery of a live source in it."),
    503: problemResponse("The delivery could not be queued; retry."),
  },
});

export type ListWebhookSourcesRoute = typeof listWebhookSources;
export type CreateWebhookSourceRoute = typeof createWebhookSource;
export type GetWebhookSourceRoute = typeof getWebhookSource;
export type DeleteWebhookSourceRoute = typeof deleteWebhookSource;
export type ListInboundDeliveriesRoute = typeof listInboundDeliveries;
export type ReplayInboundDeliveryRoute = typeof replayInboundDelivery;
