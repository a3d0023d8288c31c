import { inArray } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { apiKeys, attachments, auditLog, comments, events, projects, tasks, workspaceInvitations, workspaceMembers, workspaceRoles, workspaces } from "../../src/db/schema";
import { db } from "../helpers/accounts";
import { call } from "../helpers/app";
import { accessTokenOf, createCast, createWorld, type Cast, type World } from "./principals";
import { bodyOf, ROUTE_TABLE, type CaseRequest } from "./route-table";

const app = createApp();
let cast: Cast;

beforeAll(async () => {
  cast = await createCast();
});

/** Every row of both workspaces of `world`, in a stable order: what a refused request must leave as it was. */
async function snapshot(world: World) {
  const ids = [world.workspaceId, world.otherWorkspaceId];
  const [workspaceRows, members, roles, invitations, keys, audit, projectRows, taskRows, commentRows, attachmentRows, eventRows] = await db.batch([
    db.select().from(workspaces).where(inArray(workspaces.id, ids)).orderBy(workspaces.id),
    db.select().from(workspaceMembers).where(inArray(workspaceMembers.workspaceId, ids)).orderBy(workspaceMembers.workspaceId, workspaceMembers.userId),
    db.select().from(workspaceRoles).where(inArray(workspaceRoles.workspaceId, ids)).orderBy(workspaceRoles.id),
    db.select().from(workspaceInvitations).where(inArray(workspaceInvitations.workspaceId, ids)).orderBy(workspaceInvitations.id),
    db.select().from(apiKeys).where(inArray(apiKeys.workspaceId, ids)).orderBy(apiKeys.id),
    db.select().from(auditLog).where(inArray(auditLog.workspaceId, ids)).orderBy(auditLog.id),
    db.select().from(projects).where(inArray(projects.workspaceId, ids)).orderBy(projects.id),
    db.select().from(tasks).where(inArray(tasks.workspaceId, ids)).orderBy(tasks.id),
    db.select().from(comments).where(inArray(comments.workspaceId, ids)).orderBy(comments.id),
    db.select().from(attachments).where(inArray(attachments.workspaceId, ids)).orderBy(attachments.id),
    db.select().from(events).where(inArray(events.workspaceId, ids)).orderBy(events.seq),
  ]);
  return { workspaceRows, members, roles, invitations, keys, audit, projectRows, taskRows, commentRows, attachmentRows, eventRows };
}

const workspaceRoutes = Object.entries(ROUTE_TABLE).filter(([, entry]) => entry.access === "workspace" || entry.access === "member");

describe.each(workspaceRoutes)("%s, asked by the owner of another workspace", (route, entry) => {
  it("is 404 for workspace A's path, and changes nothing", async () => {
    const world = await createWorld(cast);
    const request = await entry.request({ world, principal: "outsider" });
    const before = await snapshot(world);
    const response = await send(request, await accessTokenOf(cast.outsider));
    expect(response.status, `${route}: ${await response.clone().text()}`).toBe(404);
    expect(await snapshot(world)).toEqual(before);
  });
});

/** Routes that name an object of the workspace besides the workspace itself, e.g. `…/members/:userId`. */
const objectRoutes = workspaceRoutes.filter(([route]) => /\/:workspaceId\/.*:\w+/.test(route));

describe.each(objectRoutes)("%s, asked by the owner of another workspace through their own", (route, entry) => {
  it("is 404 for workspace A's object, and changes nothing", async () => {
    const world = await createWorld(cast);
    const request = await entry.request({ world, principal: "outsider" });
    const ownPath = request.path.replace(`/v1/workspaces/${world.workspaceId}/`, `/v1/workspaces/${world.otherWorkspaceId}/`);
    expect(ownPath).not.toBe(request.path);
    const before = await snapshot(world);
    const response = await send({ ...request, path: ownPath }, await accessTokenOf(cast.outsider));
    expect(response.status, `${route}: ${await response.clone().text()}`).toBe(404);
    expect(await snapshot(world)).toEqual(before);
  });
});

function send(request: CaseRequest, accessToken: string) {
  return call(app, request.path, { method: request.method ?? "GET", ...bodyOf(request, { Authorization: `Bearer ${accessToken}` }) });
}
