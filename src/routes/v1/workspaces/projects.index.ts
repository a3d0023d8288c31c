import { createRouter } from "../../../lib/create-router";
import * as handlers from "./projects.handlers";
import * as routes from "./projects.routes";

/**
 * Routes under `/v1/workspaces`; mounted by ./index.ts. A workspace's projects. The list of deleted
 * ones comes before `{projectId}`, which would otherwise take `deleted` for an id.
 */
export const projectsRoutes = createRouter()
  .openapi(routes.listProjects, handlers.listProjects)
  .openapi(routes.createProject, handlers.createProject)
  .openapi(routes.listDeletedProjects, handlers.listDeletedProjects)
  .openapi(routes.getProject, handlers.getProject)
  .openapi(routes.updateProject, handlers.updateProject)
  .openapi(routes.archiveProject, handlers.archiveProject)
  .openapi(routes.unarchiveProject, handlers.unarchiveProject)
  .openapi(routes.restoreProject, handlers.restoreProject)
  .openapi(routes.deleteProject, handlers.deleteProject);
