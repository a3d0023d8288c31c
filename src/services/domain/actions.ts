/**
 * What happens to the domain's resources. Each is both an audit action and an event type: the
 * `events` row that notifications and webhooks read carries the same name.
 */
export const DOMAIN_ACTIONS = [
  "project.created",
  "project.updated",
  "project.archived",
  "project.unarchived",
  "project.deleted",
  "project.restored",
  "task.created",
  "task.updated",
  "task.deleted",
  "task.restored",
  "comment.added",
  "comment.updated",
  "comment.deleted",
  "comment.restored",
  "attachment.added",
  "attachment.deleted",
  "attachment.restored",
] as const;

export type DomainAction = (typeof DOMAIN_ACTIONS)[number];

export const DOMAIN_SUBJECT_TYPES = ["project", "task", "comment", "attachment"] as const;
export type DomainSubjectType = (typeof DOMAIN_SUBJECT_TYPES)[number];
