import { createRouter } from "../../lib/create-router";
import * as handlers from "./health.handlers";
import * as routes from "./health.routes";

/** `GET /health`: mounted before configuration is loaded, so it answers even when that is broken. */
export const liveness = createRouter().openapi(routes.health, handlers.health);

/** `GET /ready`: needs `c.var.services`, so it is mounted after configuration. */
export const readiness = createRouter().openapi(routes.ready, handlers.ready);
