import { describe, expect, it } from "vitest";
import { call } from "../../helpers/app";
import { accountsApp } from "../../helpers/accounts";
import { DEPLOYED_MAIL_PROVIDER, DEPLOYED_METRICS, PRODUCTION_PROVIDER_ENDPOINTS } from "../../helpers/deployed-settings";
import { uniqueEmail } from "../../helpers/identity";
import { deliverMail, outboxFor } from "../../helpers/mail";
import { expectProblem } from "../../helpers/problem";

/**
 * A complete production configuration: the local stack's settings and the mock sign-in providers'
 * plain-http endpoints removed, the mail provider's and the metrics token added.
 */
const PRODUCTION = {
  APP_ENV: "production",
  NEON_HTTP_ENDPOINT: undefined,
  NEON_WS_PROXY: undefined,
  ...PRODUCTION_PROVIDER_ENDPOINTS,
  ...DEPLOYED_MAIL_PROVIDER,
  ...DEPLOYED_METRICS,
};

describe("GET /dev/outbox", () => {
  it("lists the mails to an address, newest first, with the links of each", async () => {
    const { post, app, queue } = accountsApp();
    const email = uniqueEmail("outbox");
    await post("/v1/auth/register", { email, password: "a long and unusual passphrase" });
    await post("/v1/auth/password/forgot", { email });
    const [verification, reset] = queue.take();
    await deliverMail([verification]);
    await deliverMail([reset]);

    const mails = await outboxFor(app, email.toUpperCase());
    expect(mails.map((mail) => mail.template)).toEqual(["reset-password", "verify-email"]);
    expect(mails[0]).toMatchObject({ to: email, locale: "en", subject: "Reset your password", links: [expect.stringMatching(/^http:\/\/localhost:3000\/reset-password\?token=pt_/)] });
    expect(mails[1]!.links).toEqual([expect.stringMatching(/^http:\/\/localhost:3000\/verify-email\?token=vt_/)]);
  });

  it.each(["production", "staging"])("does not exist in %s: the same 404 as any unknown path", async (appEnv) => {
    const { app } = accountsApp();
    const outbox = await expectProblem(await call(app, "/dev/outbox", undefined, { ...PRODUCTION, APP_ENV: appEnv }), { status: 404, code: "NOT_FOUND" });
    const unknown = await expectProblem(await call(app, "/dev/nothing-here", undefined, { ...PRODUCTION, APP_ENV: appEnv }), { status: 404, code: "NOT_FOUND" });
    expect({ ...outbox, requestId: undefined, instance: undefined }).toEqual({ ...unknown, requestId: undefined, instance: undefined });
  });

  it("is left out of the OpenAPI document", async () => {
    const { request } = accountsApp();
    const document = await (await request("/v1/openapi.json")).json<{ paths: Record<string, unknown> }>();
    expect(Object.keys(document.paths)).not.toContain("/dev/outbox");
  });
});
