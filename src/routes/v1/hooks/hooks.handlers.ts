import type { AppRouteHandler } from "../../../lib/create-router";
import { ApiError } from "../../../lib/errors";
import { openSecret } from "../../../lib/secret-box";
import { storeDelivery } from "../../../services/inbound-webhooks/deliveries";
import { enqueueInbound } from "../../../services/inbound-webhooks/queue";
import { verifyDelivery } from "../../../services/inbound-webhooks/signatures";
import { cachedSource, forgetSource } from "../../../services/inbound-webhooks/source-cache";
import type { ReceiveHookRoute } from "./hooks.routes";

export const receiveHook: AppRouteHandler<ReceiveHookRoute> = async (c) => {
  const { db, clock } = c.var.services;
  const source = await cachedSource(db, c.req.valid("param").sourceId);
  if (!source) throw new ApiError("NOT_FOUND");
  // Bounded by the body limit middleware; verified byte for byte, before anything is parsed.
  const body = new Uint8Array(await c.req.arrayBuffer());
  const secret = await openSecret(c.var.config.WEBHOOK_SECRETS_KEY, source.id, source.secretSealed);
  const delivery = await verifyDelivery(source.kind, secret, { header: (name) => c.req.header(name), body }, clock());
  const outcome = await storeDelivery(db, source.id, delivery, new Date(clock())).catch((error: unknown) => {
    if (error instanceof ApiError && error.code === "NOT_FOUND") forgetSource(source.id);
    throw error;
  });
  if (outcome.enqueue) await enqueueInbound(c.env.INBOUND_QUEUE, outcome.enqueue);
  return c.json({ duplicate: outcome.duplicate }, 200);
};
