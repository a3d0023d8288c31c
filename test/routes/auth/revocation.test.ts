import { describe, expect, it } from "vitest";
import { createApp } from "../../../src/app";
import { call } from "../../helpers/app";
import { manualClock } from "../../helpers/clock";
import { bearer, createUser, signIn, testConfig } from "../../helpers/identity";
import { expectProblem } from "../../helpers/problem";

const SECOND = 1000;
const CHECK_TTL_MS = testConfig().SESSION_CHECK_TTL_SECONDS * SECOND;

/**
 * Two apps on one clock stand for two isolates: what one learns is in its own memory only, the
 * database is shared. The bound under test is how long an isolate that checked a session before it
 * was ended keeps accepting its access tokens.
 */
function twoIsolates() {
  const time = manualClock();
  const first = createApp({ clock: time.clock });
  const second = createApp({ clock: time.clock });
  return { time, first: (path: string, init?: RequestInit) => call(first, path, init), second: (path: string, init?: RequestInit) => call(second, path, init) };
}

const sessionsOf = (request: (path: string, init?: RequestInit) => Promise<Response>, accessToken: string) =>
  request("/v1/auth/sessions", { headers: bearer(accessToken) });

describe("revocation at the edge", () => {
  it("stops a logged-out session's access token at once where it logged out, and within the bound everywhere", async () => {
    const { time, first, second } = twoIsolates();
    const user = await createUser();
    const tokens = await signIn(user, time.clock);
    // The second isolate checks the session while it is active, and caches that.
    expect((await sessionsOf(second, tokens.accessToken)).status).toBe(200);

    expect((await first("/v1/auth/logout", { method: "POST", headers: bearer(tokens.accessToken) })).status).toBe(204);
    await expectProblem(await sessionsOf(first, tokens.accessToken), { status: 401, code: "UNAUTHORIZED" });

    time.advance(CHECK_TTL_MS - 1);
    expect((await sessionsOf(second, tokens.accessToken)).status).toBe(200);
    time.advance(1);
    await expectProblem(await sessionsOf(second, tokens.accessToken), { status: 401, code: "UNAUTHORIZED" });
    expect(CHECK_TTL_MS).toBeLessThanOrEqual(60 * SECOND);
  });

  it("stops the other sessions' access tokens within the bound after a password change, and after account deletion", async () => {
    const { time, first, second } = twoIsolates();
    const user = await createUser();
    const [laptop, phone] = await Promise.all([signIn(user, time.clock), signIn(user, time.clock)]);
    expect((await sessionsOf(second, phone.accessToken)).status).toBe(200);

    const change = { currentPassword: user.password, newPassword: "a brand new passphrase for this test" };
    const changed = await first("/v1/auth/password/change", { method: "POST", headers: bearer(laptop.accessToken, { "Content-Type": "application/json" }), body: JSON.stringify(change) });
    expect(changed.status).toBe(204);
    time.advance(CHECK_TTL_MS - 1);
    expect((await sessionsOf(second, phone.accessToken)).status).toBe(200);
    time.advance(1);
    await expectProblem(await sessionsOf(second, phone.accessToken), { status: 401, code: "UNAUTHORIZED" });

    expect((await sessionsOf(second, laptop.accessToken)).status).toBe(200);
    expect((await first("/v1/me", { method: "DELETE", headers: bearer(laptop.accessToken) })).status).toBe(204);
    time.advance(CHECK_TTL_MS);
    await expectProblem(await sessionsOf(second, laptop.accessToken), { status: 401, code: "UNAUTHORIZED" });
  });

  it("refuses a logged-out session's refresh token", async () => {
    const { time, first } = twoIsolates();
    const tokens = await signIn(await createUser(), time.clock);
    await first("/v1/auth/logout", { method: "POST", headers: bearer(tokens.accessToken) });
    const response = await first("/v1/auth/refresh", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ refreshToken: tokens.refreshToken }) });
    await expectProblem(response, { status: 401, code: "UNAUTHORIZED" });
  });

  it("ends one of the caller's sessions by id, within the bound in another isolate", async () => {
    const { time, first, second } = twoIsolates();
    const user = await createUser();
    const [laptop, phone] = await Promise.all([signIn(user, time.clock), signIn(user, time.clock)]);
    expect((await sessionsOf(second, phone.accessToken)).status).toBe(200);

    expect((await first(`/v1/auth/sessions/${phone.sessionId}`, { method: "DELETE", headers: bearer(laptop.accessToken) })).status).toBe(204);
    time.advance(CHECK_TTL_MS);
    await expectProblem(await sessionsOf(second, phone.accessToken), { status: 401, code: "UNAUTHORIZED" });
    expect((await sessionsOf(second, laptop.accessToken)).status).toBe(200);
  });

  it("answers another user's session, or an unknown one, with 404 and ends nothing", async () => {
    const { time, first } = twoIsolates();
    const [alice, mallory] = await Promise.all([createUser(), createUser()]);
    const [aliceTokens, malloryTokens] = await Promise.all([signIn(alice, time.clock), signIn(mallory, time.clock)]);
    await expectProblem(await first(`/v1/auth/sessions/${aliceTokens.sessionId}`, { method: "DELETE", headers: bearer(malloryTokens.accessToken) }), {
      status: 404,
      code: "NOT_FOUND",
    });
    await expectProblem(await first("/v1/auth/sessions/ses_unknown", { method: "DELETE", headers: bearer(malloryTokens.accessToken) }), { status: 404, code: "NOT_FOUND" });
    expect((await sessionsOf(first, aliceTokens.accessToken)).status).toBe(200);
  });

  it("lists the caller's active sessions with the current one marked, and ends all the others", async () => {
    const { time, first } = twoIsolates();
    const user = await createUser();
    const [current, other, third] = await Promise.all([signIn(user, time.clock), signIn(user, time.clock), signIn(user, time.clock)]);
    const listed = await (await sessionsOf(first, current.accessToken)).json<{ sessions: Array<{ id: string; current: boolean; device: string }> }>();
    expect(listed.sessions.map((session) => session.id).sort()).toEqual([current.sessionId, other.sessionId, third.sessionId].sort());
    expect(listed.sessions.filter((session) => session.current).map((session) => session.id)).toEqual([current.sessionId]);
    expect(listed.sessions[0]!.device).toBe("Unknown device");

    const ended = await first("/v1/auth/sessions", { method: "DELETE", headers: bearer(current.accessToken) });
    expect(await ended.json()).toEqual({ revoked: 2 });
    time.advance(CHECK_TTL_MS);
    await expectProblem(await sessionsOf(first, other.accessToken), { status: 401, code: "UNAUTHORIZED" });
    const after = await (await sessionsOf(first, current.accessToken)).json<{ sessions: Array<{ id: string }> }>();
    expect(after.sessions.map((session) => session.id)).toEqual([current.sessionId]);
  });
});
