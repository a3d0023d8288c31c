import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { attachments, comments } from "../../../src/db/schema";
import { newId } from "../../../src/lib/ids";
import { db } from "../../helpers/accounts";
import { expectProblem } from "../../helpers/problem";
import { auditOf } from "../workspaces/requests";
import { addProject, addTask, domainApi, domainWorkspace, eventsOf, expectStatus, userAt, type Page, type TaskBody } from "./requests";

describe("tasks", () => {
  it("adds a task numbered in its project in one round trip, named by the project's key, with its audit row and event", async () => {
    const api = domainApi();
    const ws = await domainWorkspace(api.time);
    const { project } = await addProject(api, ws);
    const path = `${ws.projects}/${project.id}/tasks`;
    const body = { title: "Pricing page", labels: [" Front  End ", "front end", "UX"], priority: "high", dueDate: "2026-12-24", assigneeId: ws.viewer.id };
    const { response, roundTrips } = await api.counted(ws.member, "POST", path, body);
    const task = await expectStatus<TaskBody>(response, 201);
    expect(task).toMatchObject({ key: `${project.key}-1`, number: 1, title: "Pricing page", status: "todo", priority: "high", labels: ["front end", "ux"], dueDate: "2026-12-24", assigneeId: ws.viewer.id });
    expect(response.headers.get("ETag")).toMatch(new RegExp(`^"${task.id}\\.\\d+"$`));
    expect(roundTrips).toBe(2);
    const second = (await addTask(api, ws, project.id)).task;
    expect(second).toMatchObject({ key: `${project.key}-2`, number: 2 });
    expect(second.position).toBeGreaterThan(task.position);
    expect((await auditOf(ws.id)).map((row) => row.action)).toEqual(["project.created", "task.created", "task.created"]);
    expect((await eventsOf(ws.id)).at(1)).toMatchObject({ type: "task.created", subjectId: task.id, payload: task });
  });

  it("gives concurrent creations consecutive numbers, never one twice, and keeps numbers of deleted tasks", async () => {
    const api = domainApi();
    const ws = await domainWorkspace(api.time);
    const { project } = await addProject(api, ws);
    const first = (await addTask(api, ws, project.id)).task;
    expect((await api.send(ws.member, "DELETE", `${ws.tasks}/${first.id}`)).status).toBe(204);
    const created = await Promise.all(Array.from({ length: 8 }, (_, index) => addTask(api, ws, project.id, { title: `Task ${index}` })));
    expect(created.map(({ task }) => task.number).sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("refuses an assignee who is not a member, a task in an archived project, and another workspace's project", async () => {
    const api = domainApi();
    const ws = await domainWorkspace(api.time);
    const other = await domainWorkspace(api.time);
    const { project } = await addProject(api, ws);
    const stranger = await userAt(api.time);
    const path = `${ws.projects}/${project.id}/tasks`;
    await expectProblem(await api.send(ws.member, "POST", path, { title: "x", assigneeId: stranger.id }), { status: 400, code: "VALIDATION_FAILED" });
    const { task } = await addTask(api, ws, project.id);
    await expectProblem(await api.send(ws.member, "PATCH", `${ws.tasks}/${task.id}`, { assigneeId: stranger.id }), { status: 400, code: "VALIDATION_FAILED" });
    expect((await api.send(ws.member, "POST", `${ws.projects}/${project.id}/archive`)).status).toBe(200);
    await expectProblem(await api.send(ws.member, "POST", path, { title: "x" }), { status: 409, code: "CONFLICT" });
    await expectProblem(await api.send(other.member, "POST", `${other.projects}/${project.id}/tasks`, { title: "x" }), { status: 404, code: "NOT_FOUND" });
    // Nothing was numbered by the refusals but the one task.
    expect((await addTask(api, ws, (await addProject(api, ws)).project.id)).task.number).toBe(1);
  });

  it("reads a task by id and by key, cached: a warm read makes no round trip but the membership check", async () => {
    const api = domainApi();
    const ws = await domainWorkspace(api.time);
    const { project } = await addProject(api, ws);
    const { task, etag } = await addTask(api, ws, project.id);
    const cold = await api.counted(ws.viewer, "GET", `${ws.tasks}/${task.id}`);
    expect(await expectStatus<TaskBody>(cold.response, 200)).toEqual(task);
    expect(cold.response.headers.get("ETag")).toBe(etag);
    expect(cold.roundTrips).toBe(2);
    const warm = await api.counted(ws.viewer, "GET", `${ws.tasks}/${task.id}`);
    expect(await expectStatus<TaskBody>(warm.response, 200)).toEqual(task);
    expect(warm.response.headers.get("ETag")).toBe(etag);
    expect(warm.roundTrips).toBe(1);
    const byKey = await api.get(ws.viewer, `${ws.tasks}/${task.key}`);
    expect(await expectStatus<TaskBody>(byKey, 200)).toEqual(task);
    await expectProblem(await api.get(ws.viewer, `${ws.tasks}/${project.key}-99`), { status: 404, code: "NOT_FOUND" });
  });

  it("shows a change at once: the write invalidates the cached task before it answers", async () => {
    const api = domainApi();
    const ws = await domainWorkspace(api.time);
    const { project } = await addProject(api, ws);
    const { task } = await addTask(api, ws, project.id);
    await api.get(ws.viewer, `${ws.tasks}/${task.id}`);
    await api.get(ws.viewer, `${ws.tasks}/${task.key}`);
    const updated = await expectStatus<TaskBody>(await api.send(ws.member, "PATCH", `${ws.tasks}/${task.id}`, { status: "in_progress" }), 200);
    expect(await expectStatus<TaskBody>(await api.get(ws.viewer, `${ws.tasks}/${task.id}`), 200)).toEqual(updated);
    expect(await expectStatus<TaskBody>(await api.get(ws.viewer, `${ws.tasks}/${task.key}`), 200)).toEqual(updated);
    expect((await api.send(ws.member, "DELETE", `${ws.tasks}/${task.id}`)).status).toBe(204);
    await expectProblem(await api.get(ws.viewer, `${ws.tasks}/${task.id}`), { status: 404, code: "NOT_FOUND" });
  });

  it("updates every field in one round trip, and writes nothing when nothing changes", async () => {
    const api = domainApi();
    const ws = await domainWorkspace(api.time);
    const { project } = await addProject(api, ws);
    const { task, etag } = await addTask(api, ws, project.id);
    const changes = { title: "New", description: "Words", status: "done", priority: "urgent", assigneeId: ws.member.id, labels: ["Bug"], dueDate: "2027-01-01", position: 5.5 };
    const { response, roundTrips } = await api.counted(ws.member, "PATCH", `${ws.tasks}/${task.id}`, changes, { "If-Match": etag });
    expect(await expectStatus<TaskBody>(response, 200)).toMatchObject({ ...changes, labels: ["bug"] });
    expect(roundTrips).toBe(2);
    const again = await api.send(ws.member, "PATCH", `${ws.tasks}/${task.id}`, { status: "done" });
    expect(again.headers.get("ETag")).toBe(response.headers.get("ETag"));
    expect((await auditOf(ws.id)).filter((row) => row.action === "task.updated")).toHaveLength(1);
  });

  it("lets exactly one of two concurrent updates with the same ETag win; the other is 412", async () => {
    const api = domainApi();
    const ws = await domainWorkspace(api.time);
    const { project } = await addProject(api, ws);
    const { task, etag } = await addTask(api, ws, project.id);
    // The clock stands still: the versions still differ, as each write moves updated_at on by at least a microsecond.
    const [one, two] = await Promise.all(
      ["First", "Second"].map((title) => api.send(ws.member, "PATCH", `${ws.tasks}/${task.id}`, { title }, { "If-Match": etag })),
    );
    expect([one!.status, two!.status].sort()).toEqual([200, 412]);
    const winner = one!.status === 200 ? "First" : "Second";
    expect(await expectStatus<TaskBody>(await api.get(ws.member, `${ws.tasks}/${task.id}`), 200)).toMatchObject({ title: winner });
    expect((await auditOf(ws.id)).filter((row) => row.action === "task.updated")).toHaveLength(1);
    // A weak tag, another resource's tag and garbage never match.
    for (const ifMatch of [`W/${etag}`, etag.replace(task.id, newId("task")), "nonsense"]) {
      await expectProblem(await api.send(ws.member, "DELETE", `${ws.tasks}/${task.id}`, undefined, { "If-Match": ifMatch }), { status: 412, code: "PRECONDITION_FAILED" });
    }
    expect((await api.send(ws.member, "DELETE", `${ws.tasks}/${task.id}`, undefined, { "If-Match": "*" })).status).toBe(204);
  });

  it("deletes a task with its comments and attachments in one round trip, and restores them for admins to see", async () => {
    const api = domainApi();
    const ws = await domainWorkspace(api.time);
    const { project } = await addProject(api, ws);
    const { task } = await addTask(api, ws, project.id);
    const earlier = new Date(Date.now() - 60_000);
    const by = ws.member.id;
    await db.insert(comments).values([
      { id: newId("comment"), workspaceId: ws.id, taskId: task.id, body: "live", createdBy: by, updatedBy: by },
      { id: newId("comment"), workspaceId: ws.id, taskId: task.id, body: "gone before", createdBy: by, updatedBy: by, deletedAt: earlier },
    ]);
    await db.insert(attachments).values({ id: newId("attachment"), workspaceId: ws.id, taskId: task.id, objectKey: crypto.randomUUID(), fileName: "a.png", contentType: "image/png", size: 1, createdBy: by, updatedBy: by });
    const { response, roundTrips } = await api.counted(ws.member, "DELETE", `${ws.tasks}/${task.id}`);
    expect(response.status).toBe(204);
    expect(roundTrips).toBe(2);
    const live = async () => ({
      comments: (await db.select().from(comments).where(and(eq(comments.taskId, task.id)))).filter((row) => !row.deletedAt).map((row) => row.body),
      attachments: (await db.select().from(attachments).where(eq(attachments.taskId, task.id))).filter((row) => !row.deletedAt).length,
    });
    expect(await live()).toEqual({ comments: [], attachments: 0 });
    await expectProblem(await api.get(ws.member, `${ws.tasks}/deleted`), { status: 403, code: "FORBIDDEN" });
    const deleted = await expectStatus<Page<TaskBody>>(await api.get(ws.admin, `${ws.tasks}/deleted`), 200);
    expect(deleted.items.map((item) => item.id)).toEqual([task.id]);
    expect(await expectStatus<TaskBody>(await api.send(ws.member, "POST", `${ws.tasks}/${task.id}/restore`), 200)).toMatchObject({ id: task.id, deletedAt: null });
    expect(await live()).toEqual({ comments: ["live"], attachments: 1 });
    expect((await auditOf(ws.id)).map((row) => row.action)).toEqual(["project.created", "task.created", "task.deleted", "task.restored"]);
  });

  it("deletes a project's tasks with it and brings them back with it, but not a task deleted before", async () => {
    const api = domainApi();
    const ws = await domainWorkspace(api.time);
    const { project } = await addProject(api, ws);
    const [kept, gone] = [(await addTask(api, ws, project.id)).task, (await addTask(api, ws, project.id)).task];
    expect((await api.send(ws.member, "DELETE", `${ws.tasks}/${gone.id}`)).status).toBe(204);
    expect((await api.send(ws.member, "DELETE", `${ws.projects}/${project.id}`)).status).toBe(204);
    await expectProblem(await api.get(ws.member, `${ws.tasks}/${kept.id}`), { status: 404, code: "NOT_FOUND" });
    await expectProblem(await api.send(ws.member, "POST", `${ws.tasks}/${kept.id}/restore`), { status: 409, code: "CONFLICT" });
    expect((await api.send(ws.member, "POST", `${ws.projects}/${project.id}/restore`)).status).toBe(200);
    expect((await api.get(ws.member, `${ws.tasks}/${kept.id}`)).status).toBe(200);
    await expectProblem(await api.get(ws.member, `${ws.tasks}/${gone.id}`), { status: 404, code: "NOT_FOUND" });
  });
});
