import { z } from "@hono/zod-openapi";
import { jsonBody, problemResponse } from "../../../lib/openapi";
import { WorkspaceParams, workspaceRoute } from "../../../lib/workspace-route";
import { DELIVERY_STATUSES, MAX_DELIVERY_PAGE } from "../../../services/webhooks/delivery-log";
import { DEFAULT_ROTATION_OVERLAP_SECONDS, MAX_ENDPOINT_URL_LENGTH, MAX_ROTATION_OVERLAP_SECONDS, MAX_WEBHOOK_ENDPOINTS } from "../../../services/webhooks/endpoints";
import { WEBHOOK_EVENT_TYPES } from "../../../services/webhooks/event-types";
import { ATTEMPT_DELAYS_SECONDS, MAX_ATTEMPTS_PER_DELIVERY } from "../../../services/webhooks/schedule";

const EndpointSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    description: z.string(),
    eventTypes: z.array(z.string()).openapi({ description: "The event types delivered; empty: every type." }),
    enabled: z.boolean(),
    disabledAt: z.iso.datetime().nullable(),
    disabledReason: z.string().nullable().openapi({ description: "Why it was disabled: by a member, or every delivery failing for 5 days." }),
    failingSince: z.iso.datetime().nullable().openapi({ description: "The first failed attempt since the last success; after 5 days of failures the endpoint is disabled." }),
    previousSecretExpiresAt: z.iso.datetime().nullable().openapi({ description: "Until when deliveries also carry a signature with the secret before the last rotation." }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    createdBy: z.string(),
  })
  .openapi("WebhookEndpoint");

const IssuedEndpointSchema = EndpointSchema.extend({
  secret: z.string().openapi({ description: "The signing secret, `whsec_<base64>` (Standard Webhooks): shown this once, never again.", example: "whsec_…" }),
}).openapi("WebhookEndpointWithSecret");

const EventTypes = z
  .array(z.enum(WEBHOOK_EVENT_TYPES))
  .max(WEBHOOK_EVENT_TYPES.length)
  .openapi({ description: "Event types to deliver; empty or left out: every type." });
const EndpointUrl = z.string().trim().min(1).max(MAX_ENDPOINT_URL_LENGTH).openapi({
  description: "Where deliveries are POSTed: https, no credentials, a public address (names are resolved before every attempt; private, loopback, link-local and metadata addresses are refused).",
  example: "https://hooks.example.com/edge-backend",
});

const CreateEndpointSchema = z
  .object({ url: EndpointUrl, description: z.string().trim().max(500).optional(), eventTypes: EventTypes.optional() })
  .strict()
  .openapi("CreateWebhookEndpoint");

const UpdateEndpointSchema = z
  .object({
    url: EndpointUrl.optional(),
    description: z.string().trim().max(500).optional(),
    eventTypes: EventTypes.optional(),
    enabled: z.boolean().optional().openapi({ description: "false stops deliveries; true resumes them and starts a fresh 5-day failure window." }),
  })
  .strict()
  .openapi("UpdateWebhookEndpoint");

const RotateSecretSchema = z
  .object({
    overlapSeconds: z
      .number()
      .int()
      .min(0)
      .max(MAX_ROTATION_OVERLAP_SECONDS)
      .optional()
      .openapi({ description: `How long deliveries also carry a signature with the current secret; ${DEFAULT_ROTATION_OVERLAP_SECONDS} when left out. 0: it stops now.` }),
  })
  .strict()
  .openapi("RotateWebhookSecret");

const EndpointListSchema = z.object({ endpoints: z.array(EndpointSchema).openapi({ description: "Oldest first." }) }).openapi("WebhookEndpointList");

const AttemptSchema = z
  .object({
    attempt: z.number().int(),
    statusCode: z.number().int().nullable().openapi({ description: "The endpoint's answer; null when there was none (refused address, timeout, connection failure)." }),
    durationMs: z.number().int(),
    error: z.string().nullable().openapi({ description: "Why it failed: the start of the answer's body, or what went wrong without one." }),
    attemptedAt: z.iso.datetime(),
  })
  .openapi("WebhookAttempt");

const DeliverySchema = z
  .object({
    id: z.string().openapi({ description: "Also the `webhook-id` header of every attempt." }),
    eventId: z.string(),
    eventType: z.string(),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number().int(),
    nextAttemptAt: z.iso.datetime().nullable(),
    lastAttemptAt: z.iso.datetime().nullable(),
    lastStatusCode: z.number().int().nullable(),
    createdAt: z.iso.datetime(),
    attemptLog: z.array(AttemptSchema).openapi({ description: "Every attempt, first to last." }),
  })
  .openapi("WebhookDelivery");

const DeliveryListSchema = z
  .object({
    deliveries: z.array(DeliverySchema).openapi({ description: "Newest first." }),
    nextCursor: z.string().nullable().openapi({ description: "Pass as `cursor` for the next page; null on the last." }),
  })
  .openapi("WebhookDeliveryList");

const DeliveryQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_DELIVERY_PAGE).default(20).openapi({ param: { name: "limit", in: "query" } }),
  cursor: z.string().max(64).optional().openapi({ param: { name: "cursor", in: "query" }, description: "`nextCursor` of the page before." }),
  status: z.enum(DELIVERY_STATUSES).optional().openapi({ param: { name: "status", in: "query" } }),
});

const EndpointParams = WorkspaceParams.extend({ endpointId: z.string().max(64).openapi({ param: { name: "endpointId", in: "path" } }) });
const DeliveryParams = EndpointParams.extend({ deliveryId: z.string().max(64).openapi({ param: { name: "deliveryId", in: "path" } }) });

const tags = ["Webhooks"];
/** The answer shows the endpoint's secret once: never stored for a replay, so `Idempotency-Key` is not honoured. */
const SHOWS_SECRET = { idempotency: false };
const unauthorized = problemResponse("No valid access token or API key.");
const forbiddenRead = problemResponse("The caller lacks the webhook:read permission in the workspace.");
const forbiddenManage = problemResponse("The caller lacks the webhook:manage permission in the workspace.");
const notFound = problemResponse("No such workspace of the caller's, or no such endpoint in it.");
const noStore = z.string().openapi({ description: "`no-store`: the response shows a secret." });
const schedule = ATTEMPT_DELAYS_SECONDS.map((seconds) => `${seconds} s`).join(", ");

export const listEndpoints = workspaceRoute("webhook:read", {
  method: "get",
  path: "/{workspaceId}/webhook-endpoints",
  tags,
  summary: "The workspace's webhook endpoints; never their secrets.",
  request: { params: WorkspaceParams },
  responses: { 200: { description: "The endpoints.", content: { "application/json": { schema: EndpointListSchema } } }, 401: unauthorized, 403: forbiddenRead, 404: notFound },
});

export const createEndpoint = workspaceRoute(
  "webhook:manage",
  {
    method: "post",
    path: "/{workspaceId}/webhook-endpoints",
    tags,
    summary: "Add a webhook endpoint; the response shows its signing secret, once.",
    description: `Events of the chosen types are POSTed to it, signed per Standard Webhooks (\`webhook-id\`, \`webhook-timestamp\`, \`webhook-signature\`). A failed delivery is tried again after ${schedule} (8 attempts); an endpoint whose deliveries all fail for 5 days is disabled and the workspace's owners and admins are told.`,
    request: { params: WorkspaceParams, body: jsonBody(CreateEndpointSchema) },
    responses: {
      201: { description: "Created: store `secret` now.", headers: z.object({ "Cache-Control": noStore }), content: { "application/json": { schema: IssuedEndpointSchema } } },
      400: problemResponse("The body is not valid, or the URL is not one deliveries may go to."),
      401: unauthorized,
      403: forbiddenManage,
      404: notFound,
      409: problemResponse(`The workspace already has ${MAX_WEBHOOK_ENDPOINTS} endpoints.`),
    },
  },
  SHOWS_SECRET,
);

export const getEndpoint = workspaceRoute("webhook:read", {
  method: "get",
  path: "/{workspaceId}/webhook-endpoints/{endpointId}",
  tags,
  summary: "One webhook endpoint; never its secret.",
  request: { params: EndpointParams },
  responses: { 200: { description: "The endpoint.", content: { "application/json": { schema: EndpointSchema } } }, 401: unauthorized, 403: forbiddenRead, 404: notFound },
});

export const updateEndpoint = workspaceRoute("webhook:manage", {
  method: "patch",
  path: "/{workspaceId}/webhook-endpoints/{endpointId}",
  tags,
  summary: "Change an endpoint's URL, description or event types, or disable or enable it.",
  request: { params: EndpointParams, body: jsonBody(UpdateEndpointSchema) },
  responses: {
    200: { description: "The endpoint as it is now.", content: { "application/json": { schema: EndpointSchema } } },
    400: problemResponse("The body is not valid, or the URL is not one deliveries may go to."),
    401: unauthorized,
    403: forbiddenManage,
    404: notFound,
  },
});

export const deleteEndpoint = workspaceRoute("webhook:manage", {
  method: "delete",
  path: "/{workspaceId}/webhook-endpoints/{endpointId}",
  tags,
  summary: "Delete an endpoint: it gets nothing more; its pending deliveries fail when next due.",
  request: { params: EndpointParams },
  responses: { 204: { description: "Deleted." }, 401: unauthorized, 403: forbiddenManage, 404: notFound },
});

export const rotateEndpointSecret = workspaceRoute(
  "webhook:manage",
  {
    method: "post",
    path: "/{workspaceId}/webhook-endpoints/{endpointId}/rotate-secret",
    tags,
    summary: "Give an endpoint a new signing secret, shown once; the current one keeps signing beside it for the overlap.",
    description: "During the overlap, `webhook-signature` carries two `v1,` signatures, one per secret: a receiver may switch to the new secret at any time within it.",
    request: { params: EndpointParams, body: { ...jsonBody(RotateSecretSchema), required: false } },
    responses: {
      200: { description: "Rotated: store `secret` now.", headers: z.object({ "Cache-Control": noStore }), content: { "application/json": { schema: IssuedEndpointSchema } } },
      400: problemResponse("The body is not valid."),
      401: unauthorized,
      403: forbiddenManage,
      404: notFound,
    },
  },
  SHOWS_SECRET,
);

export const listDeliveries = workspaceRoute("webhook:read", {
  method: "get",
  path: "/{workspaceId}/webhook-endpoints/{endpointId}/deliveries",
  tags,
  summary: "An endpoint's delivery log, newest first, with every attempt's status code, duration and error.",
  request: { params: EndpointParams, query: DeliveryQuery },
  responses: {
    200: { description: "A page of deliveries.", content: { "application/json": { schema: DeliveryListSchema } } },
    400: problemResponse("The limit, the status or the cursor is invalid."),
    401: unauthorized,
    403: forbiddenRead,
    404: notFound,
  },
});

export const retryDelivery = workspaceRoute("webhook:manage", {
  method: "post",
  path: "/{workspaceId}/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/retry",
  tags,
  summary: "Attempt a delivery again now, a failed one too.",
  description: "The attempt is queued at once and shows in the delivery log when made; if it fails and scheduled attempts are left, the schedule goes on from it.",
  request: { params: DeliveryParams },
  responses: {
    202: { description: "Queued: the delivery as it was before the new attempt.", content: { "application/json": { schema: DeliverySchema } } },
    401: unauthorized,
    403: forbiddenManage,
    404: problemResponse("No such workspace of the caller's, or no such endpoint or delivery in it."),
    409: problemResponse(`The endpoint is disabled, or the delivery had ${MAX_ATTEMPTS_PER_DELIVERY} attempts.`),
    503: problemResponse("The delivery queue could not be reached; retry later."),
  },
});

export type ListEndpointsRoute = typeof listEndpoints;
export type CreateEndpointRoute = typeof createEndpoint;
export type GetEndpointRoute = typeof getEndpoint;
export type UpdateEndpointRoute = typeof updateEndpoint;
export type DeleteEndpointRoute = typeof deleteEndpoint;
export type RotateEndpointSecretRoute = typeof rotateEndpointSecret;
export type ListDeliveriesRoute = typeof listDeliveries;
export type RetryDeliveryRoute = typeof retryDelivery;
