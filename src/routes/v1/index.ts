import { createRouter } from "../../lib/create-router";
import { ipRules } from "./admin/ip-rules.index";
import { attachments } from "./attachments/content.index";
import { auth } from "./auth/auth.index";
import { invitations } from "./invitations/invitations.index";
import { me } from "./me/me.index";
import { workspaces } from "./workspaces/index";

/**
 * Every versioned API route. Resources are mounted here as they arrive, e.g.
 * `v1.route("/tasks", tasks)` with `tasks` from `routes/v1/tasks/tasks.index.ts`.
 */
export const v1 = createRouter();
v1.route("/auth", auth);
v1.route("/me", me);
v1.route("/admin/ip-rules", ipRules);
v1.route("/workspaces", workspaces);
v1.route("/invitations", invitations);
v1.route("/attachments", attachments);
