import { and, eq } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { auditLog, users, workspaceMembers, workspaces } from "../../../src/db/schema";
import { createOpaqueToken } from "../../../src/lib/tokens";
import { INVITATION_LIFETIME_MS } from "../../../src/services/workspaces/invitations-common";
import { accountsApp, db, expectNoSecretsAnswered } from "../../helpers/accounts";
import { manualClock } from "../../helpers/clock";
import { bearer, uniqueEmail } from "../../helpers/identity";
import { expectProblem } from "../../helpers/problem";
import { countDatabaseRoundTrips } from "../../helpers/round-trips";
import { signedInUser, type SignedInUser } from "../../helpers/workspaces";
import { customRole, invitationsPath, invited, person, signedInAgain, storedInvitation, team, type Client, type InvitationMail } from "./helpers";

afterEach(expectNoSecretsAnswered);

const accept = (client: Client, as: Pick<SignedInUser, "accessToken">, token: string) => client.post("/v1/invitations/accept", { token }, bearer(as.accessToken));
const decline = (client: Client, token: string, headers: Record<string, string> = {}) => client.post("/v1/invitations/decline", { token }, headers);

const membersOf = (workspaceId: string, userId: string) =>
  db.select().from(workspaceMembers).where(and(eq(workspaceMembers.workspaceId, workspaceId), eq(workspaceMembers.userId, userId)));

/** A workspace, and a verified, signed-in user invited to it with `role`, with the token of the mail. */
async function invitation(client: Client, body: Record<string, unknown> = { role: "member" }) {
  const { owner, workspaceId } = await team();
  const invitee = await person({ email: uniqueEmail("invitee") });
  const sent = await invited(client, owner, workspaceId, { email: invitee.email, ...body });
  return { owner, workspaceId, invitee, ...sent };
}

describe("POST /v1/invitations/accept", () => {
  it("makes the invitee a member with the invitation's role, audited twice, in one statement", async () => {
    const client = accountsApp();
    const { workspaceId, invitee, invitation: invited, token } = await invitation(client, { role: "admin" });
    // A first request checks the session; the one counted finds it in the isolate's cache.
    await expectProblem(await accept(client, invitee, createOpaqueToken("invitation")), { status: 400, code: "INVALID_TOKEN" });

    const { result, roundTrips } = await countDatabaseRoundTrips(() => accept(client, invitee, token));
    expect(result.status).toBe(200);
    expect(roundTrips).toBe(1);
    expect(await result.json()).toEqual({ workspaceId, role: "admin", customRoleId: null });
    expect(await membersOf(workspaceId, invitee.id)).toMatchObject([{ role: "admin", customRoleId: null }]);
    expect(await storedInvitation(invited.id)).toMatchObject({ acceptedAt: new Date(client.time.clock()), acceptedBy: invitee.id });
    // The member's next request inside the workspace passes.
    expect((await client.request(`/v1/workspaces/${workspaceId}/invitations`, { headers: bearer(invitee.accessToken) })).status).toBe(200);

    const audited = await db.select().from(auditLog).where(and(eq(auditLog.workspaceId, workspaceId), eq(auditLog.actorId, invitee.id)));
    expect(audited.map(({ action, targetType, targetId }) => ({ action, targetType, targetId })).sort((a, b) => a.action.localeCompare(b.action))).toEqual([
      { action: "invitation.accepted", targetType: "invitation", targetId: invited.id },
      { action: "member.added", targetType: "member", targetId: invitee.id },
    ]);
  });

  it("grants a custom role", async () => {
    const client = accountsApp();
    const { owner, workspaceId } = await team();
    const role = await customRole(workspaceId, ["workspace:read", "task:read"]);
    const invitee = await person();
    const { token } = await invited(client, owner, workspaceId, { email: invitee.email, role: undefined, customRoleId: role });
    expect(await (await accept(client, invitee, token)).json()).toEqual({ workspaceId, role: null, customRoleId: role });
    expect(await membersOf(workspaceId, invitee.id)).toMatchObject([{ role: null, customRoleId: role }]);
  });

  it("lets exactly one of many concurrent acceptances of one token through; the others get INVALID_TOKEN, and there is one membership", async () => {
    const client = accountsApp();
    const { workspaceId, invitee, token } = await invitation(client);
    const answers = await Promise.all(Array.from({ length: 8 }, () => accept(client, invitee, token)));
    const statuses = answers.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 400)).toHaveLength(7);
    for (const answer of answers.filter((response) => response.status === 400)) await expectProblem(answer, { status: 400, code: "INVALID_TOKEN" });
    expect(await membersOf(workspaceId, invitee.id)).toHaveLength(1);
    const audited = await db.select().from(auditLog).where(and(eq(auditLog.workspaceId, workspaceId), eq(auditLog.action, "member.added")));
    expect(audited).toHaveLength(1);
  });

  it("works until seven days after the mail, and not from then on", async () => {
    const early = accountsApp(manualClock());
    const late = accountsApp(manualClock());
    const first = await invitation(early);
    const second = await invitation(late);
    early.time.advance(INVITATION_LIFETIME_MS - 1000);
    late.time.advance(INVITATION_LIFETIME_MS);
    expect((await accept(early, await signedInAgain(early, first.invitee), first.token)).status).toBe(200);
    await expectProblem(await accept(late, await signedInAgain(late, second.invitee), second.token), { status: 400, code: "INVALID_TOKEN" });
    expect(await membersOf(second.workspaceId, second.invitee.id)).toEqual([]);
  });

  it("refuses an account of another address (403), and leaves the invitation for the right one", async () => {
    const client = accountsApp();
    const { workspaceId, invitee, token } = await invitation(client);
    const stranger = await person();
    const problem = await expectProblem(await accept(client, stranger, token), { status: 403, code: "FORBIDDEN" });
    expect(problem.detail).toMatch(/another e-mail address/);
    expect(problem.detail).not.toContain(invitee.email);
    expect(await membersOf(workspaceId, stranger.id)).toEqual([]);
    expect((await accept(client, invitee, token)).status).toBe(200);
  });

  it("refuses an account whose address is not verified (403); once verified, it may accept", async () => {
    const client = accountsApp();
    const { owner, workspaceId } = await team();
    const unverified = await person({ verified: false });
    const { token } = await invited(client, owner, workspaceId, { email: unverified.email });
    const problem = await expectProblem(await accept(client, unverified, token), { status: 403, code: "FORBIDDEN" });
    expect(problem.detail).toMatch(/Confirm your e-mail address/);
    expect(await membersOf(workspaceId, unverified.id)).toEqual([]);

    await db.update(users).set({ emailVerifiedAt: new Date() }).where(eq(users.id, unverified.id));
    expect((await accept(client, unverified, token)).status).toBe(200);
  });

  it("answers one INVALID_TOKEN for a revoked, declined, used, replaced, unknown or malformed token, or one of a deleted workspace", async () => {
    const client = accountsApp();
    const { owner, workspaceId } = await team();
    const invitees = await Promise.all([person(), person(), person(), person()]);
    // One after the other: each takes the mail its invitation queued.
    const sent = [];
    for (const invitee of invitees) sent.push({ invitee, ...(await invited(client, owner, workspaceId, { email: invitee.email })) });
    const [revoked, declined, used, replaced] = sent;
    await client.request(`${invitationsPath(workspaceId)}/${revoked!.invitation.id}`, { method: "DELETE", headers: bearer(owner.accessToken) });
    expect((await decline(client, declined!.token)).status).toBe(204);
    expect((await accept(client, used!.invitee, used!.token)).status).toBe(200);
    client.time.advance(60_000);
    const resent = await client.request(`${invitationsPath(workspaceId)}/${replaced!.invitation.id}/resend`, { method: "POST", headers: bearer(owner.accessToken) });
    expect(resent.status).toBe(200);
    const newToken = (client.queue.take() as InvitationMail[])[0]!.token;
    const deleted = await invitation(client);
    await db.update(workspaces).set({ deletedAt: new Date() }).where(eq(workspaces.id, deleted.workspaceId));

    const anyone = await person({}, client.time.clock);
    const cases = [
      ...[revoked!, declined!, used!, replaced!, deleted].map(({ invitee, token }) => ({ invitee, token })),
      { invitee: anyone, token: createOpaqueToken("invitation") },
      { invitee: anyone, token: createOpaqueToken("verification") },
      { invitee: anyone, token: "it_short" },
    ];
    for (const { invitee, token } of cases) {
      const problem = await expectProblem(await accept(client, invitee, token), { status: 400, code: "INVALID_TOKEN" });
      expect(problem.detail).toMatch(/invitation is invalid/);
    }
    expect(await membersOf(deleted.workspaceId, deleted.invitee.id)).toEqual([]);
    // The resent mail's token works where the first one no longer does.
    expect((await accept(client, replaced!.invitee, newToken)).status).toBe(200);
  });

  it("keeps a member's membership as it is: the invitation is used, no second row, no role change", async () => {
    const client = accountsApp();
    const { owner, workspaceId } = await team();
    const invitee = await person();
    const { token, invitation: sent } = await invited(client, owner, workspaceId, { email: invitee.email, role: "admin" });
    // They became a member meanwhile, some other way.
    await db.insert(workspaceMembers).values({ workspaceId, userId: invitee.id, role: "viewer" });

    expect(await (await accept(client, invitee, token)).json()).toEqual({ workspaceId, role: "viewer", customRoleId: null });
    expect(await membersOf(workspaceId, invitee.id)).toMatchObject([{ role: "viewer" }]);
    expect((await storedInvitation(sent.id))!.acceptedBy).toBe(invitee.id);
    const added = await db.select().from(auditLog).where(and(eq(auditLog.workspaceId, workspaceId), eq(auditLog.action, "member.added")));
    expect(added).toEqual([]);
  });

  it("needs a signed-in user: no token is 401", async () => {
    const client = accountsApp();
    const { token } = await invitation(client);
    await expectProblem(await client.post("/v1/invitations/accept", { token }), { status: 401, code: "UNAUTHORIZED" });
  });

  it("takes the token in a closed JSON body, and never writes it to a log line", async () => {
    const client = accountsApp();
    const { invitee, token } = await invitation(client);
    await expectProblem(await client.post("/v1/invitations/accept", { token, workspaceId: "ws_x" }, bearer(invitee.accessToken)), { status: 400, code: "VALIDATION_FAILED" });
    const lines: string[] = [];
    for (const level of ["log", "info", "warn", "error"] as const) vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" ")));
    try {
      expect((await accept(client, invitee, token)).status).toBe(200);
      await expectProblem(await accept(client, invitee, token), { status: 400, code: "INVALID_TOKEN" });
      await expectProblem(await decline(client, token), { status: 400, code: "INVALID_TOKEN" });
    } finally {
      vi.restoreAllMocks();
    }
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).not.toContain(token.slice(3));
  });
});

describe("POST /v1/invitations/decline", () => {
  it("declines without an account, in one statement with its audit row; the token then works no more", async () => {
    const client = accountsApp();
    const { owner, workspaceId } = await team();
    const email = uniqueEmail("no-account");
    const { token, invitation: sent } = await invited(client, owner, workspaceId, { email });
    const { result, roundTrips } = await countDatabaseRoundTrips(() => decline(client, token));
    expect(result.status).toBe(204);
    expect(roundTrips).toBe(1);
    expect((await storedInvitation(sent.id))!.declinedAt).toEqual(new Date(client.time.clock()));
    await expectProblem(await decline(client, token), { status: 400, code: "INVALID_TOKEN" });
    const audited = await db.select().from(auditLog).where(and(eq(auditLog.targetId, sent.id), eq(auditLog.action, "invitation.declined")));
    expect(audited).toMatchObject([{ actorId: null, workspaceId, details: { email } }]);

    const invitee = await person({ email });
    await expectProblem(await accept(client, invitee, token), { status: 400, code: "INVALID_TOKEN" });
  });

  it("names a signed-in decliner in the audit log", async () => {
    const client = accountsApp();
    const { invitee, token, invitation: sent } = await invitation(client);
    expect((await decline(client, token, bearer(invitee.accessToken))).status).toBe(204);
    const audited = await db.select().from(auditLog).where(and(eq(auditLog.targetId, sent.id), eq(auditLog.action, "invitation.declined")));
    expect(audited).toMatchObject([{ actorId: invitee.id }]);
  });
});
