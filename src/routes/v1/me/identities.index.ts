import { createRouter } from "../../../lib/create-router";
import * as handlers from "./identities.handlers";
import * as routes from "./identities.routes";

/** The signed-in user's linked provider accounts, under /v1/me (behind its authentication). */
export const identities = createRouter();
identities
  .openapi(routes.listIdentities, handlers.listIdentities)
  .openapi(routes.linkIdentity, handlers.linkIdentity)
  .openapi(routes.unlinkIdentity, handlers.unlinkIdentity);
