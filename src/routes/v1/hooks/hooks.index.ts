import { createRouter } from "../../../lib/create-router";
import * as handlers from "./hooks.handlers";
import * as routes from "./hooks.routes";

/** `/v1/hooks`: inbound webhooks from the workspaces' sources, verified by signature, no credentials. */
export const hooks = createRouter().openapi(routes.receiveHook, handlers.receiveHook);
