import { z } from "zod";
import type { Cache, CacheReadOptions } from "../../lib/cache";
import type { DomainPage } from "./domain-deps";
import { ProjectData, TaskData, type Project, type Task, type Versioned } from "./resource-types";

/**
 * How long Redis serves a project or a task. Every write invalidates first; this bounds how long a
 * value outlives a change whose invalidation Redis did not take.
 */
export const RESOURCE_CACHE_TTL_SECONDS = 300;

/**
 * A workspace's cached projects, and its cached tasks: one family each, so a write invalidates with
 * one INCR, also when it changes many rows (deleting a project deletes its tasks). The workspace in
 * the family keeps tenants apart whatever id is asked for.
 */
export const projectsFamily = (workspaceId: string) => `projects:${workspaceId}`;
export const tasksFamily = (workspaceId: string) => `tasks:${workspaceId}`;

function versioned<T>(schema: z.ZodType<T>): CacheReadOptions<Versioned<T>> {
  const stored = z.object({ value: schema, version: z.string().regex(/^\d{1,20}$/) }).strict();
  // Not the isolate tier: another isolate would not hear of a change.
  return { ttlSeconds: RESOURCE_CACHE_TTL_SECONDS, tiers: ["redis"], decode: (json) => stored.parse(json) as Versioned<T> };
}

export const PROJECT_CACHING = versioned<Project>(ProjectData);
export const TASK_CACHING = versioned<Task>(TaskData);

function paged<T>(schema: z.ZodType<T>): CacheReadOptions<DomainPage<T>> {
  const stored = z.object({ items: z.array(schema), nextCursor: z.string().nullable() }).strict();
  return { ttlSeconds: RESOURCE_CACHE_TTL_SECONDS, tiers: ["redis"], decode: (json) => stored.parse(json) as DomainPage<T> };
}

/**
 * First pages of common lists, kept in the same family as the workspace's single projects or tasks:
 * the family's version is part of every key, and every write that changes a project or a task moves
 * it on before answering, so the next read misses. The page is the same for everyone who may read
 * the list (the route checks that before the cache is asked), and its cursor is bound to the list,
 * not to a caller.
 */
export const PROJECT_PAGE_CACHING = paged<Project>(ProjectData);
export const TASK_PAGE_CACHING = paged<Task>(TaskData);

/**
 * Drops the workspace's cached projects and, for a write that changed tasks too (deleting or restoring
 * a project), its cached tasks; call it after the write, before answering.
 */
export async function forgetProjects(cache: Cache, workspaceId: string, options: { withTasks: boolean }): Promise<void> {
  await Promise.all([cache.invalidate(projectsFamily(workspaceId)), options.withTasks && cache.invalidate(tasksFamily(workspaceId))]);
}

/** Drops the workspace's cached tasks; call it after a write, before answering. */
export function forgetTasks(cache: Cache, workspaceId: string): Promise<void> {
  return cache.invalidate(tasksFamily(workspaceId));
}
