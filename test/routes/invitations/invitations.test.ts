import { and, eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { auditLog, users, workspaceInvitations, workspaceMembers } from "../../../src/db/schema";
import { newId } from "../../../src/lib/ids";
import { hashOpaqueToken } from "../../../src/lib/tokens";
import { INVITATION_LIFETIME_MS, MAX_INVITATION_SENDS, MAX_MEMBERS, MAX_PENDING_INVITATIONS, RESEND_INTERVAL_MS } from "../../../src/services/workspaces/invitations-common";
import { accountsApp, db, expectNoSecretsAnswered } from "../../helpers/accounts";
import { bearer, uniqueEmail } from "../../helpers/identity";
import { expectProblem } from "../../helpers/problem";
import { countDatabaseRoundTrips } from "../../helpers/round-trips";
import { createWorkspace, signedInUser } from "../../helpers/workspaces";
import { customRole, invitationsPath, invite, invited, person, signedInAgain, storedInvitation, team, type InvitationBody, type InvitationMail } from "./helpers";

afterEach(expectNoSecretsAnswered);

const MINUTE = 60 * 1000;

describe("POST /v1/workspaces/{workspaceId}/invitations", () => {
  it("invites an address: the token goes into the mail alone, the database keeps its SHA-256, and the change is audited, in one round trip", async () => {
    const client = accountsApp();
    const { owner, workspaceId } = await team();
    // The first request checks the session; the one counted finds it in the isolate's cache.
    expect((await client.request(invitationsPath(workspaceId), { headers: bearer(owner.accessToken) })).status).toBe(200);
    const email = uniqueEmail("Grace").replace("grace", "GRACE");

    const { result, roundTrips, statements } = await countDatabaseRoundTrips(() => invite(client, owner, workspaceId, { email, role: "admin" }));
    expect(result.status).toBe(201);
    // The membership check, then one batch: the workspace's lock, and the checked insert with its audit row.
    expect(roundTrips).toBe(2);
    expect(statements[1]).toMatch(/for no key update; with custom_role as .*insert into workspace_invitations.*insert into audit_log/);

    const invitation = await result.json<InvitationBody>();
    const now = client.time.clock();
    expect(invitation).toEqual({
      id: expect.stringMatching(/^inv_/),
      email: email.toLowerCase(),
      role: "admin",
      customRoleId: null,
      status: "pending",
      invitedBy: owner.id,
      sendCount: 1,
      lastSentAt: new Date(now).toISOString(),
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + INVITATION_LIFETIME_MS).toISOString(),
    });
    const [mail, ...more] = client.queue.take() as InvitationMail[];
    expect(more).toEqual([]);
    expect(mail).toEqual({ template: "workspace-invitation", to: email.toLowerCase(), locale: "en", token: expect.stringMatching(/^it_[A-Za-z0-9_-]{43}$/), workspaceName: expect.stringMatching(/^Workspace ws-/) });
    const stored = await storedInvitation(invitation.id);
    expect(stored!.tokenHash).toBe(await hashOpaqueToken(mail!.token));
    expect(JSON.stringify(stored)).not.toContain(mail!.token);

    const audited = await db.select().from(auditLog).where(and(eq(auditLog.targetId, invitation.id), eq(auditLog.action, "invitation.created")));
    expect(audited).toMatchObject([{ actorId: owner.id, workspaceId, targetType: "invitation", details: { email: email.toLowerCase(), role: "admin", customRoleId: null } }]);
  });

  it("writes the mail in the invitee's language when the address has an account, in the inviter's otherwise", async () => {
    const client = accountsApp();
    const { owner, workspaceId } = await team();
    const german = await person({ locale: "de" });
    const headers = bearer(owner.accessToken, { "Accept-Language": "es" });
    expect((await client.post(invitationsPath(workspaceId), { email: german.email, role: "member" }, headers)).status).toBe(201);
    expect((await client.post(invitationsPath(workspaceId), { email: uniqueEmail(), role: "member" }, headers)).status).toBe(201);
    expect(client.queue.take().map((mail) => mail.locale)).toEqual(["de", "es"]);
  });

  it("takes exactly one of role and customRoleId, and no other field", async () => {
    const client = accountsApp();
    const { owner, workspaceId } = await team();
    const role = await customRole(workspaceId, ["project:read"]);
    for (const body of [{ role: undefined }, { role: "member", customRoleId: role }, { role: "member", admin: true }, { role: "superuser" }, { email: "not an address" }]) {
      await expectProblem(await invite(client, owner, workspaceId, body), { status: 400, code: "VALIDATION_FAILED" });
    }
    expect(client.queue.take()).toEqual([]);
  });

  it("refuses an address that belongs to a member already, and one with a pending invitation (resend that instead)", async () => {
    const client = accountsApp();
    const { owner, member, workspaceId } = await team();
    const problem = await expectProblem(await invite(client, owner, workspaceId, { email: member.email.toUpperCase() }), { status: 409, code: "CONFLICT" });
    expect(problem.detail).toMatch(/member/);

    const { invitation } = await invited(client, owner, workspaceId);
    const again = await expectProblem(await invite(client, owner, workspaceId, { email: invitation.email, role: "viewer" }), { status: 409, code: "CONFLICT" });
    expect(again.detail).toMatch(/pending invitation/);
    expect(client.queue.take()).toEqual([]);
  });

  it("of concurrent invitations of one address, makes one: the workspace's lock puts them in a row", async () => {
    const client = accountsApp();
    const { owner, workspaceId } = await team();
    const email = uniqueEmail("raced");
    const answers = await Promise.all(Array.from({ length: 10 }, () => invite(client, owner, workspaceId, { email })));
    expect(answers.map((response) => response.status).sort()).toEqual([201, ...Array<number>(9).fill(409)]);
    expect(await db.select().from(workspaceInvitations).where(eq(workspaceInvitations.email, email))).toHaveLength(1);
  });

  it(`holds at most ${MAX_PENDING_INVITATIONS} pending invitations per workspace; expired ones do not count`, async () => {
    const client = accountsApp();
    const { owner, workspaceId } = await team();
    const now = client.time.clock();
    const rows = (expiresAt: number, count: number) =>
      Array.from({ length: count }, () => ({ id: newId("invitation"), workspaceId, email: uniqueEmail("crowd"), role: "viewer" as const, tokenHash: crypto.randomUUID(), expiresAt: new Date(expiresAt) }));
    await db.insert(workspaceInvitations).values([...rows(now + MINUTE, MAX_PENDING_INVITATIONS - 1), ...rows(now, 5)]);
    await invited(client, owner, workspaceId);
    const problem = await expectProblem(await invite(client, owner, workspaceId), { status: 409, code: "CONFLICT" });
    expect(problem.detail).toContain(String(MAX_PENDING_INVITATIONS));
  });

  it(`holds at most ${MAX_MEMBERS} members and pending invitations together`, async () => {
    const client = accountsApp();
    const { owner, workspaceId } = await team();
    const before = await db.$count(workspaceMembers, eq(workspaceMembers.workspaceId, workspaceId));
    // Members one short of the cap: the first invitation takes the last place, the second finds none.
    const people = Array.from({ length: MAX_MEMBERS - before - 1 }, () => ({ id: newId("user"), email: uniqueEmail("crowd") }));
    await db.insert(users).values(people);
    await db.insert(workspaceMembers).values(people.map((person) => ({ workspaceId, userId: person.id, role: "viewer" as const })));
    await invited(client, owner, workspaceId);
    const problem = await expectProblem(await invite(client, owner, workspaceId), { status: 409, code: "CONFLICT" });
    expect(problem.detail).toContain(String(MAX_MEMBERS));
  });

  describe("refuses a role above the inviter's", () => {
    it("an admin inviting an owner; an owner may", async () => {
      const client = accountsApp();
      const { owner, admin, workspaceId } = await team();
      const problem = await expectProblem(await invite(client, admin, workspaceId, { role: "owner" }), { status: 403, code: "FORBIDDEN" });
      expect(problem.detail).toMatch(/Only owners/);
      await invited(client, owner, workspaceId, { role: "owner" });
    });

    it("a custom role holding a permission the inviter lacks; one within the inviter's may be given", async () => {
      const client = accountsApp();
      const { admin, workspaceId } = await team();
      const deleter = await customRole(workspaceId, ["workspace:read", "workspace:delete"]);
      const problem = await expectProblem(await invite(client, admin, workspaceId, { role: undefined, customRoleId: deleter }), { status: 403, code: "FORBIDDEN" });
      expect(problem.detail).toMatch(/permissions you do not have/);
      const reader = await customRole(workspaceId, ["workspace:read", "project:read", "member:invite"]);
      const { invitation } = await invited(client, admin, workspaceId, { role: undefined, customRoleId: reader });
      expect(invitation).toMatchObject({ role: null, customRoleId: reader });
    });

    it("an inviter with a custom role inviting to a built-in role above it", async () => {
      const client = accountsApp();
      const { workspaceId } = await team();
      const recruiter = await person();
      const recruiting = await customRole(workspaceId, ["workspace:read", "member:read", "member:invite"]);
      await db.insert(workspaceMembers).values({ workspaceId, userId: recruiter.id, customRoleId: recruiting });
      await expectProblem(await invite(client, recruiter, workspaceId, { role: "member" }), { status: 403, code: "FORBIDDEN" });
      await expectProblem(await invite(client, recruiter, workspaceId, { role: undefined, customRoleId: await customRole(workspaceId, ["workspace:read", "task:write"]) }), {
        status: 403,
        code: "FORBIDDEN",
      });
      await invited(client, recruiter, workspaceId, { role: undefined, customRoleId: recruiting });
    });
  });

  it("does not find another workspace's custom role: 404, nothing stored", async () => {
    const client = accountsApp();
    const { owner, workspaceId } = await team();
    const elsewhere = await createWorkspace(await person());
    const foreign = await customRole(elsewhere, ["workspace:read"]);
    const email = uniqueEmail("foreign-role");
    await expectProblem(await invite(client, owner, workspaceId, { email, role: undefined, customRoleId: foreign }), { status: 404, code: "NOT_FOUND" });
    await expectProblem(await invite(client, owner, workspaceId, { email, role: undefined, customRoleId: "rol_nonsense" }), { status: 404, code: "NOT_FOUND" });
    expect(await db.select().from(workspaceInvitations).where(eq(workspaceInvitations.email, email))).toEqual([]);
  });
});

describe("GET /v1/workspaces/{workspaceId}/invitations", () => {
  it("lists the pending invitations newest first, without revoked or expired ones, in one round trip after authentication", async () => {
    const client = accountsApp();
    const { owner, workspaceId } = await team();
    const first = await invited(client, owner, workspaceId);
    client.time.advance(1000);
    const second = await invited(client, owner, workspaceId, { role: "viewer" });
    client.time.advance(1000);
    const revoked = await invited(client, owner, workspaceId);
    expect((await client.request(`${invitationsPath(workspaceId)}/${revoked.invitation.id}`, { method: "DELETE", headers: bearer(owner.accessToken) })).status).toBe(204);

    const { result, roundTrips } = await countDatabaseRoundTrips(() => client.request(invitationsPath(workspaceId), { headers: bearer(owner.accessToken) }));
    // The membership check and the list.
    expect(roundTrips).toBe(2);
    expect(await result.json()).toEqual({ invitations: [second.invitation, first.invitation] });

    client.time.advance(INVITATION_LIFETIME_MS - 2000);
    const later = await client.request(invitationsPath(workspaceId), { headers: bearer((await signedInAgain(client, owner)).accessToken) });
    expect((await later.json<{ invitations: InvitationBody[] }>()).invitations.map(({ id }) => id)).toEqual([second.invitation.id]);
  });
});

describe("DELETE /v1/workspaces/{workspaceId}/invitations/{invitationId}", () => {
  it("revokes a pending invitation with its audit row in one statement; then it is gone (404)", async () => {
    const client = accountsApp();
    const { admin, workspaceId } = await team();
    const { invitation } = await invited(client, admin, workspaceId);
    const path = `${invitationsPath(workspaceId)}/${invitation.id}`;
    const { result, roundTrips } = await countDatabaseRoundTrips(() => client.request(path, { method: "DELETE", headers: bearer(admin.accessToken) }));
    expect(result.status).toBe(204);
    expect(roundTrips).toBe(2);
    expect((await storedInvitation(invitation.id))!.revokedAt).toEqual(new Date(client.time.clock()));
    await expectProblem(await client.request(path, { method: "DELETE", headers: bearer(admin.accessToken) }), { status: 404, code: "NOT_FOUND" });
    const audited = await db.select().from(auditLog).where(and(eq(auditLog.targetId, invitation.id), eq(auditLog.action, "invitation.revoked")));
    expect(audited).toMatchObject([{ actorId: admin.id, workspaceId }]);
  });
});

describe("POST /v1/workspaces/{workspaceId}/invitations/{invitationId}/resend", () => {
  it("mails a new token and a new expiry, counts the send and audits it, in one statement; the previous token is no longer stored", async () => {
    const client = accountsApp();
    const { owner, workspaceId } = await team();
    const { invitation, token } = await invited(client, owner, workspaceId);
    client.time.advance(RESEND_INTERVAL_MS);
    // The session is checked again after a minute: this request does it, the counted one need not.
    expect((await client.request(invitationsPath(workspaceId), { headers: bearer(owner.accessToken) })).status).toBe(200);
    const path = `${invitationsPath(workspaceId)}/${invitation.id}/resend`;
    const { result, roundTrips } = await countDatabaseRoundTrips(() => client.request(path, { method: "POST", headers: bearer(owner.accessToken) }));
    expect(result.status).toBe(200);
    expect(roundTrips).toBe(2);
    const now = client.time.clock();
    expect(await result.json()).toEqual({ ...invitation, sendCount: 2, lastSentAt: new Date(now).toISOString(), expiresAt: new Date(now + INVITATION_LIFETIME_MS).toISOString() });
    const [mail] = client.queue.take() as InvitationMail[];
    expect(mail!.token).not.toBe(token);
    expect((await storedInvitation(invitation.id))!.tokenHash).toBe(await hashOpaqueToken(mail!.token));
    const audited = await db.select().from(auditLog).where(and(eq(auditLog.targetId, invitation.id), eq(auditLog.action, "invitation.resent")));
    expect(audited).toMatchObject([{ actorId: owner.id, workspaceId, details: { sendCount: 2 } }]);
  });

  it(`sends at most once a minute (429 with Retry-After) and ${MAX_INVITATION_SENDS} times in all (409)`, async () => {
    const client = accountsApp();
    const { owner, workspaceId } = await team();
    const { invitation } = await invited(client, owner, workspaceId);
    const resend = () => client.request(`${invitationsPath(workspaceId)}/${invitation.id}/resend`, { method: "POST", headers: bearer(owner.accessToken) });

    client.time.advance(RESEND_INTERVAL_MS - 20_500);
    const early = await resend();
    await expectProblem(early, { status: 429, code: "RATE_LIMITED" });
    expect(early.headers.get("Retry-After")).toBe("21");
    for (let sent = 1; sent < MAX_INVITATION_SENDS; sent++) {
      client.time.advance(RESEND_INTERVAL_MS);
      expect((await resend()).status).toBe(200);
    }
    client.time.advance(RESEND_INTERVAL_MS);
    const problem = await expectProblem(await resend(), { status: 409, code: "CONFLICT" });
    expect(problem.detail).toContain(String(MAX_INVITATION_SENDS));
    expect(client.queue.take()).toHaveLength(MAX_INVITATION_SENDS - 1);
    expect((await storedInvitation(invitation.id))!.sendCount).toBe(MAX_INVITATION_SENDS);
  });

  it("does not resend a revoked or expired invitation: 404", async () => {
    const client = accountsApp();
    const { owner, workspaceId } = await team();
    const revoked = await invited(client, owner, workspaceId);
    const expired = await invited(client, owner, workspaceId);
    await client.request(`${invitationsPath(workspaceId)}/${revoked.invitation.id}`, { method: "DELETE", headers: bearer(owner.accessToken) });
    client.time.advance(INVITATION_LIFETIME_MS);
    const { accessToken } = await signedInAgain(client, owner);
    for (const { invitation } of [revoked, expired]) {
      await expectProblem(await client.request(`${invitationsPath(workspaceId)}/${invitation.id}/resend`, { method: "POST", headers: bearer(accessToken) }), {
        status: 404,
        code: "NOT_FOUND",
      });
    }
    expect(client.queue.take()).toEqual([]);
  });
});

describe("who may manage invitations", () => {
  it("refuses members and viewers, who lack member:invite, on every route (403)", async () => {
    const client = accountsApp();
    const { owner, member, viewer, workspaceId } = await team();
    const { invitation } = await invited(client, owner, workspaceId);
    client.time.advance(RESEND_INTERVAL_MS);
    for (const user of [member, viewer]) {
      const headers = bearer(user.accessToken);
      const answers = [
        await invite(client, user, workspaceId),
        await client.request(invitationsPath(workspaceId), { headers }),
        await client.request(`${invitationsPath(workspaceId)}/${invitation.id}`, { method: "DELETE", headers }),
        await client.request(`${invitationsPath(workspaceId)}/${invitation.id}/resend`, { method: "POST", headers }),
      ];
      for (const answer of answers) expect((await expectProblem(answer, { status: 403, code: "FORBIDDEN" })).detail).toContain("member:invite");
    }
    expect(await storedInvitation(invitation.id)).toMatchObject({ revokedAt: null, sendCount: 1 });
  });

  it("answers 404 for another workspace's invitation, in the caller's workspace or in the other, and changes nothing", async () => {
    const client = accountsApp();
    const a = await team();
    const b = await team();
    const { invitation } = await invited(client, a.owner, a.workspaceId);
    client.time.advance(RESEND_INTERVAL_MS);
    const headers = bearer(b.owner.accessToken);
    for (const workspaceId of [b.workspaceId, a.workspaceId]) {
      const path = `${invitationsPath(workspaceId)}/${invitation.id}`;
      await expectProblem(await client.request(path, { method: "DELETE", headers }), { status: 404, code: "NOT_FOUND" });
      await expectProblem(await client.request(`${path}/resend`, { method: "POST", headers }), { status: 404, code: "NOT_FOUND" });
    }
    await expectProblem(await client.request(invitationsPath(a.workspaceId), { headers }), { status: 404, code: "NOT_FOUND" });
    await expectProblem(await invite(client, b.owner, a.workspaceId), { status: 404, code: "NOT_FOUND" });
    expect(await storedInvitation(invitation.id)).toMatchObject({ revokedAt: null, sendCount: 1 });
    expect(client.queue.take()).toEqual([]);
    const malformed = `${invitationsPath(a.workspaceId)}/inv_nonsense`;
    await expectProblem(await client.request(malformed, { method: "DELETE", headers: bearer(a.owner.accessToken) }), { status: 404, code: "NOT_FOUND" });
  });
});
