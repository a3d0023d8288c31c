import { createRouter } from "../../../lib/create-router";
import { authenticate } from "../../../middleware/authenticate";
import * as handlers from "./notifications.handlers";
import * as routes from "./notifications.routes";

const router = createRouter();
router.use("*", authenticate());
/** `GET /v1/notifications` and `POST /v1/notifications/read`: the signed-in user's inbox, without a socket. */
export const notifications = router.openapi(routes.listNotifications, handlers.listNotifications).openapi(routes.markRead, handlers.markRead);
