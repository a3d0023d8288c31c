import { createRouter } from "../../../lib/create-router";
import * as handlers from "./api-keys.handlers";
import * as routes from "./api-keys.routes";

/** Routes under `/v1/workspaces`; mounted by ./index.ts. A workspace's API keys: list, create, get, rotate, revoke. */
export const apiKeysRoutes = createRouter()
  .openapi(routes.listApiKeys, handlers.listApiKeys)
  .openapi(routes.createApiKey, handlers.createApiKey)
  .openapi(routes.getApiKey, handlers.getApiKey)
  .openapi(routes.rotateApiKey, handlers.rotateApiKey)
  .openapi(routes.revokeApiKey, handlers.revokeApiKey);
