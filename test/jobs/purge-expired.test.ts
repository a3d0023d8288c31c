import { inArray } from "drizzle-orm";
import { workerBindings } from "../../dev/stack-info.ts";
import { describe, expect, it } from "vitest";
import { createDatabase } from "../../src/db/client";
import { ipRules, oauthExchangeCodes, oauthStates, oneTimeTokens, refreshTokens, sessions, workspaceInvitations, workspaces } from "../../src/db/schema";
import { newId } from "../../src/lib/ids";
import { EXPIRED_ROW_GRACE_MS, purgeExpiredRows, type ExpiredRowKind } from "../../src/services/maintenance/expired-rows";
import { createUser, testConfig } from "../helpers/identity";
import { countDatabaseRoundTrips } from "../helpers/round-trips";
import { ownDatabaseStack } from "../helpers/stack";

// A database of its own: the purge takes every expired row of its database, and the hourly cron that
// other files trigger would take this file's.
const stack = ownDatabaseStack("expired-purge");
const database = createDatabase(testConfig(workerBindings(stack)));
const db = database.http;
const NOW = Date.now();
const MINUTE = 60 * 1000;

/** An expiry just past `kind`'s grace (purged), and one just within it (kept). */
const expired = (kind: ExpiredRowKind) => new Date(NOW - EXPIRED_ROW_GRACE_MS[kind] - MINUTE);
const recent = (kind: ExpiredRowKind) => new Date(NOW - EXPIRED_ROW_GRACE_MS[kind] + MINUTE);
const random = () => crypto.randomUUID();

async function fixtures() {
  const user = await createUser({ stack });
  const workspaceId = newId("workspace");
  await db.insert(workspaces).values({ id: workspaceId, name: "Expiring", slug: `ws-${random().slice(0, 8)}`, createdBy: user.id });
  const rows = {
    sessions: [newId("session"), newId("session")],
    oneTimeTokens: [random(), random()],
    oauthStates: [random(), random()],
    oauthExchangeCodes: [random(), random()],
    invitations: [newId("invitation"), newId("invitation"), newId("invitation")],
    ipRules: [newId("ipRule"), newId("ipRule")],
  };
  const refreshToken = random();
  const invitation = (id: string, expiresAt: Date, acceptedAt: Date | null) => ({ id, workspaceId, email: `${random()}@example.test`, role: "member" as const, tokenHash: random(), expiresAt, acceptedAt });
  await db.batch([
    db.insert(sessions).values(rows.sessions.map((id, index) => ({ id, userId: user.id, expiresAt: [expired, recent][index]!("sessions") }))),
    db.insert(refreshTokens).values({ tokenHash: refreshToken, sessionId: rows.sessions[0]! }),
    db.insert(oneTimeTokens).values(rows.oneTimeTokens.map((tokenHash, index) => ({ tokenHash, userId: user.id, purpose: "password_reset" as const, email: user.email, expiresAt: [expired, recent][index]!("oneTimeTokens") }))),
    db.insert(oauthStates).values(rows.oauthStates.map((stateHash, index) => ({ stateHash, provider: "github" as const, codeVerifier: "v", returnTo: "/", expiresAt: [expired, recent][index]!("oauthStates") }))),
    db.insert(oauthExchangeCodes).values(rows.oauthExchangeCodes.map((codeHash, index) => ({ codeHash, userId: user.id, provider: "github" as const, expiresAt: [expired, recent][index]!("oauthExchangeCodes") }))),
    db.insert(workspaceInvitations).values([
      invitation(rows.invitations[0]!, expired("invitations"), null),
      invitation(rows.invitations[1]!, recent("invitations"), null),
      // Accepted: history, kept however old.
      invitation(rows.invitations[2]!, expired("invitations"), new Date(NOW - 40 * 24 * 60 * MINUTE)),
    ]),
    db.insert(ipRules).values(rows.ipRules.map((id, index) => ({ id, cidr: `198.51.100.${index + 1}/32`, action: "deny" as const, createdBy: user.id, expiresAt: [expired, recent][index]!("ipRules") }))),
  ]);
  return { rows, refreshToken };
}

const left = async ({ rows, refreshToken }: Awaited<ReturnType<typeof fixtures>>) => ({
  sessions: (await db.select({ id: sessions.id }).from(sessions).where(inArray(sessions.id, rows.sessions))).map((row) => row.id),
  refreshTokens: (await db.select({ id: refreshTokens.tokenHash }).from(refreshTokens).where(inArray(refreshTokens.tokenHash, [refreshToken]))).length,
  oneTimeTokens: (await db.select({ id: oneTimeTokens.tokenHash }).from(oneTimeTokens).where(inArray(oneTimeTokens.tokenHash, rows.oneTimeTokens))).map((row) => row.id),
  oauthStates: (await db.select({ id: oauthStates.stateHash }).from(oauthStates).where(inArray(oauthStates.stateHash, rows.oauthStates))).map((row) => row.id),
  oauthExchangeCodes: (await db.select({ id: oauthExchangeCodes.codeHash }).from(oauthExchangeCodes).where(inArray(oauthExchangeCodes.codeHash, rows.oauthExchangeCodes))).map((row) => row.id),
  invitations: (await db.select({ id: workspaceInvitations.id }).from(workspaceInvitations).where(inArray(workspaceInvitations.id, rows.invitations))).map((row) => row.id).sort(),
  ipRules: (await db.select({ id: ipRules.id }).from(ipRules).where(inArray(ipRules.id, rows.ipRules))).map((row) => row.id),
});

describe("the purge of expired rows", () => {
  it("deletes each kind's rows past their grace, keeps those within it and accepted invitations, in one round trip", async () => {
    const made = await fixtures();
    const { rows } = made;

    const { result: purged, roundTrips } = await countDatabaseRoundTrips(() => purgeExpiredRows(database, NOW), stack);

    expect(roundTrips).toBe(1);
    expect(purged).toEqual({ sessions: 1, oneTimeTokens: 1, oauthStates: 1, oauthExchangeCodes: 1, invitations: 1, ipRules: 1 });
    expect(await left(made)).toEqual({
      sessions: [rows.sessions[1]],
      refreshTokens: 0,
      oneTimeTokens: [rows.oneTimeTokens[1]],
      oauthStates: [rows.oauthStates[1]],
      oauthExchangeCodes: [rows.oauthExchangeCodes[1]],
      invitations: [rows.invitations[1]!, rows.invitations[2]!].sort(),
      ipRules: [rows.ipRules[1]],
    });
  });

  it("takes at most `limit` rows of each kind per run", async () => {
    await fixtures();
    await fixtures();
    const purged = await purgeExpiredRows(database, NOW, 1);
    expect(Object.values(purged).every((count) => count === 1)).toBe(true);
  });
});
