import type { AppRouteHandler } from "../../../lib/create-router";
import { ifMatchVersions } from "../../../lib/http/version-tags";
import { requestMeta, type RequestMeta } from "../../../lib/request-meta";
import type { DomainDeps } from "../../../services/domain/domain-deps";
import type { Project, Versioned } from "../../../services/domain/resource-types";
import type { ExpectedVersions } from "../../../services/domain/versions";
import type { WorkspaceAccess } from "../../../services/workspaces/access";
import { listDeletedProjects as listDeleted, listProjects as list } from "../../../services/domain/project-lists";
import * as service from "../../../services/domain/projects";
import { domainDeps, listCursors, tagged } from "./domain.context";
import type {
  CreateProjectRoute,
  DeleteProjectRoute,
  GetProjectRoute,
  ListDeletedProjectsRoute,
  ListProjectsRoute,
  ProjectTransitionRoute,
  UpdateProjectRoute,
} from "./projects.routes";
import { currentWorkspace } from "./workspaces.context";

export const listProjects: AppRouteHandler<ListProjectsRoute> = async (c) => {
  const { cursor, limit, sort, order, archived } = c.req.valid("query");
  const page = await list(domainDeps(c), currentWorkspace(c), { cursor, limit, sort, order, archived }, await listCursors(c));
  return c.json(page, 200);
};

export const createProject: AppRouteHandler<CreateProjectRoute> = async (c) => {
  const { key, name, description } = c.req.valid("json");
  const project = await service.createProject(domainDeps(c), currentWorkspace(c), { key, name, description }, requestMeta(c));
  return c.json(tagged(c, project), 201);
};

export const listDeletedProjects: AppRouteHandler<ListDeletedProjectsRoute> = async (c) => {
  const { cursor, limit } = c.req.valid("query");
  return c.json(await listDeleted(domainDeps(c), currentWorkspace(c), { cursor, limit }, await listCursors(c)), 200);
};

export const getProject: AppRouteHandler<GetProjectRoute> = async (c) => {
  const project = await service.readProject(domainDeps(c), currentWorkspace(c), c.req.valid("param").projectId);
  return c.json(tagged(c, project), 200);
};

export const updateProject: AppRouteHandler<UpdateProjectRoute> = async (c) => {
  const { projectId } = c.req.valid("param");
  const { name, description } = c.req.valid("json");
  const expected = ifMatchVersions(c.req.valid("header")["if-match"], projectId);
  const project = await service.updateProject(domainDeps(c), currentWorkspace(c), projectId, { name, description }, expected, requestMeta(c));
  return c.json(tagged(c, project), 200);
};

type Transition = (deps: DomainDeps, access: WorkspaceAccess, projectId: string, expected: ExpectedVersions, meta: RequestMeta) => Promise<Versioned<Project>>;

function transition(apply: Transition): AppRouteHandler<ProjectTransitionRoute> {
  return async (c) => {
    const { projectId } = c.req.valid("param");
    const expected = ifMatchVersions(c.req.valid("header")["if-match"], projectId);
    return c.json(tagged(c, await apply(domainDeps(c), currentWorkspace(c), projectId, expected, requestMeta(c))), 200);
  };
}

export const archiveProject = transition((deps, access, id, expected, meta) => service.setProjectArchived(deps, access, id, true, expected, meta));
export const unarchiveProject = transition((deps, access, id, expected, meta) => service.setProjectArchived(deps, access, id, false, expected, meta));
export const restoreProject = transition(service.restoreProject);

export const deleteProject: AppRouteHandler<DeleteProjectRoute> = async (c) => {
  const { projectId } = c.req.valid("param");
  await service.deleteProject(domainDeps(c), currentWorkspace(c), projectId, ifMatchVersions(c.req.valid("header")["if-match"], projectId), requestMeta(c));
  return c.body(null, 204);
};
