import { createRouter } from "../../../lib/create-router";
import { authenticate } from "../../../middleware/authenticate";
import { identities } from "./identities.index";
import * as handlers from "./me.handlers";
import * as routes from "./me.routes";

const router = createRouter();
router.use("*", authenticate());
/** `GET`, `PATCH` and `DELETE /v1/me`: the signed-in user's own account, and its linked providers. */
export const me = router
  .openapi(routes.getMe, handlers.getMe)
  .openapi(routes.updateMe, handlers.updateMe)
  .openapi(routes.deleteMe, handlers.deleteMe)
  .route("/", identities);
