import { sql, type SQL } from "drizzle-orm";
import { TASK_PRIORITIES } from "../../db/schema";
import { isoTime } from "../workspaces/sql";

// Projects and tasks as the API shows them, built by the statement that reads or writes them: the
// response, the audit row's before and after, and the event's payload are the same object.

/** A project as the API shows it, from the columns of `alias` (a table alias or a `with` clause). */
export function projectJson(alias: string): SQL {
  const p = (column: string) => sql`${sql.identifier(alias)}.${sql.identifier(column)}`;
  return sql`jsonb_build_object(
    'id', ${p("id")}, 'key', ${p("key")}, 'name', ${p("name")}, 'description', ${p("description")},
    'archived', ${p("archived_at")} is not null, 'archivedAt', ${time(p("archived_at"))},
    'createdBy', ${p("created_by")}, 'updatedBy', ${p("updated_by")},
    'createdAt', ${isoTime(p("created_at"))}, 'updatedAt', ${isoTime(p("updated_at"))}, 'deletedAt', ${time(p("deleted_at"))})`;
}

/** A task as the API shows it, from the columns of `alias` and its project's key. */
export function taskJson(alias: string, projectKey: SQL): SQL {
  const t = (column: string) => sql`${sql.identifier(alias)}.${sql.identifier(column)}`;
  const priorities = sql.raw(`array[${TASK_PRIORITIES.map((name) => `'${name}'`).join(", ")}]`);
  return sql`jsonb_build_object(
    'id', ${t("id")}, 'key', ${projectKey} || '-' || ${t("number")}, 'projectId', ${t("project_id")}, 'number', ${t("number")},
    'title', ${t("title")}, 'description', ${t("description")}, 'status', ${t("status")},
    'priority', (${priorities})[${t("priority")} + 1], 'assigneeId', ${t("assignee_id")}, 'labels', to_jsonb(${t("labels")}),
    'dueDate', ${t("due_date")}::text, 'position', ${t("position")},
    'createdBy', ${t("created_by")}, 'updatedBy', ${t("updated_by")},
    'createdAt', ${isoTime(t("created_at"))}, 'updatedAt', ${isoTime(t("updated_at"))}, 'deletedAt', ${time(t("deleted_at"))})`;
}

/** The project key of task `alias`, by its primary key (never a scan). */
export function projectKeyOf(alias: string): SQL {
  return sql`(select key from projects where projects.id = ${sql.identifier(alias)}.project_id)`;
}

function time(column: SQL): SQL {
  return sql`case when ${column} is null then null else ${isoTime(column)} end`;
}
