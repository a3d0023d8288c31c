import { eq } from "drizzle-orm";
import { createApp } from "../../../src/app";
import { events, tasks } from "../../../src/db/schema";
import { newId } from "../../../src/lib/ids";
import { db, json } from "../../helpers/accounts";
import { call } from "../../helpers/app";
import { manualClock } from "../../helpers/clock";
import { bearer } from "../../helpers/identity";
import { countDatabaseRoundTrips } from "../../helpers/round-trips";
import { createWorkspace } from "../../helpers/workspaces";
import { expectStatus, userAt, type Caller, type Time } from "../workspaces/requests";

export { expectStatus, userAt };

export interface ProjectBody {
  id: string;
  key: string;
  name: string;
  description: string | null;
  archived: boolean;
  updatedAt: string;
  deletedAt: string | null;
}

export interface TaskBody {
  id: string;
  key: string;
  projectId: string;
  number: number;
  title: string;
  description: string | null;
  status: string;
  priority: string;
  assigneeId: string | null;
  labels: string[];
  dueDate: string | null;
  position: number;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * An app standing for one isolate, on a clock the test moves, sending requests as a caller, with
 * extra headers (`If-Match`) when asked. The clock moves a millisecond before each request, so the
 * audit rows of consecutive requests sort in the order they were made.
 */
export function domainApi(time: Time = manualClock()) {
  const app = createApp({ clock: time.clock });
  const send = (caller: Caller, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    time.advance(1);
    return call(app, path, body === undefined ? { method, headers: bearer(caller.accessToken, headers) } : json(method, body, bearer(caller.accessToken, headers)));
  };
  return {
    app,
    time,
    send,
    get: (caller: Caller, path: string, headers?: Record<string, string>) => send(caller, "GET", path, undefined, headers),
    /** `send`, with the database round trips it made counted; the caller's session is checked first, so they are the route's own. */
    async counted(caller: Caller, method: string, path: string, body?: unknown, headers?: Record<string, string>) {
      await send(caller, "GET", "/v1/workspaces");
      const { result, roundTrips, statements } = await countDatabaseRoundTrips(() => send(caller, method, path, body, headers));
      return { response: result, roundTrips, statements };
    },
  };
}

export type DomainApi = ReturnType<typeof domainApi>;

/** A workspace with an owner, an admin, a member and a viewer, signed in; its paths. */
export async function domainWorkspace(time: Time = manualClock()) {
  const [owner, admin, member, viewer] = [await userAt(time), await userAt(time), await userAt(time), await userAt(time)];
  const id = await createWorkspace(owner, [
    { user: admin, role: "admin" },
    { user: member, role: "member" },
    { user: viewer, role: "viewer" },
  ]);
  const base = `/v1/workspaces/${id}`;
  return { id, base, projects: `${base}/projects`, tasks: `${base}/tasks`, owner, admin, member, viewer };
}

export type DomainWorkspace = Awaited<ReturnType<typeof domainWorkspace>>;

let keys = 0;
/** A project key no other test of the file uses. */
export function uniqueKey(prefix = "P"): string {
  return `${prefix}${(++keys).toString(36).toUpperCase()}${crypto.randomUUID().slice(0, 4).replace(/[^a-z]/g, "X").toUpperCase()}`.slice(0, 10);
}

/** Adds a project through the API; its body and ETag. */
export async function addProject(api: DomainApi, ws: DomainWorkspace, body: Record<string, unknown> = {}) {
  const response = await api.send(ws.member, "POST", ws.projects, { key: uniqueKey(), name: "Website", ...body });
  const etag = response.headers.get("ETag");
  return { project: await expectStatus<ProjectBody>(response, 201), etag: etag! };
}

/** Adds a task through the API; its body and ETag. */
export async function addTask(api: DomainApi, ws: DomainWorkspace, projectId: string, body: Record<string, unknown> = {}) {
  const response = await api.send(ws.member, "POST", `${ws.projects}/${projectId}/tasks`, { title: "Write the copy", ...body });
  const etag = response.headers.get("ETag");
  return { task: await expectStatus<TaskBody>(response, 201), etag: etag! };
}

/** The events of workspace `workspaceId`, in order. */
export function eventsOf(workspaceId: string) {
  return db.select().from(events).where(eq(events.workspaceId, workspaceId)).orderBy(events.seq);
}

/** Inserts `count` tasks into project `projectId` straight into the database (numbers from 10,000 on, clear of the project's own). */
export async function insertTasks(ws: DomainWorkspace, projectId: string, count: number): Promise<void> {
  const by = ws.member.id;
  await db.insert(tasks).values(
    Array.from({ length: count }, (_, index) => ({ id: newId("task"), workspaceId: ws.id, projectId, number: 10_000 + index, title: `Inserted ${index}`, position: index, createdBy: by, updatedBy: by })),
  );
}
