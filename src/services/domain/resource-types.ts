import { z } from "zod";
import { TASK_PRIORITIES, TASK_STATUSES } from "../../db/schema";

// The resources as the API shows them, declared once: the routes' response schemas (domain.schemas.ts)
// are these with their documentation added, and the cache decodes stored values with them.

/** A project as the API shows it (see `projectJson`). */
export const ProjectData = z
  .object({
    id: z.string(),
    key: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    archived: z.boolean(),
    archivedAt: z.iso.datetime().nullable(),
    createdBy: z.string(),
    updatedBy: z.string(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    deletedAt: z.iso.datetime().nullable(),
  })
  .strict();
export type Project = z.infer<typeof ProjectData>;

/** A task as the API shows it (see `taskJson`). */
export const TaskData = z
  .object({
    id: z.string(),
    key: z.string(),
    projectId: z.string(),
    number: z.number().int(),
    title: z.string(),
    description: z.string().nullable(),
    status: z.enum(TASK_STATUSES),
    priority: z.enum(TASK_PRIORITIES),
    assigneeId: z.string().nullable(),
    labels: z.array(z.string()),
    dueDate: z.iso.date().nullable(),
    position: z.number(),
    createdBy: z.string(),
    updatedBy: z.string(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    deletedAt: z.iso.datetime().nullable(),
  })
  .strict();
export type Task = z.infer<typeof TaskData>;

/** A resource with its version, from which its ETag is made. */
export interface Versioned<T> {
  value: T;
  version: string;
}
