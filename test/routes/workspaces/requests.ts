import { and, eq } from "drizzle-orm";
import { expect } from "vitest";
import { createApp } from "../../../src/app";
import { auditLog, users, workspaceMembers, workspaceRoles } from "../../../src/db/schema";
import { newId } from "../../../src/lib/ids";
import type { Permission } from "../../../src/lib/permissions";
import { db, json } from "../../helpers/accounts";
import { call } from "../../helpers/app";
import { manualClock } from "../../helpers/clock";
import { bearer, signIn, uniqueEmail } from "../../helpers/identity";
import { countDatabaseRoundTrips } from "../../helpers/round-trips";
import type { SignedInUser } from "../../helpers/workspaces";

export type Time = ReturnType<typeof manualClock>;
export type Caller = Pick<SignedInUser, "accessToken">;

/**
 * An app standing for one isolate, on a clock the test moves, with requests made as a signed-in user.
 * @example const api = workspaceApi(); await api.send(owner, "PATCH", `/v1/workspaces/${id}`, { name: "New" })
 */
export function workspaceApi(time: Time = manualClock()) {
  const app = createApp({ clock: time.clock });
  const send = (caller: Caller, method: string, path: string, body?: unknown) =>
    call(app, path, body === undefined ? { method, headers: bearer(caller.accessToken) } : json(method, body, bearer(caller.accessToken)));
  return {
    time,
    send,
    get: (caller: Caller, path: string) => send(caller, "GET", path),
    /** `send`, with the database round trips it made counted; the caller's session is checked first, so they are the route's own. */
    async counted(caller: Caller, method: string, path: string, body?: unknown) {
      await send(caller, "GET", "/v1/workspaces");
      const { result, roundTrips, statements } = await countDatabaseRoundTrips(() => send(caller, method, path, body));
      return { response: result, roundTrips, statements };
    },
  };
}

/**
 * A verified user without a password (as if signed up through a provider), signed in at the clock's
 * time: workspace tests need many users, and hashing a password for each would take most of their time.
 */
export async function userAt(time: Time = manualClock(), options: { role?: "user" | "admin" } = {}): Promise<SignedInUser> {
  const user = { id: newId("user"), email: uniqueEmail(), password: "" };
  await db.insert(users).values({ id: user.id, email: user.email, emailVerifiedAt: new Date(), role: options.role ?? "user" });
  return signInAt(user, time);
}

/** A new session for `user` at the clock's time: after the clock moved days on, the first one has ended. */
export async function signInAt<U extends { id: string }>(user: U, time: Time): Promise<U & Caller> {
  const { accessToken } = await signIn(user, time.clock);
  return { ...user, accessToken };
}

/** Asserts the response's status, showing its body when it differs; returns the parsed body. */
export async function expectStatus<T = Record<string, unknown>>(response: Response, status: number): Promise<T> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** The audit rows of workspace `workspaceId`, oldest first. */
export function auditOf(workspaceId: string) {
  return db.select().from(auditLog).where(eq(auditLog.workspaceId, workspaceId)).orderBy(auditLog.createdAt, auditLog.id);
}

/** Member `userId`'s row in workspace `workspaceId`, if any. */
export async function membership(workspaceId: string, userId: string) {
  const [row] = await db.select().from(workspaceMembers).where(and(eq(workspaceMembers.workspaceId, workspaceId), eq(workspaceMembers.userId, userId)));
  return row;
}

/** Inserts a custom role into workspace `workspaceId` (not through the API); returns its id. */
export async function insertRole(workspaceId: string, permissions: Permission[], name = `Role ${crypto.randomUUID().slice(0, 8)}`): Promise<string> {
  const id = newId("role");
  await db.insert(workspaceRoles).values({ id, workspaceId, name, permissions });
  return id;
}

/** Gives member `userId` custom role `roleId` (not through the API). */
export async function holdRole(workspaceId: string, userId: string, roleId: string): Promise<void> {
  await db
    .insert(workspaceMembers)
    .values({ workspaceId, userId, customRoleId: roleId })
    .onConflictDoUpdate({ target: [workspaceMembers.workspaceId, workspaceMembers.userId], set: { role: null, customRoleId: roleId } });
}
