import { createRouter } from "../../../lib/create-router";
import { authenticate } from "../../../middleware/authenticate";
import * as handlers from "./sessions.handlers";
import * as routes from "./sessions.routes";

const router = createRouter();
router.use("/logout", authenticate());
router.use("/sessions", authenticate());
router.use("/sessions/*", authenticate());
/** Login, refresh, logout and the caller's sessions, under /v1/auth. */
export const sessions = router
  .openapi(routes.login, handlers.login)
  .openapi(routes.refresh, handlers.refresh)
  .openapi(routes.logout, handlers.logout)
  .openapi(routes.listSessions, handlers.listSessions)
  .openapi(routes.revokeSession, handlers.revokeSession)
  .openapi(routes.revokeOtherSessions, handlers.revokeOtherSessions);
