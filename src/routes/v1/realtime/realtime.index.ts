import { createRouter } from "../../../lib/create-router";
import { authenticate } from "../../../middleware/authenticate";
import * as handlers from "./realtime.handlers";
import * as routes from "./realtime.routes";

const router = createRouter();
// The ticket needs a signed-in user (API keys are refused); the socket takes the ticket instead.
router.use("/ticket", authenticate());
/** `POST /v1/realtime/ticket` and `GET /v1/realtime` (the WebSocket). */
export const realtime = router.openapi(routes.createTicket, handlers.createTicket).openapi(routes.connect, handlers.connect);
