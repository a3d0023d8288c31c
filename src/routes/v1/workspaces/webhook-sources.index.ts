import { createRouter } from "../../../lib/create-router";
import * as handlers from "./webhook-sources.handlers";
import * as routes from "./webhook-sources.routes";

/** Routes under `/v1/workspaces`; mounted by ./index.ts. Inbound webhook sources and their delivery log, with replay. */
export const webhookSourcesRoutes = createRouter()
  .openapi(routes.listWebhookSources, handlers.listWebhookSources)
  .openapi(routes.createWebhookSource, handlers.createWebhookSource)
  .openapi(routes.getWebhookSource, handlers.getWebhookSource)
  .openapi(routes.deleteWebhookSource, handlers.deleteWebhookSource)
  .openapi(routes.listInboundDeliveries, handlers.listInboundDeliveries)
  .openapi(routes.replayInboundDelivery, handlers.replayInboundDelivery);
