import { createRouter } from "../../../lib/create-router";
import { authenticate } from "../../../middleware/authenticate";
import * as handlers from "./invitations.handlers";
import * as routes from "./invitations.routes";

const router = createRouter();
router.use("/accept", authenticate());
/**
 * `/v1/invitations`: what the invited person does with an invitation's token. Accepting needs a
 * signed-in user (an API key is refused like any invalid token); declining needs only the token, so
 * someone without an account can say no, and falls under the general rate limit per client.
 */
export const invitations = router
  .openapi(routes.acceptInvitation, handlers.acceptInvitation)
  .openapi(routes.declineInvitation, handlers.declineInvitation);
