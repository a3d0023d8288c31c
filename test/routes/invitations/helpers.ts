import { eq } from "drizzle-orm";
import { expect } from "vitest";
import { users, workspaceInvitations, workspaceRoles } from "../../../src/db/schema";
import { systemClock, type Clock } from "../../../src/lib/clock";
import { newId } from "../../../src/lib/ids";
import type { Permission } from "../../../src/lib/permissions";
import type { Locale, MailMessage } from "../../../src/services/mail/message";
import { accountsApp, db } from "../../helpers/accounts";
import { bearer, signIn, uniqueEmail } from "../../helpers/identity";
import { createWorkspace, type SignedInUser } from "../../helpers/workspaces";

export type Client = ReturnType<typeof accountsApp>;
export type InvitationMail = Extract<MailMessage, { template: "workspace-invitation" }>;

/** An invitation as the API answers it. */
export interface InvitationBody {
  id: string;
  email: string;
  role: string | null;
  customRoleId: string | null;
  status: string;
  invitedBy: string | null;
  sendCount: number;
  lastSentAt: string;
  createdAt: string;
  expiresAt: string;
}

/**
 * A signed-in account without a password, as a provider's sign-in makes one: no Argon2 hash to
 * compute, so a test may make many. Verified unless told otherwise; signed in at `clock`'s time.
 */
export async function person(options: { email?: string; verified?: boolean; locale?: Locale } = {}, clock: Clock = systemClock): Promise<SignedInUser> {
  const id = newId("user");
  const email = options.email ?? uniqueEmail("person").toLowerCase();
  await db.insert(users).values({ id, email, emailVerifiedAt: options.verified === false ? null : new Date(clock()), locale: options.locale ?? "en" });
  return { id, email, password: "", accessToken: (await signIn({ id }, clock)).accessToken };
}

/** A workspace with an owner, an admin, a member and a viewer, all signed in. */
export async function team() {
  const [owner, admin, member, viewer] = await Promise.all([person(), person(), person(), person()]);
  const workspaceId = await createWorkspace(owner, [
    { user: admin, role: "admin" },
    { user: member, role: "member" },
    { user: viewer, role: "viewer" },
  ]);
  return { owner, admin, member, viewer, workspaceId };
}

/** A custom role of `workspaceId` holding `permissions`, inserted straight into the database. */
export async function customRole(workspaceId: string, permissions: Permission[]): Promise<string> {
  const id = newId("role");
  await db.insert(workspaceRoles).values({ id, workspaceId, name: `role-${id.slice(-6)}`, permissions });
  return id;
}

export const invitationsPath = (workspaceId: string) => `/v1/workspaces/${workspaceId}/invitations`;

/** `as` invites `body` (an address and a role by default) to `workspaceId` through the API. */
export function invite(client: Client, as: SignedInUser, workspaceId: string, body: Record<string, unknown> = {}) {
  return client.post(invitationsPath(workspaceId), { email: uniqueEmail("invited"), role: "member", ...body }, bearer(as.accessToken));
}

/** Invites and expects it to work; returns the invitation and the token its mail carries. */
export async function invited(client: Client, as: SignedInUser, workspaceId: string, body: Record<string, unknown> = {}) {
  const response = await invite(client, as, workspaceId, body);
  expect(response.status).toBe(201);
  const invitation = await response.json<InvitationBody>();
  const mails = client.queue.take() as InvitationMail[];
  expect(mails).toHaveLength(1);
  return { invitation, token: mails[0]!.token, mail: mails[0]! };
}

/** The stored row of invitation `id`. */
export async function storedInvitation(id: string) {
  const [row] = await db.select().from(workspaceInvitations).where(eq(workspaceInvitations.id, id));
  return row;
}

/** `user` signed in anew at the client's time: after the clock has moved past an access token's life. */
export async function signedInAgain<T extends SignedInUser>(client: Client, user: T): Promise<T> {
  return { ...user, accessToken: (await signIn(user, client.time.clock)).accessToken };
}
