import { describe, expect, it, vi } from "vitest";
import { call, testApp } from "../helpers/app";
import { DEPLOYED_MAIL_PROVIDER, DEPLOYED_METRICS, PRODUCTION_PROVIDER_ENDPOINTS } from "../helpers/deployed-settings";
import { expectNoLeak, expectProblem } from "../helpers/problem";

const DEPLOYED_PROVIDERS = PRODUCTION_PROVIDER_ENDPOINTS;

describe("configuration", () => {
  const app = testApp((app) => app.get("/v1/test/ok", (c) => c.json({ ok: true })));

  it("answers 500 CONFIGURATION_ERROR naming a missing setting, and logs it", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const response = await call(app, "/v1/test/ok", { headers: { "X-Request-Id": "cfg-1" } }, { DATABASE_URL: undefined });
    const problem = await expectProblem(response, { status: 500, code: "CONFIGURATION_ERROR" });
    expect(problem.detail).toContain("DATABASE_URL");

    const logged = errors.mock.calls.map(([line]) => JSON.parse(String(line)));
    expect(logged).toContainEqual(expect.objectContaining({ level: "error", requestId: "cfg-1", settings: ["DATABASE_URL"] }));
    errors.mockRestore();
  });

  it("names every malformed setting but never shows its value", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const response = await call(app, "/v1/test/ok", undefined, {
      DATABASE_URL: "mysql://admin:hunter2@db.internal/app",
      MAX_BODY_BYTES: "lots",
    });
    await expectNoLeak(response, ["mysql://", "db.internal", "lots"]);
    const problem = await expectProblem(response, { status: 500, code: "CONFIGURATION_ERROR" });
    expect(problem.detail).toContain("DATABASE_URL");
    expect(problem.detail).toContain("MAX_BODY_BYTES");
    expect(JSON.stringify(errors.mock.calls)).not.toContain("hunter2");
    errors.mockRestore();
  });

  it("answers unknown routes with the configuration error too, since nothing past liveness can run", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const response = await call(app, "/v1/nope", undefined, { APP_ENV: undefined });
    const problem = await expectProblem(response, { status: 500, code: "CONFIGURATION_ERROR" });
    expect(problem.detail).toContain("APP_ENV");
    errors.mockRestore();
  });

  it.each(["staging", "production"])("refuses the local stack's Neon settings in %s: they turn off TLS to the database", async (appEnv) => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const response = await call(app, "/v1/test/ok", undefined, { APP_ENV: appEnv });
    const problem = await expectProblem(response, { status: 500, code: "CONFIGURATION_ERROR" });
    expect(problem.detail).toContain("NEON_HTTP_ENDPOINT");
    expect(problem.detail).toContain("NEON_WS_PROXY");
    vi.restoreAllMocks();
  });

  it("accepts staging without the local stack's settings", async () => {
    const response = await call(app, "/v1/test/ok", undefined, { APP_ENV: "staging", NEON_HTTP_ENDPOINT: undefined, NEON_WS_PROXY: "", ...DEPLOYED_MAIL_PROVIDER, ...DEPLOYED_PROVIDERS, ...DEPLOYED_METRICS });
    expect(response.status).toBe(200);
  });

  it.each(["staging", "production"])("requires METRICS_TOKEN in %s, and a long one", async (appEnv) => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const deployed = { APP_ENV: appEnv, NEON_HTTP_ENDPOINT: undefined, NEON_WS_PROXY: undefined, ...DEPLOYED_MAIL_PROVIDER, ...DEPLOYED_PROVIDERS };
    expect((await expectProblem(await call(app, "/v1/test/ok", undefined, deployed), { status: 500, code: "CONFIGURATION_ERROR" })).detail).toContain("METRICS_TOKEN");
    const short = await call(app, "/v1/test/ok", undefined, { ...deployed, METRICS_TOKEN: "short" });
    expect((await expectProblem(short, { status: 500, code: "CONFIGURATION_ERROR" })).detail).toContain("METRICS_TOKEN");
    vi.restoreAllMocks();
    expect((await call(app, "/v1/test/ok", undefined, { ...deployed, ...DEPLOYED_METRICS })).status).toBe(200);
  });

  it.each([
    ["missing", undefined],
    ["weak", "short-secret"],
  ])("refuses a %s ATTACHMENT_URL_SECRET in every environment: download links would be forgeable", async (_, secret) => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    for (const appEnv of ["test", "production"]) {
      const response = await call(app, "/v1/test/ok", undefined, { APP_ENV: appEnv, NEON_HTTP_ENDPOINT: undefined, NEON_WS_PROXY: undefined, ...DEPLOYED_MAIL_PROVIDER, ATTACHMENT_URL_SECRET: secret });
      const problem = await expectProblem(response, { status: 500, code: "CONFIGURATION_ERROR" });
      expect(problem.detail).toContain("ATTACHMENT_URL_SECRET");
    }
    vi.restoreAllMocks();
  });

  it("refuses a JSON body limit above what an isolate can hold safely", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const tooLarge = await call(app, "/v1/test/ok", undefined, { MAX_BODY_BYTES: String(100 * 1024 * 1024) });
    expect((await expectProblem(tooLarge, { status: 500, code: "CONFIGURATION_ERROR" })).detail).toContain("MAX_BODY_BYTES");
    vi.restoreAllMocks();
    expect((await call(app, "/v1/test/ok", undefined, { MAX_BODY_BYTES: String(2 * 1024 * 1024) })).status).toBe(200);
  });

  it("puts the parsed config and the services on c.var for everything else", async () => {
    const seen = testApp((app) =>
      app.get("/v1/test/context", (c) =>
        c.json({ appEnv: c.var.config.APP_ENV, maxBody: c.var.config.MAX_BODY_BYTES, hasDb: typeof c.var.services.db.ping }),
      ),
    );
    const response = await call(seen, "/v1/test/context", undefined, { MAX_BODY_BYTES: "2048" });
    expect(await response.json()).toEqual({ appEnv: "test", maxBody: 2048, hasDb: "function" });
  });

  describe("sign-in providers", () => {
    const PRODUCTION = { APP_ENV: "production", NEON_HTTP_ENDPOINT: undefined, NEON_WS_PROXY: undefined, ...DEPLOYED_MAIL_PROVIDER, ...DEPLOYED_PROVIDERS, ...DEPLOYED_METRICS };

    it("refuses provider endpoints and return origins without TLS in production, and names each", async () => {
      vi.spyOn(console, "error").mockImplementation(() => {});
      const overrides = { ...PRODUCTION, GITHUB_API_URL: "http://github.example.test/api/v3", GOOGLE_JWKS_URL: "http://keys.example.test", OAUTH_RETURN_ORIGINS: "http://app.example.test" };
      const problem = await expectProblem(await call(app, "/v1/test/ok", undefined, overrides), { status: 500, code: "CONFIGURATION_ERROR" });
      for (const setting of ["GITHUB_API_URL", "GOOGLE_JWKS_URL", "OAUTH_RETURN_ORIGINS"]) expect(problem.detail).toContain(setting);
      vi.restoreAllMocks();
    });

    it("refuses a client id without its secret, and return origins that are not origins", async () => {
      vi.spyOn(console, "error").mockImplementation(() => {});
      const halfPair = await expectProblem(await call(app, "/v1/test/ok", undefined, { GOOGLE_CLIENT_SECRET: undefined }), { status: 500, code: "CONFIGURATION_ERROR" });
      expect(halfPair.detail).toContain("GOOGLE_CLIENT_SECRET");
      const path = await expectProblem(await call(app, "/v1/test/ok", undefined, { OAUTH_RETURN_ORIGINS: "https://app.example.test/path" }), { status: 500, code: "CONFIGURATION_ERROR" });
      expect(path.detail).toContain("OAUTH_RETURN_ORIGINS");
      vi.restoreAllMocks();
    });

    it("runs production on the providers' own endpoints, with sign-in off until their secrets are set", async () => {
      const overrides = { ...PRODUCTION, GOOGLE_CLIENT_ID: undefined, GOOGLE_CLIENT_SECRET: undefined, GITHUB_CLIENT_ID: undefined, GITHUB_CLIENT_SECRET: undefined };
      expect((await call(app, "/v1/test/ok", undefined, overrides)).status).toBe(200);
      await expectProblem(await call(app, "/v1/auth/oauth/google/start", undefined, overrides), { status: 404, code: "NOT_FOUND" });
    });
  });

  describe("mail", () => {
    const STAGING = { APP_ENV: "staging", NEON_HTTP_ENDPOINT: undefined, NEON_WS_PROXY: undefined, ...DEPLOYED_PROVIDERS };

    it.each(["staging", "production"])("requires the mail provider's URL, key and sender in %s", async (appEnv) => {
      vi.spyOn(console, "error").mockImplementation(() => {});
      const problem = await expectProblem(await call(app, "/v1/test/ok", undefined, { ...STAGING, APP_ENV: appEnv }), { status: 500, code: "CONFIGURATION_ERROR" });
      for (const setting of ["MAIL_API_URL", "MAIL_API_KEY", "MAIL_FROM"]) expect(problem.detail).toContain(setting);
      vi.restoreAllMocks();
    });

    it.each(["staging", "production"])("refuses the outbox in %s, even with the provider configured", async (appEnv) => {
      vi.spyOn(console, "error").mockImplementation(() => {});
      const response = await call(app, "/v1/test/ok", undefined, { ...STAGING, ...DEPLOYED_MAIL_PROVIDER, APP_ENV: appEnv, MAIL_TRANSPORT: "outbox" });
      expect((await expectProblem(response, { status: 500, code: "CONFIGURATION_ERROR" })).detail).toContain("MAIL_TRANSPORT");
      vi.restoreAllMocks();
    });

    it("refuses a provider URL without TLS, and a sender that would break its header line, in production", async () => {
      vi.spyOn(console, "error").mockImplementation(() => {});
      const overrides = { ...STAGING, ...DEPLOYED_MAIL_PROVIDER, APP_ENV: "production", MAIL_API_URL: "http://mail.example.test/emails", MAIL_FROM: "Example <a@example.test>\r\nBcc: b@example.test" };
      const problem = await expectProblem(await call(app, "/v1/test/ok", undefined, overrides), { status: 500, code: "CONFIGURATION_ERROR" });
      expect(problem.detail).toContain("MAIL_API_URL");
      expect(problem.detail).toContain("MAIL_FROM");
      vi.restoreAllMocks();
    });

    it("runs development and test on the outbox with no provider settings, and the provider only with them", async () => {
      expect((await call(app, "/v1/test/ok", undefined, { APP_ENV: "development" })).status).toBe(200);
      expect((await call(app, "/v1/test/ok")).status).toBe(200);
      vi.spyOn(console, "error").mockImplementation(() => {});
      const problem = await expectProblem(await call(app, "/v1/test/ok", undefined, { MAIL_TRANSPORT: "provider" }), { status: 500, code: "CONFIGURATION_ERROR" });
      expect(problem.detail).toContain("MAIL_API_KEY");
      vi.restoreAllMocks();
      expect((await call(app, "/v1/test/ok", undefined, { MAIL_TRANSPORT: "provider", ...DEPLOYED_MAIL_PROVIDER })).status).toBe(200);
    });
  });
});
