import { createRouter } from "../../../lib/create-router";
import * as handlers from "./oauth.handlers";
import * as routes from "./oauth.routes";

/** Sign in with Google and GitHub, under /v1/auth: start, the provider's callback, and the code's exchange. */
export const oauth = createRouter();
oauth.openapi(routes.start, handlers.start).openapi(routes.callback, handlers.callback).openapi(routes.exchange, handlers.exchange);
