import type { Context } from "hono";
import type { AppEnv } from "../../../lib/app-env";
import type { AppRouteHandler } from "../../../lib/create-router";
import { requestMeta } from "../../../lib/request-meta";
import type { WorkspaceAccess } from "../../../services/workspaces/access";
import * as deliveries from "../../../services/webhooks/delivery-log";
import * as service from "../../../services/webhooks/endpoints";
import type { EndpointDeps, EndpointView } from "../../../services/webhooks/endpoints";
import type {
  CreateEndpointRoute,
  DeleteEndpointRoute,
  GetEndpointRoute,
  ListDeliveriesRoute,
  ListEndpointsRoute,
  RetryDeliveryRoute,
  RotateEndpointSecretRoute,
  UpdateEndpointRoute,
} from "./webhook-endpoints.routes";

const NO_STORE = { "Cache-Control": "no-store" };

export const listEndpoints: AppRouteHandler<ListEndpointsRoute> = async (c) => {
  const endpoints = await service.listEndpoints(c.var.services.db, workspace(c));
  return c.json({ endpoints: endpoints.map(toResponse) }, 200);
};

export const createEndpoint: AppRouteHandler<CreateEndpointRoute> = async (c) => {
  const { url, description, eventTypes = [] } = c.req.valid("json");
  const issued = await service.createEndpoint(endpointDeps(c), workspace(c), { url, description, eventTypes: [...new Set(eventTypes)] }, requestMeta(c));
  return c.json({ ...toResponse(issued.endpoint), secret: issued.secret }, 201, NO_STORE);
};

export const getEndpoint: AppRouteHandler<GetEndpointRoute> = async (c) => {
  const endpoint = await service.getEndpoint(c.var.services.db, workspace(c), c.req.valid("param").endpointId);
  return c.json(toResponse(endpoint), 200);
};

export const updateEndpoint: AppRouteHandler<UpdateEndpointRoute> = async (c) => {
  const { eventTypes, ...changes } = c.req.valid("json");
  const endpoint = await service.updateEndpoint(endpointDeps(c), workspace(c), c.req.valid("param").endpointId, {
    ...changes,
    ...(eventTypes === undefined ? {} : { eventTypes: [...new Set(eventTypes)] }),
  }, requestMeta(c));
  return c.json(toResponse(endpoint), 200);
};

export const deleteEndpoint: AppRouteHandler<DeleteEndpointRoute> = async (c) => {
  await service.deleteEndpoint(endpointDeps(c), workspace(c), c.req.valid("param").endpointId, requestMeta(c));
  return c.body(null, 204);
};

export const rotateEndpointSecret: AppRouteHandler<RotateEndpointSecretRoute> = async (c) => {
  const overlapSeconds = c.req.valid("json").overlapSeconds ?? service.DEFAULT_ROTATION_OVERLAP_SECONDS;
  const issued = await service.rotateEndpointSecret(endpointDeps(c), workspace(c), c.req.valid("param").endpointId, overlapSeconds, requestMeta(c));
  return c.json({ ...toResponse(issued.endpoint), secret: issued.secret }, 200, NO_STORE);
};

export const listDeliveries: AppRouteHandler<ListDeliveriesRoute> = async (c) => {
  const { limit, cursor, status } = c.req.valid("query");
  const page = await deliveries.listDeliveries(c.var.services.db, workspace(c), c.req.valid("param").endpointId, { limit, after: cursor, status });
  return c.json({ deliveries: page.deliveries, nextCursor: page.next }, 200);
};

export const retryDelivery: AppRouteHandler<RetryDeliveryRoute> = async (c) => {
  const { endpointId, deliveryId } = c.req.valid("param");
  const delivery = await deliveries.retryDelivery(c.var.services.db, c.env.DELIVERY_QUEUE, workspace(c), endpointId, deliveryId);
  return c.json(delivery, 202);
};

function endpointDeps(c: Context<AppEnv>): EndpointDeps {
  const { config, services } = c.var;
  return { db: services.db, clock: services.clock, secretsKey: config.WEBHOOK_SECRETS_KEY, appEnv: config.APP_ENV };
}

/** The caller's access to the workspace, which workspaceRoute's guard resolved. */
function workspace(c: Context<AppEnv>): WorkspaceAccess {
  const access = c.var.workspace;
  if (!access) throw new Error("a webhook route without workspaceAccess()");
  return access;
}

/** An endpoint as the API shows it: times in ISO 8601, no secret. */
export function toResponse(endpoint: EndpointView) {
  return {
    ...endpoint,
    disabledAt: endpoint.disabledAt?.toISOString() ?? null,
    failingSince: endpoint.failingSince?.toISOString() ?? null,
    previousSecretExpiresAt: endpoint.previousSecretExpiresAt?.toISOString() ?? null,
    createdAt: endpoint.createdAt.toISOString(),
    updatedAt: endpoint.updatedAt.toISOString(),
  };
}
