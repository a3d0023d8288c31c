import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { projects } from "../../../src/db/schema";
import { MAX_PROJECTS } from "../../../src/services/domain/projects";
import { MAX_TASKS_PER_PROJECT } from "../../../src/services/domain/tasks";
import { db } from "../../helpers/accounts";
import { expectProblem } from "../../helpers/problem";
import { auditOf } from "../workspaces/requests";
import { addProject, domainApi, domainWorkspace, eventsOf, expectStatus, uniqueKey, type Page, type ProjectBody } from "./requests";

describe("projects", () => {
  it("adds a project in one round trip, with its audit row and event, and answers it with a strong ETag", async () => {
    const api = domainApi();
    const ws = await domainWorkspace(api.time);
    const key = uniqueKey("WEB");
    const { response, roundTrips } = await api.counted(ws.member, "POST", ws.projects, { key, name: " Website ", description: "The public site" });
    const project = await expectStatus<ProjectBody>(response, 201);
    expect(project).toMatchObject({ id: expect.stringMatching(/^prj_/), key, name: "Website", description: "The public site", archived: false, deletedAt: null });
    expect(response.headers.get("ETag")).toMatch(new RegExp(`^"${project.id}\\.\\d+"$`));
    // The membership check, then the batch.
    expect(roundTrips).toBe(2);
    expect(await auditOf(ws.id)).toEqual([expect.objectContaining({ action: "project.created", actorId: ws.member.id, targetType: "project", targetId: project.id })]);
    expect(await eventsOf(ws.id)).toEqual([expect.objectContaining({ type: "project.created", subjectType: "project", subjectId: project.id, payload: project })]);
  });

  it("refuses a key the workspace has, deleted projects included, with 409", async () => {
    const api = domainApi();
    const ws = await domainWorkspace(api.time);
    const { project } = await addProject(api, ws);
    await expectProblem(await api.send(ws.member, "POST", ws.projects, { key: project.key, name: "Again" }), { status: 409, code: "CONFLICT" });
    expect((await api.send(ws.member, "DELETE", `${ws.projects}/${project.id}`)).status).toBe(204);
    const refused = await api.send(ws.member, "POST", ws.projects, { key: project.key, name: "Again" });
    await expectProblem(refused, { status: 409, code: "CONFLICT" });
  });

  it("reads a project with its ETag, and answers 304 to If-None-Match", async () => {
    const api = domainApi();
    const ws = await domainWorkspace(api.time);
    const { project, etag } = await addProject(api, ws);
    const read = await api.get(ws.viewer, `${ws.projects}/${project.id}`);
    expect(await expectStatus<ProjectBody>(read, 200)).toEqual(project);
    expect(read.headers.get("ETag")).toBe(etag);
    expect((await api.get(ws.viewer, `${ws.projects}/${project.id}`, { "If-None-Match": etag })).status).toBe(304);
  });

  it("renames with If-Match, refuses a stale ETag with 412 and records nothing for it", async () => {
    const api = domainApi();
    const ws = await domainWorkspace(api.time);
    const { project, etag } = await addProject(api, ws);
    const renamed = await api.send(ws.member, "PATCH", `${ws.projects}/${project.id}`, { name: "Site" }, { "If-Match": etag });
    expect(await expectStatus<ProjectBody>(renamed, 200)).toMatchObject({ name: "Site" });
    const newTag = renamed.headers.get("ETag");
    expect(newTag).not.toBe(etag);
    await expectProblem(await api.send(ws.member, "PATCH", `${ws.projects}/${project.id}`, { name: "Stale" }, { "If-Match": etag }), { status: 412, code: "PRECONDITION_FAILED" });
    expect((await auditOf(ws.id)).map((row) => row.action)).toEqual(["project.created", "project.updated"]);
    expect(await expectStatus<ProjectBody>(await api.get(ws.member, `${ws.projects}/${project.id}`), 200)).toMatchObject({ name: "Site" });
  });

  it("archives and unarchives, and deletes and restores for admins to see in the deleted list", async () => {
    const api = domainApi();
    const ws = await domainWorkspace(api.time);
    const { project } = await addProject(api, ws);
    const path = `${ws.projects}/${project.id}`;
    expect(await expectStatus<ProjectBody>(await api.send(ws.member, "POST", `${path}/archive`), 200)).toMatchObject({ archived: true });
    expect(await expectStatus<ProjectBody>(await api.send(ws.member, "POST", `${path}/unarchive`), 200)).toMatchObject({ archived: false });
    expect((await api.send(ws.member, "DELETE", path)).status).toBe(204);
    await expectProblem(await api.get(ws.member, path), { status: 404, code: "NOT_FOUND" });
    const deleted = await expectStatus<Page<ProjectBody>>(await api.get(ws.admin, `${ws.projects}/deleted`), 200);
    expect(deleted.items).toEqual([expect.objectContaining({ id: project.id, deletedAt: expect.any(String) })]);
    await expectProblem(await api.get(ws.member, `${ws.projects}/deleted`), { status: 403, code: "FORBIDDEN" });
    expect(await expectStatus<ProjectBody>(await api.send(ws.member, "POST", `${path}/restore`), 200)).toMatchObject({ id: project.id, deletedAt: null });
    expect((await auditOf(ws.id)).map((row) => row.action)).toEqual(["project.created", "project.archived", "project.unarchived", "project.deleted", "project.restored"]);
  });
});

describe("the project list", () => {
  it("pages by creation or name, either way, filters archived ones and refuses a tampered cursor", async () => {
    const api = domainApi();
    const ws = await domainWorkspace(api.time);
    const made: ProjectBody[] = [];
    for (const name of ["Beta", "alpha", "Gamma", "Delta"]) {
      api.time.advance(1000);
      made.push((await addProject(api, ws, { name })).project);
    }
    expect((await api.send(ws.member, "POST", `${ws.projects}/${made[2]!.id}/archive`)).status).toBe(200);
    const list = async (query: string) => expectStatus<Page<ProjectBody>>(await api.get(ws.viewer, `${ws.projects}?${query}`), 200);
    const names = async (query: string) => (await list(query)).items.map((project) => project.name);
    expect(await names("")).toEqual(["Beta", "alpha", "Gamma", "Delta"]);
    expect(await names("order=desc")).toEqual(["Delta", "Gamma", "alpha", "Beta"]);
    const byName = [...made].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
    const sorted = await names("sort=name");
    // The database's collation decides; it is the same order page after page.
    expect([...sorted].sort()).toEqual(byName.map((project) => project.name).sort());
    expect(await names("archived=true")).toEqual(["Gamma"]);
    expect(await names("archived=false")).toEqual(["Beta", "alpha", "Delta"]);

    const first = await list("sort=name&limit=2");
    const second = await list(`sort=name&limit=2&cursor=${first.nextCursor}`);
    expect([...first.items, ...second.items].map((project) => project.name)).toEqual(sorted);
    expect(second.nextCursor).toBeNull();
    await expectProblem(await api.get(ws.viewer, `${ws.projects}?sort=created&limit=2&cursor=${first.nextCursor}`), { status: 400, code: "VALIDATION_FAILED" });
    await expectProblem(await api.get(ws.viewer, `${ws.projects}?sort=name&limit=2&cursor=${first.nextCursor!.slice(1)}`), { status: 400, code: "VALIDATION_FAILED" });
  });

  it("answers a page in one round trip after the membership check", async () => {
    const api = domainApi();
    const ws = await domainWorkspace(api.time);
    await addProject(api, ws);
    const { response, roundTrips } = await api.counted(ws.viewer, "GET", `${ws.projects}?sort=name`);
    expect(response.status).toBe(200);
    expect(roundTrips).toBe(2);
  });
});

describe("limits", () => {
  it(`refuses a project past ${MAX_PROJECTS} live ones, and a restore past them, but counts no deleted project`, async () => {
    const api = domainApi();
    const ws = await domainWorkspace(api.time);
    const { project: deleted } = await addProject(api, ws);
    expect((await api.send(ws.member, "DELETE", `${ws.projects}/${deleted.id}`)).status).toBe(204);
    await db.execute(sql`
      insert into projects (id, workspace_id, key, name, created_by, updated_by)
      select 'prj_' || substr(md5(random()::text || g), 1, 26), ${ws.id}, 'L' || g, 'Filler', ${ws.member.id}, ${ws.member.id}
      from generate_series(1, ${MAX_PROJECTS - 1}) g`);
    const last = await api.send(ws.member, "POST", ws.projects, { key: uniqueKey(), name: "Last" });
    expect(last.status).toBe(201);
    await expectProblem(await api.send(ws.member, "POST", ws.projects, { key: uniqueKey(), name: "One too many" }), { status: 409, code: "CONFLICT" });
    await expectProblem(await api.send(ws.member, "POST", `${ws.projects}/${deleted.id}/restore`), { status: 409, code: "CONFLICT" });
  });

  it(`refuses a task once a project has had ${MAX_TASKS_PER_PROJECT}`, async () => {
    const api = domainApi();
    const ws = await domainWorkspace(api.time);
    const { project } = await addProject(api, ws);
    await db.update(projects).set({ nextTaskNumber: MAX_TASKS_PER_PROJECT + 1 }).where(eq(projects.id, project.id));
    await expectProblem(await api.send(ws.member, "POST", `${ws.projects}/${project.id}/tasks`, { title: "x" }), { status: 409, code: "CONFLICT" });
  });
});
