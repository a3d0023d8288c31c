import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { projects, tasks } from "../../../src/db/schema";
import { db } from "../../helpers/accounts";
import { expectProblem } from "../../helpers/problem";
import { auditOf } from "../workspaces/requests";
import { addProject, addTask, domainApi, domainWorkspace, eventsOf, expectStatus, userAt, type DomainApi, type DomainWorkspace, type TaskBody } from "./requests";

interface BulkBody {
  items: Array<{ op: string; task: TaskBody; etag: string }>;
}

/** A project with `count` tasks made through the API; the project and the tasks with their ETags. */
async function projectWithTasks(api: DomainApi, ws: DomainWorkspace, count: number) {
  const { project } = await addProject(api, ws);
  const made = [];
  for (let index = 0; index < count; index++) made.push(await addTask(api, ws, project.id, { title: `Task ${index}` }));
  return { project, made };
}

/** What a refused request must leave as it was: the workspace's tasks, audit rows, events and task numbers. */
async function state(ws: DomainWorkspace) {
  const [taskRows, audit, events, numbers] = await Promise.all([
    db.select().from(tasks).where(eq(tasks.workspaceId, ws.id)).orderBy(tasks.id),
    auditOf(ws.id),
    eventsOf(ws.id),
    db.select({ id: projects.id, next: projects.nextTaskNumber }).from(projects).where(eq(projects.workspaceId, ws.id)).orderBy(projects.id),
  ]);
  return { taskRows, audit: audit.length, events: events.length, numbers };
}

describe("bulk task changes", () => {
  it("creates, updates and deletes 100 tasks in one database round trip, each audited with its event", async () => {
    const api = domainApi();
    const ws = await domainWorkspace(api.time);
    const { project, made } = await projectWithTasks(api, ws, 20);
    const body = {
      items: [
        ...Array.from({ length: 60 }, (_, index) => ({ op: "create", projectId: project.id, title: `New ${index}`, labels: ["Bulk"] })),
        ...made.slice(0, 10).map(({ task, etag }) => ({ op: "update", id: task.id, ifMatch: etag, status: "done", assigneeId: ws.member.id })),
        ...made.slice(10, 20).map(({ task, etag }) => ({ op: "delete", id: task.id, ifMatch: etag })),
        ...Array.from({ length: 20 }, (_, index) => ({ op: "create", projectId: project.id, title: `More ${index}` })),
      ],
    };
    expect(body.items).toHaveLength(100);
    const auditBefore = (await auditOf(ws.id)).length;
    const { response, roundTrips } = await api.counted(ws.member, "POST", `${ws.tasks}/bulk`, body);
    const result = await expectStatus<BulkBody>(response, 200);
    // The membership check, then the one batch.
    expect(roundTrips).toBe(2);
    expect(result.items.map((item) => item.op)).toEqual(body.items.map((item) => item.op));
    const numbers = result.items.filter((item) => item.op === "create").map((item) => item.task.number);
    expect(numbers).toEqual(Array.from({ length: 80 }, (_, index) => 21 + index));
    expect(result.items[0]!.task).toMatchObject({ title: "New 0", labels: ["bulk"] });
    expect(result.items[60]!.task).toMatchObject({ status: "done", assigneeId: ws.member.id });
    expect(result.items[60]!.etag).toMatch(new RegExp(`^"${made[0]!.task.id}\\.\\d+"$`));
    expect(result.items[60]!.etag).not.toBe(made[0]!.etag);
    expect((await auditOf(ws.id)).length - auditBefore).toBe(100);
    const deleted = await db.select().from(tasks).where(eq(tasks.id, made[15]!.task.id));
    expect(deleted[0]!.deletedAt).not.toBeNull();
  });

  it("refuses all when one item is refused, names each refused item by index, and writes nothing", async () => {
    const api = domainApi();
    const ws = await domainWorkspace(api.time);
    const { project, made } = await projectWithTasks(api, ws, 3);
    const stranger = await userAt(api.time);
    const other = await domainWorkspace(api.time);
    const foreign = (await projectWithTasks(api, other, 1)).made[0]!.task;
    await api.send(ws.member, "PATCH", `${ws.tasks}/${made[1]!.task.id}`, { title: "Moved on" });
    const before = await state(ws);
    const items = [
      { op: "create", projectId: project.id, title: "Fine" },
      { op: "update", id: made[0]!.task.id, ifMatch: made[0]!.etag, title: "Fine too" },
      { op: "update", id: made[1]!.task.id, ifMatch: made[1]!.etag, title: "Stale" },
      { op: "create", projectId: project.id, title: "Bad assignee", assigneeId: stranger.id },
      { op: "delete", id: foreign.id },
    ];
    const problem = await expectProblem(await api.send(ws.member, "POST", `${ws.tasks}/bulk`, { items }), { status: 400, code: "VALIDATION_FAILED" });
    expect(problem.errors).toEqual([
      expect.objectContaining({ path: "items.2.ifMatch", code: "stale" }),
      expect.objectContaining({ path: "items.3.assigneeId", code: "not_member" }),
      expect.objectContaining({ path: "items.4.id", code: "not_found" }),
    ]);
    expect(await state(ws)).toEqual(before);
    // Stale versions alone: 412.
    await expectProblem(await api.send(ws.member, "POST", `${ws.tasks}/bulk`, { items: items.slice(0, 3) }), { status: 412, code: "PRECONDITION_FAILED" });
    expect(await state(ws)).toEqual(before);
  });

  it("reports invalid items by index before touching the database, and refuses more than 100 or a task named twice", async () => {
    const api = domainApi();
    const ws = await domainWorkspace(api.time);
    const { project, made } = await projectWithTasks(api, ws, 1);
    const ok = { op: "create", projectId: project.id, title: "Fine" };
    const invalid = await expectProblem(await api.send(ws.member, "POST", `${ws.tasks}/bulk`, { items: [ok, ok, ok, { ...ok, title: "x".repeat(201) }] }), { status: 400, code: "VALIDATION_FAILED" });
    expect(invalid.errors?.map((error) => error.path)).toEqual(["items.3.title"]);
    await expectProblem(await api.send(ws.member, "POST", `${ws.tasks}/bulk`, { items: Array.from({ length: 101 }, () => ok) }), { status: 400, code: "VALIDATION_FAILED" });
    const twice = { op: "delete", id: made[0]!.task.id };
    await expectProblem(await api.send(ws.member, "POST", `${ws.tasks}/bulk`, { items: [twice, twice] }), { status: 400, code: "VALIDATION_FAILED" });
    expect((await api.send(ws.member, "POST", `${ws.projects}/${project.id}/archive`)).status).toBe(200);
    const archived = await expectProblem(await api.send(ws.member, "POST", `${ws.tasks}/bulk`, { items: [ok] }), { status: 400, code: "VALIDATION_FAILED" });
    expect(archived.errors).toEqual([expect.objectContaining({ path: "items.0.projectId", code: "project_archived" })]);
  });
});
