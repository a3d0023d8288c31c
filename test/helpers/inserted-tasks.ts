import { eq } from "drizzle-orm";
import { projects, tasks } from "../../src/db/schema";
import { newId } from "../../src/lib/ids";
import { db } from "./accounts";

// Tasks for the tests of what hangs off a task (comments, attachments), inserted straight into the
// database (not through the API), so those tests stand on their own.

/** A live task in a new project of `workspaceId`, created by `createdBy`; its id. */
export async function insertTask(workspaceId: string, createdBy: string): Promise<string> {
  const projectId = newId("project");
  const id = newId("task");
  const key = `P${crypto.randomUUID().replaceAll("-", "").slice(0, 6).toUpperCase()}`;
  await db.batch([
    db.insert(projects).values({ id: projectId, workspaceId, key, name: "Fixtures", nextTaskNumber: 2, createdBy, updatedBy: createdBy }),
    db.insert(tasks).values({ id, workspaceId, projectId, number: 1, title: "A task to hang things on", position: 1, createdBy, updatedBy: createdBy }),
  ]);
  return id;
}

/** Deletes task `taskId` softly, as the tasks service would. */
export async function deleteTask(taskId: string): Promise<void> {
  await db.update(tasks).set({ deletedAt: new Date() }).where(eq(tasks.id, taskId));
}
