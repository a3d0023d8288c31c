import { createRouter } from "../../../lib/create-router";
import { authenticate } from "../../../middleware/authenticate";
import { apiKeysRoutes } from "./api-keys.index";
import { attachmentsRoutes } from "./attachments.index";
import { auditRoutes } from "./audit.index";
import { commentsRoutes } from "./comments.index";
import { invitationsRoutes } from "./invitations.index";
import { membersRoutes } from "./members.index";
import { projectsRoutes } from "./projects.index";
import { rolesRoutes } from "./roles.index";
import { tasksRoutes } from "./tasks.index";
import { webhookEndpointsRoutes } from "./webhook-endpoints.index";
import { webhookSourcesRoutes } from "./webhook-sources.index";
import { workspacesRoutes } from "./workspaces.index";

const router = createRouter();
router.use("*", authenticate({ apiKeys: true }));
/**
 * `/v1/workspaces`: the workspaces and everything in them. A signed-in user or one of the workspace's
 * API keys may call; routes inside a workspace are made with `workspaceRoute` (membership and
 * permission checked), and what a key may never do adds `requireUser()`.
 */
export const workspaces = router
  .route("/", workspacesRoutes)
  .route("/", membersRoutes)
  .route("/", rolesRoutes)
  .route("/", auditRoutes)
  .route("/", invitationsRoutes)
  .route("/", apiKeysRoutes)
  .route("/", projectsRoutes)
  .route("/", tasksRoutes)
  .route("/", commentsRoutes)
  .route("/", attachmentsRoutes)
  .route("/", webhookEndpointsRoutes)
  .route("/", webhookSourcesRoutes);
