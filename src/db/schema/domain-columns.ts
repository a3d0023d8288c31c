import { customType, text } from "drizzle-orm/pg-core";
import { workspaces } from "./workspaces";

/** A PostgreSQL `tsvector`, for generated full-text search columns. Never selected into a response. */
export const tsvector = customType<{ data: string }>({
  dataType() {
    return "tsvector";
  },
});

/**
 * Who created and last changed a row: a user id (`usr_…`) or an API key id (`key_…`). Plain text, no
 * foreign key: the record outlives the account or key it names.
 */
export const authorship = {
  createdBy: text().notNull(),
  updatedBy: text().notNull(),
};

/**
 * The workspace a row belongs to: required, and gone with the workspace when it is purged. A function,
 * as every table needs a column builder of its own.
 * @example export const tasks = pgTable("tasks", { id: text().primaryKey(), workspaceId: workspaceColumn(), … })
 */
export function workspaceColumn() {
  return text()
    .notNull()
    .references(() => workspaces.id, { onDelete: "cascade" });
}
