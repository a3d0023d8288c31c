import { createRouter } from "../../../lib/create-router";
import { authenticate } from "../../../middleware/authenticate";
import * as handlers from "./sessions.handlers";
import * as routes from "./sessions.routes";

/** Login, refresh, logout and the caller's sessions, under /v1/auth. */
export const sessions = createRouter();
sessions.use("/logout", authenticate());
sessions.use("/sessions", authenticate());
sessions.use("/sessions/*", authenticate());
sessions
  .openapi(routes.login, handlers.login)
  .openapi(routes.refresh, handlers.refresh)
  .openapi(routes.logout, handlers.logout)
  .openapi(routes.listSessions, handlers.listSessions)
  .openapi(routes.revokeSession, handlers.revokeSession)
  .openapi(routes.revokeOtherSessions, handlers.revokeOtherSessions);
