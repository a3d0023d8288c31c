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
import { workspacesRoutes } from "./workspaces.index";

/**
 * `/v1/workspaces`: the workspaces and everything in them. A signed-in user or one of the workspace's
 * API keys may call; routes inside a workspace are made with `workspaceRoute` (membership and
 * permission checked), and what a key may never do adds `requireUser()`.
 */
export const workspaces = createRouter();
workspaces.use("*", authenticate({ apiKeys: true }));
workspaces.route("/", workspacesRoutes);
workspaces.route("/", membersRoutes);
workspaces.route("/", rolesRoutes);
workspaces.route("/", auditRoutes);
workspaces.route("/", invitationsRoutes);
workspaces.route("/", apiKeysRoutes);
workspaces.route("/", projectsRoutes);
workspaces.route("/", tasksRoutes);
workspaces.route("/", commentsRoutes);
workspaces.route("/", attachmentsRoutes);
