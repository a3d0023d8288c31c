import { describe, expect, it } from "vitest";
import { newId } from "../../../src/lib/ids";
import { comments } from "../../../src/db/schema";
import { db } from "../../helpers/accounts";
import { expectProblem } from "../../helpers/problem";
import { addProject, addTask, domainApi, insertTasks, domainWorkspace, expectStatus, type DomainApi, type DomainWorkspace, type Page, type TaskBody } from "./requests";

/** Every item of a list, walked `limit` at a time; `between` runs before each page after the first. */
async function walk(api: DomainApi, ws: DomainWorkspace, query: string, limit: number, between: () => Promise<unknown> = async () => {}) {
  const seen: TaskBody[] = [];
  let cursor: string | null = null;
  do {
    if (cursor) await between();
    const page: Page<TaskBody> = await expectStatus<Page<TaskBody>>(await api.get(ws.viewer, `${ws.tasks}?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`), 200);
    seen.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return seen;
}

/**
 * Six tasks in two projects, numbered 1-4 in the first and 1-2 in the second (keys `A-n`, `B-n`),
 * made a second apart, with statuses, priorities, due dates, labels, assignees and positions to sort
 * and filter by.
 */
async function board() {
  const api = domainApi();
  const ws = await domainWorkspace(api.time);
  const [a, b] = [(await addProject(api, ws, { key: `A${crypto.randomUUID().slice(0, 4).replace(/\d/g, "Q").toUpperCase()}` })).project, (await addProject(api, ws)).project];
  const specs: Array<[string, Record<string, unknown>]> = [
    [a.id, { title: "Pricing page", status: "todo", priority: "high", dueDate: "2026-12-10", labels: ["web"], position: 30, assigneeId: ws.member.id }],
    [a.id, { title: "Signup form", description: "The pricing tiers link here", status: "done", priority: "low", labels: ["web", "forms"], position: 10 }],
    [a.id, { title: "Invoices", status: "in_progress", priority: "urgent", dueDate: "2026-12-01", position: 20, assigneeId: ws.member.id }],
    [a.id, { title: "Dark mode", status: "todo", priority: "high", dueDate: "2026-12-20", labels: ["ux"], position: 40 }],
    [b.id, { title: "Rotate keys", status: "done", priority: "none" }],
    [b.id, { title: "Backups", status: "todo", priority: "medium", dueDate: "2026-12-01" }],
  ];
  const tasks: TaskBody[] = [];
  for (const [projectId, spec] of specs) {
    api.time.advance(1000);
    tasks.push((await addTask(api, ws, projectId, spec)).task);
  }
  const name = (task: TaskBody) => `${task.projectId === a.id ? "A" : "B"}${task.number}`;
  const byName = Object.fromEntries(tasks.map((task) => [name(task), task])) as Record<string, TaskBody>;
  const names = async (query: string) => (await expectStatus<Page<TaskBody>>(await api.get(ws.viewer, `${ws.tasks}?${query}`), 200)).items.map(name);
  return { api, ws, a, b, tasks, byName, names };
}

describe("the task list", () => {
  it("sorts by each field, ascending and descending, with id breaking ties", async () => {
    const { names, byName, a } = await board();
    expect(await names("")).toEqual(["A1", "A2", "A3", "A4", "B1", "B2"]);
    expect(await names("sort=created&order=desc")).toEqual(["B2", "B1", "A4", "A3", "A2", "A1"]);
    // Due dates ascending, tasks without one last; B2 and A3 share a date, so id decides.
    const tied = [byName.A3!, byName.B2!].sort((x, y) => (x.id < y.id ? -1 : 1)).map((task) => (task === byName.A3 ? "A3" : "B2"));
    expect(await names("sort=due")).toEqual([...tied, "A1", "A4", ...["A2", "B1"].sort((x, y) => (byName[x]!.id < byName[y]!.id ? -1 : 1))]);
    expect(await names("sort=due&order=desc")).toEqual([...["A2", "B1"].sort((x, y) => (byName[x]!.id < byName[y]!.id ? 1 : -1)), "A4", "A1", ...[...tied].reverse()]);
    const highs = ["A1", "A4"].sort((x, y) => (byName[x]!.id < byName[y]!.id ? 1 : -1));
    expect(await names("sort=priority&order=desc")).toEqual(["A3", ...highs, "B2", "A2", "B1"]);
    expect(await names(`sort=position&project=${a.id}`)).toEqual(["A2", "A3", "A1", "A4"]);
    expect(await names(`sort=position&order=desc&project=${a.id}`)).toEqual(["A4", "A1", "A3", "A2"]);
  });

  it("sorts by updated time: a change moves a task to the end", async () => {
    const { api, ws, names, byName } = await board();
    api.time.advance(1000);
    expect((await api.send(ws.member, "PATCH", `${ws.tasks}/${byName.A2!.id}`, { title: "Signup" })).status).toBe(200);
    expect((await names("sort=updated")).at(-1)).toBe("A2");
    expect((await names("sort=updated&order=desc"))[0]).toBe("A2");
  });

  it("filters by status, assignee, label, project, due dates and update time, together", async () => {
    const { api, ws, names, b, byName } = await board();
    expect(await names("status=done")).toEqual(["A2", "B1"]);
    expect(await names("status=todo,in_progress")).toEqual(["A1", "A3", "A4", "B2"]);
    expect(await names(`assignee=${ws.member.id}`)).toEqual(["A1", "A3"]);
    expect(await names("label=WEB")).toEqual(["A1", "A2"]);
    expect(await names(`project=${b.id}`)).toEqual(["B1", "B2"]);
    expect(await names("dueBefore=2026-12-10")).toEqual(["A3", "B2"]);
    expect(await names("dueAfter=2026-12-01")).toEqual(["A1", "A4"]);
    expect(await names("dueAfter=2026-12-01&dueBefore=2026-12-20")).toEqual(["A1"]);
    expect(await names(`status=todo&label=web&assignee=${ws.member.id}`)).toEqual(["A1"]);
    api.time.advance(60_000);
    const since = new Date(api.time.clock()).toISOString();
    expect((await api.send(ws.member, "PATCH", `${ws.tasks}/${byName.B1!.id}`, { status: "todo" })).status).toBe(200);
    expect(await names(`updatedSince=${since}`)).toEqual(["B1"]);
  });

  it("searches titles, descriptions and comments, best match first, and combines search with filters", async () => {
    const { ws, names, byName } = await board();
    // A1's title says pricing (weight A), A2's description (weight B).
    expect(await names("q=pricing")).toEqual(["A1", "A2"]);
    await db.insert(comments).values({ id: newId("comment"), workspaceId: ws.id, taskId: byName.B2!.id, body: "Nightly backups need pricing from the vendor", createdBy: ws.member.id, updatedBy: ws.member.id });
    expect(await names("q=vendor")).toEqual(["B2"]);
    expect((await names("q=pricing")).sort()).toEqual(["A1", "A2", "B2"]);
    expect(await names("q=pricing&status=done")).toEqual(["A2"]);
    expect(await names("q=pricing -tiers")).toEqual(expect.not.arrayContaining(["A2"]));
    expect(await names("q=pricing&sort=created&order=desc")).toEqual(["B2", "A2", "A1"]);
    expect(await names("q=nothingmatchesthis")).toEqual([]);
  });

  it("walks every page in order with signed cursors bound to the list's filters", async () => {
    const { api, ws, tasks } = await board();
    const all = await walk(api, ws, "sort=created", 4);
    expect(all.map((task) => task.id)).toEqual(tasks.map((task) => task.id));
    const first = await expectStatus<Page<TaskBody>>(await api.get(ws.viewer, `${ws.tasks}?limit=2`), 200);
    const cursor = first.nextCursor!;
    // One character changed anywhere, another filter or another order: 400.
    const flipped = `${cursor.slice(0, 5)}${cursor[5] === "A" ? "B" : "A"}${cursor.slice(6)}`;
    for (const query of [`cursor=${flipped}`, `cursor=${cursor}&status=done`, `cursor=${cursor}&order=desc`, "cursor=not-a-cursor"]) {
      await expectProblem(await api.get(ws.viewer, `${ws.tasks}?limit=2&${query}`), { status: 400, code: "VALIDATION_FAILED" });
    }
  });

  it("sees every task that existed when a walk began exactly once while tasks are added between and during pages", async () => {
    const { api, ws, a, b } = await board();
    await insertTasks(ws, b.id, 10);
    const before = await walk(api, ws, "sort=created", 100);
    expect(before).toHaveLength(16);
    for (const query of ["sort=created", "sort=created&order=desc", "sort=due", "sort=due&order=desc", "sort=priority", "sort=updated&order=desc"]) {
      const inserting = () => Promise.all([addTask(api, ws, a.id, { dueDate: "2026-12-15", priority: "medium" }), addTask(api, ws, b.id, { priority: "medium" })]);
      const seen = await walk(api, ws, query, 6, inserting);
      const ids = seen.map((task) => task.id);
      expect(new Set(ids).size, query).toBe(ids.length);
      for (const task of before) expect(ids, `${query}: ${task.key}`).toContain(task.id);
    }
  }, 60_000);

  it("clamps the limit and refuses sorts that need what is missing", async () => {
    const { api, ws, a } = await board();
    await insertTasks(ws, a.id, 100);
    expect((await expectStatus<Page<TaskBody>>(await api.get(ws.viewer, `${ws.tasks}?limit=1000`), 200)).items).toHaveLength(100);
    expect((await expectStatus<Page<TaskBody>>(await api.get(ws.viewer, ws.tasks), 200)).items).toHaveLength(50);
    expect((await expectStatus<Page<TaskBody>>(await api.get(ws.viewer, `${ws.tasks}?limit=0`), 200)).items).toHaveLength(1);
    await expectProblem(await api.get(ws.viewer, `${ws.tasks}?sort=position`), { status: 400, code: "VALIDATION_FAILED" });
    await expectProblem(await api.get(ws.viewer, `${ws.tasks}?sort=relevance`), { status: 400, code: "VALIDATION_FAILED" });
    await expectProblem(await api.get(ws.viewer, `${ws.tasks}?status=open`), { status: 400, code: "VALIDATION_FAILED" });
  });
});
