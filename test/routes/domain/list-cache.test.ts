import { describe, expect, it } from "vitest";
import { addProject, addTask, domainApi, domainWorkspace, expectStatus, type Page, type ProjectBody, type TaskBody } from "./requests";
import { expectProblem } from "../../helpers/problem";

describe("the first page of common lists, cached", () => {
  it("serves the first page of the task list from the cache: no round trip but the caller's access check", async () => {
    const api = domainApi();
    const ws = await domainWorkspace(api.time);
    const { project } = await addProject(api, ws);
    const tasks = [(await addTask(api, ws, project.id)).task, (await addTask(api, ws, project.id)).task];
    const cold = await api.counted(ws.viewer, "GET", ws.tasks);
    expect((await expectStatus<Page<TaskBody>>(cold.response, 200)).items).toEqual(tasks);
    expect(cold.roundTrips).toBe(2);
    const warm = await api.counted(ws.member, "GET", ws.tasks);
    expect(await expectStatus<Page<TaskBody>>(warm.response, 200)).toEqual({ items: tasks, nextCursor: null });
    expect(warm.roundTrips).toBe(1);
    // One project's board, too.
    const board = `${ws.tasks}?project=${project.id}&sort=position`;
    expect((await api.counted(ws.viewer, "GET", board)).roundTrips).toBe(2);
    const warmBoard = await api.counted(ws.viewer, "GET", board);
    expect((await expectStatus<Page<TaskBody>>(warmBoard.response, 200)).items).toEqual(tasks);
    expect(warmBoard.roundTrips).toBe(1);
  });

  it("misses after any task write: a creation, an update, a deletion and a project's deletion each show at once", async () => {
    const api = domainApi();
    const ws = await domainWorkspace(api.time);
    const { project } = await addProject(api, ws);
    const listed = async () => (await expectStatus<Page<TaskBody>>(await api.get(ws.viewer, ws.tasks), 200)).items;
    expect(await listed()).toEqual([]);
    const { task } = await addTask(api, ws, project.id);
    expect(await listed()).toEqual([task]);
    const updated = await expectStatus<TaskBody>(await api.send(ws.member, "PATCH", `${ws.tasks}/${task.id}`, { title: "Renamed" }), 200);
    expect(await listed()).toEqual([updated]);
    const bulk = await api.send(ws.member, "POST", `${ws.tasks}/bulk`, { items: [{ op: "create", projectId: project.id, title: "In bulk" }] });
    await expectStatus(bulk, 200);
    expect((await listed()).map((item) => item.title)).toEqual(["Renamed", "In bulk"]);
    await expectStatus(await api.send(ws.member, "DELETE", `${ws.tasks}/${task.id}`), 204);
    expect((await listed()).map((item) => item.title)).toEqual(["In bulk"]);
    await expectStatus(await api.send(ws.admin, "DELETE", `${ws.projects}/${project.id}`), 204);
    expect(await listed()).toEqual([]);
  });

  it("checks access before the cache: an outsider, a caller without the permission and another workspace's member never see the page", async () => {
    const api = domainApi();
    const ws = await domainWorkspace(api.time);
    const other = await domainWorkspace(api.time);
    const { project } = await addProject(api, ws);
    await addTask(api, ws, project.id);
    expect((await expectStatus<Page<TaskBody>>(await api.get(ws.viewer, ws.tasks), 200)).items).toHaveLength(1);
    await expectProblem(await api.get(other.owner, ws.tasks), { status: 404, code: "NOT_FOUND" });
    expect((await expectStatus<Page<TaskBody>>(await api.get(other.owner, other.tasks), 200)).items).toEqual([]);
  });

  it("reads a filtered or later page afresh every time", async () => {
    const api = domainApi();
    const ws = await domainWorkspace(api.time);
    const { project } = await addProject(api, ws);
    await addTask(api, ws, project.id, { status: "done" });
    await addTask(api, ws, project.id);
    for (const query of ["?status=done", "?order=desc", "?sort=updated", "?q=copy"]) {
      await api.get(ws.viewer, `${ws.tasks}${query}`);
      expect((await api.counted(ws.viewer, "GET", `${ws.tasks}${query}`)).roundTrips, query).toBe(2);
    }
    const first = await expectStatus<Page<TaskBody>>(await api.get(ws.viewer, `${ws.tasks}?limit=1`), 200);
    await api.get(ws.viewer, `${ws.tasks}?limit=1&cursor=${first.nextCursor}`);
    expect((await api.counted(ws.viewer, "GET", `${ws.tasks}?limit=1&cursor=${first.nextCursor}`)).roundTrips).toBe(2);
  });

  it("serves the first page of the project list from the cache, and misses after a project write", async () => {
    const api = domainApi();
    const ws = await domainWorkspace(api.time);
    const { project } = await addProject(api, ws);
    expect((await api.counted(ws.viewer, "GET", ws.projects)).roundTrips).toBe(2);
    const warm = await api.counted(ws.viewer, "GET", ws.projects);
    expect((await expectStatus<Page<ProjectBody>>(warm.response, 200)).items.map((item) => item.id)).toEqual([project.id]);
    expect(warm.roundTrips).toBe(1);
    await expectStatus(await api.send(ws.member, "POST", `${ws.projects}/${project.id}/archive`), 200);
    expect((await expectStatus<Page<ProjectBody>>(await api.get(ws.viewer, ws.projects), 200)).items.map((item) => item.archived)).toEqual([true]);
    expect((await expectStatus<Page<ProjectBody>>(await api.get(ws.viewer, `${ws.projects}?archived=false`), 200)).items).toEqual([]);
  });
});
