import { createRouter } from "../../lib/create-router";
import { ipRules } from "./admin/ip-rules.index";
import { attachments } from "./attachments/content.index";
import { auth } from "./auth/auth.index";
import { hooks } from "./hooks/hooks.index";
import { invitations } from "./invitations/invitations.index";
import { me } from "./me/me.index";
import { notifications } from "./notifications/notifications.index";
import { realtime } from "./realtime/realtime.index";
import { workspaces } from "./workspaces/index";

/**
 * Every versioned API route. Resources are mounted here as they arrive, in the one chain (e.g.
 * `.route("/tasks", tasks)` with `tasks` from `routes/v1/tasks/tasks.index.ts`, itself one chain of
 * `.openapi(…)` calls), so their types reach `AppType` and the typed client (src/app-type.ts).
 */
export const v1 = createRouter()
  .route("/auth", auth)
  .route("/me", me)
  .route("/admin/ip-rules", ipRules)
  .route("/workspaces", workspaces)
  .route("/invitations", invitations)
  .route("/attachments", attachments)
  .route("/hooks", hooks)
  .route("/realtime", realtime)
  .route("/notifications", notifications);
