import type { Context } from "hono";
import type { AppEnv } from "../../../lib/app-env";
import type { AppRouteHandler } from "../../../lib/create-router";
import { requestMeta } from "../../../lib/request-meta";
import type { WorkspaceAccess } from "../../../services/workspaces/access";
import * as deliveries from "../../../services/inbound-webhooks/deliveries";
import type { DeliveryView } from "../../../services/inbound-webhooks/deliveries";
import { enqueueInbound } from "../../../services/inbound-webhooks/queue";
import * as sources from "../../../services/inbound-webhooks/sources";
import type { SourceDeps, WebhookSource } from "../../../services/inbound-webhooks/sources";
import type {
  CreateWebhookSourceRoute,
  DeleteWebhookSourceRoute,
  GetWebhookSourceRoute,
  ListInboundDeliveriesRoute,
  ListWebhookSourcesRoute,
  ReplayInboundDeliveryRoute,
} from "./webhook-sources.routes";

export const listWebhookSources: AppRouteHandler<ListWebhookSourcesRoute> = async (c) => {
  const page = await sources.listSources(sourceDeps(c), workspace(c), c.req.valid("query"));
  return c.json({ webhookSources: page.items.map(toResponse), nextCursor: page.nextCursor }, 200);
};

export const createWebhookSource: AppRouteHandler<CreateWebhookSourceRoute> = async (c) => {
  const created = await sources.createSource(sourceDeps(c), workspace(c), c.req.valid("json"), requestMeta(c));
  return c.json({ ...toResponse(created.source), secret: created.secret ?? null }, 201, { "Cache-Control": "no-store" });
};

export const getWebhookSource: AppRouteHandler<GetWebhookSourceRoute> = async (c) => {
  return c.json(toResponse(await sources.getSource(sourceDeps(c), workspace(c), c.req.valid("param").sourceId)), 200);
};

export const deleteWebhookSource: AppRouteHandler<DeleteWebhookSourceRoute> = async (c) => {
  await sources.deleteSource(sourceDeps(c), workspace(c), c.req.valid("param").sourceId, requestMeta(c));
  return c.body(null, 204);
};

export const listInboundDeliveries: AppRouteHandler<ListInboundDeliveriesRoute> = async (c) => {
  const page = await deliveries.listDeliveries(c.var.services.db, workspace(c), c.req.valid("param").sourceId, c.req.valid("query"));
  return c.json({ deliveries: page.items.map(toDeliveryResponse), nextCursor: page.nextCursor }, 200);
};

export const replayInboundDelivery: AppRouteHandler<ReplayInboundDeliveryRoute> = async (c) => {
  const { sourceId, deliveryId } = c.req.valid("param");
  const delivery = await deliveries.resetDelivery(c.var.services.db, workspace(c), sourceId, deliveryId, requestMeta(c), new Date(c.var.services.clock()));
  await enqueueInbound(c.env.INBOUND_QUEUE, delivery.id);
  return c.json(toDeliveryResponse(delivery), 202);
};

function sourceDeps(c: Context<AppEnv>): SourceDeps {
  return { db: c.var.services.db, clock: c.var.services.clock, secretsKey: c.var.config.WEBHOOK_SECRETS_KEY };
}

/** The caller's access to the workspace, which workspaceRoute's guard resolved. */
function workspace(c: Context<AppEnv>): WorkspaceAccess {
  const access = c.var.workspace;
  if (!access) throw new Error("a webhook source route without workspaceAccess()");
  return access;
}

function toResponse(source: WebhookSource) {
  return { ...source, url: `/v1/hooks/${source.id}`, createdAt: source.createdAt.toISOString() };
}

function toDeliveryResponse(delivery: DeliveryView) {
  return { ...delivery, receivedAt: delivery.receivedAt.toISOString(), processedAt: delivery.processedAt?.toISOString() ?? null };
}
