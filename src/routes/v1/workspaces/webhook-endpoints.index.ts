import { createRouter } from "../../../lib/create-router";
import * as handlers from "./webhook-endpoints.handlers";
import * as routes from "./webhook-endpoints.routes";

/** Routes under `/v1/workspaces`; mounted by ./index.ts. A workspace's outbound webhooks: endpoints, secrets, delivery log, retries. */
export const webhookEndpointsRoutes = createRouter()
  .openapi(routes.listEndpoints, handlers.listEndpoints)
  .openapi(routes.createEndpoint, handlers.createEndpoint)
  .openapi(routes.getEndpoint, handlers.getEndpoint)
  .openapi(routes.updateEndpoint, handlers.updateEndpoint)
  .openapi(routes.deleteEndpoint, handlers.deleteEndpoint)
  .openapi(routes.rotateEndpointSecret, handlers.rotateEndpointSecret)
  .openapi(routes.listDeliveries, handlers.listDeliveries)
  .openapi(routes.retryDelivery, handlers.retryDelivery);
