import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, oauthStates, userIdentities, users } from "../../../src/db/schema";
import { hashOpaqueToken } from "../../../src/lib/tokens";
import { call, testApp } from "../../helpers/app";
import { db } from "../../helpers/accounts";
import { manualClock } from "../../helpers/clock";
import { createApp } from "../../../src/app";
import { bearer, createUser, uniqueEmail } from "../../helpers/identity";
import { callback, exchange, landing, signInWith, startSignIn, stateCookie, uniqueSubject, writtenFor } from "../../helpers/oauth";
import { expectProblem } from "../../helpers/problem";

describe("sign in with Google", () => {
  it("makes a new account for a verified address, signs it in through a one-time code, and audits it", async () => {
    const app = testApp();
    const sub = uniqueSubject("google");
    const email = uniqueEmail("google");
    const response = await signInWith(app, "google", { returnTo: "/welcome", identity: { sub, email: email.toUpperCase(), email_verified: true, name: "Ada" } });
    const target = landing(response);
    expect(`${target.origin}${target.pathname}`).toBe("http://localhost:3000/welcome");
    const code = target.searchParams.get("code")!;
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(response.headers.get("Set-Cookie")).toMatch(/^oauth_state=;.*Max-Age=0/);

    const [account] = await db.select().from(users).where(eq(users.email, email));
    expect(account).toMatchObject({ passwordHash: null, name: "Ada", emailVerifiedAt: expect.any(Date) });
    const [identity] = await db.select().from(userIdentities).where(eq(userIdentities.subject, sub));
    expect(identity).toMatchObject({ userId: account!.id, provider: "google", email });

    const traded = await exchange(app, code);
    expect(traded.status).toBe(200);
    expect(traded.headers.get("Cache-Control")).toBe("no-store");
    const tokens = await traded.json<{ accessToken: string; refreshToken: string }>();
    const me = await call(app, "/v1/me", { headers: bearer(tokens.accessToken) });
    expect(await me.json()).toMatchObject({ id: account!.id, email, emailVerified: true });

    const audits = await db.select().from(auditLog).where(eq(auditLog.actorId, account!.id));
    expect(audits.map((row) => [row.action, row.details])).toEqual(
      expect.arrayContaining([
        ["user.registered", { provider: "google" }],
        ["identity.linked", { provider: "google", via: "registration" }],
        ["login.succeeded", { provider: "google" }],
      ]),
    );
  });
});
