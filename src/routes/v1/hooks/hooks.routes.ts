import { createRoute, z } from "@hono/zod-openapi";
import { NO_AUTH, problemResponse } from "../../../lib/openapi";

const HookParams = z.object({
  sourceId: z.string().max(64).openapi({ param: { name: "sourceId", in: "path" }, example: "whs_0g5k2m7x9q3w8e4r6t1y5u2i7o" }),
});

const ReceivedSchema = z
  .object({
    duplicate: z.boolean().openapi({ description: "Whether this delivery id was received before: acknowledged again, without a second effect." }),
  })
  .openapi("WebhookReceived");

export const receiveHook = createRoute({
  method: "post",
  path: "/{sourceId}",
  tags: ["Inbound webhooks"],
  security: NO_AUTH,
  summary: "Receive a webhook from a source: verified, stored and acknowledged; processed from a queue.",
  description: [
    "The URL a workspace's webhook source gives its sender. No credentials: the signature over the raw JSON body (at most MAX_BODY_BYTES, 1 MiB by default) is the authorization, checked in constant time with the source's secret.",
    "- `github`: `X-Hub-Signature-256: sha256=<hex>`, `X-GitHub-Delivery`, `X-GitHub-Event` (set the hook's content type to `application/json`).",
    "- `stripe`: `Stripe-Signature: t=…,v1=…`, timestamp within 5 minutes; the event's `id` and `type` name the delivery.",
    "- `standard` (Standard Webhooks): `webhook-id`, `webhook-timestamp` (within 5 minutes either way), `webhook-signature` with `v1,<base64 HMAC>` for a `whsec_` secret or `v1a,<base64 ed25519>` for a `whpk_` public key.",
    "A delivery id received before is acknowledged without a second effect.",
  ].join("\n"),
  request: { params: HookParams },
  responses: {
    200: { description: "Stored (or stored before) and acknowledged.", content: { "application/json": { schema: ReceivedSchema } } },
    400: problemResponse("WEBHOOK_MALFORMED: the headers or body are not in the scheme's form."),
    401: problemResponse("WEBHOOK_SIGNATURE_INVALID: the signature is missing or wrong, or the timestamp is outside the tolerance."),
    404: problemResponse("No such source, or it was deleted."),
    413: problemResponse("The body is larger than the limit."),
    415: problemResponse("The body is not JSON."),
    503: problemResponse("The delivery could not be queued; retry (the duplicate queues it)."),
  },
});

export type ReceiveHookRoute = typeof receiveHook;
