import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { call, testApp, type BindingOverrides } from "../helpers/app";
import { expectProblem } from "../helpers/problem";
import { countDatabaseRoundTrips } from "../helpers/round-trips";

/**
 * The configuration's rules (IP_DENY, IP_ALLOW). The admins' rules in this run's shared database stay
 * empty: test/routes/admin/ip-rules.test.ts writes them to a database of its own.
 */
function rules(settings: BindingOverrides) {
  let handled = 0;
  const app = testApp((app) =>
    app.get("/v1/test/ok", (c) => {
      handled++;
      return c.json({ ok: true });
    }),
  );
  const from = (ip: string | undefined, path = "/v1/test/ok", init: RequestInit = {}) =>
    call(app, path, { ...init, headers: { ...(ip ? { "CF-Connecting-IP": ip } : {}), ...(init.headers as Record<string, string> | undefined) } }, settings);
  return { from, handled: () => handled };
}

describe("IP rules from the configuration", () => {
  it("refuses a client in an IPv4 or IPv6 deny range with 403 before the route runs, and no other", async () => {
    const { from, handled } = rules({ IP_DENY: "203.0.113.0/24, 2001:db8:bad::/48" });
    for (const ip of ["203.0.113.9", "2001:db8:bad:1::7"]) {
      const problem = await expectProblem(await from(ip), { status: 403, code: "FORBIDDEN" });
      expect(problem.detail).toBe("Requests from your network address are not accepted.");
    }
    expect(handled()).toBe(0);
    for (const ip of ["203.0.114.9", "2001:db8:bad0::7"]) expect((await from(ip)).status).toBe(200);
    expect(handled()).toBe(2);
  });

  it("matches an IPv4-mapped IPv6 client against the IPv4 ranges", async () => {
    const { from } = rules({ IP_DENY: "203.0.113.0/24" });
    await expectProblem(await from("::ffff:203.0.113.9"), { status: 403, code: "FORBIDDEN" });
    await expectProblem(await from("::ffff:cb00:7109"), { status: 403, code: "FORBIDDEN" });
  });

  it("admits only the allow list's ranges once there is one, IPv6 included", async () => {
    const { from } = rules({ IP_ALLOW: "198.51.100.0/24,2001:db8:600d::/48" });
    expect((await from("198.51.100.20")).status).toBe(200);
    expect((await from("2001:db8:600d::20")).status).toBe(200);
    await expectProblem(await from("192.0.2.20"), { status: 403, code: "FORBIDDEN" });
    await expectProblem(await from("2001:db8:600e::20"), { status: 403, code: "FORBIDDEN" });
  });

  it("lets deny win where an allow range holds the same client", async () => {
    const { from } = rules({ IP_ALLOW: "198.51.100.0/24", IP_DENY: "198.51.100.128/25" });
    expect((await from("198.51.100.1")).status).toBe(200);
    await expectProblem(await from("198.51.100.200"), { status: 403, code: "FORBIDDEN" });
  });

  it("applies no rule to a request without CF-Connecting-IP (local development), nor takes the address from any other header", async () => {
    const { from } = rules({ IP_ALLOW: "198.51.100.0/24", IP_DENY: "203.0.113.0/24" });
    expect((await from(undefined)).status).toBe(200);
    expect((await from(undefined, "/v1/test/ok", { headers: { "X-Forwarded-For": "203.0.113.9", "X-Real-IP": "203.0.113.9" } })).status).toBe(200);
    await expectProblem(await from("203.0.113.9", "/v1/test/ok", { headers: { "X-Forwarded-For": "198.51.100.1" } }), { status: 403, code: "FORBIDDEN" });
  });

  it("keeps /health reachable for every client, for the platform's probes", async () => {
    const { from } = rules({ IP_DENY: "0.0.0.0/0,::/0" });
    expect((await from("203.0.113.9", "/health")).status).toBe(200);
    await expectProblem(await from("203.0.113.9", "/v1/openapi.json"), { status: 403, code: "FORBIDDEN" });
  });

  it("refuses before the body is read and before authentication: a malformed body or a bad token still gets 403", async () => {
    const { from } = rules({ IP_DENY: "203.0.113.0/24" });
    const malformed = { method: "POST", headers: { "Content-Type": "application/json" }, body: "{not json" };
    await expectProblem(await from("203.0.113.9", "/v1/auth/login", malformed), { status: 403, code: "FORBIDDEN" });
    await expectProblem(await from("203.0.113.9", "/v1/auth/login", { method: "POST", headers: { "Content-Type": "text/plain" }, body: "x" }), { status: 403, code: "FORBIDDEN" });
    await expectProblem(await from("203.0.113.9", "/v1/me", { headers: { Authorization: "Bearer not-a-token" } }), { status: 403, code: "FORBIDDEN" });
    // The same requests from elsewhere meet the checks the refusal came before.
    await expectProblem(await from("192.0.2.9", "/v1/auth/login", malformed), { status: 400, code: "MALFORMED_JSON" });
    await expectProblem(await from("192.0.2.9", "/v1/me", { headers: { Authorization: "Bearer not-a-token" } }), { status: 401, code: "UNAUTHORIZED" });
  });

  it("refuses a client the configuration denies without any database round trip", async () => {
    const { from } = rules({ IP_DENY: "203.0.113.0/24" });
    const { result, roundTrips } = await countDatabaseRoundTrips(() => from("203.0.113.9", "/v1/me", { headers: { Authorization: "Bearer not-a-token" } }));
    expect(result.status).toBe(403);
    expect(roundTrips).toBe(0);
  });

  it("answers in the client's language, with CORS headers an allowed origin's browser can read", async () => {
    const { from } = rules({ IP_DENY: "203.0.113.0/24", CORS_ORIGINS: "https://app.example.test" });
    const german = await from("203.0.113.9", "/v1/test/ok", { headers: { "Accept-Language": "de", Origin: "https://app.example.test" } });
    expect((await expectProblem(german, { status: 403, code: "FORBIDDEN" })).detail).toBe("Anfragen von Ihrer Netzwerkadresse werden nicht angenommen.");
    expect(german.headers.get("Access-Control-Allow-Origin")).toBe("https://app.example.test");
    const spanish = await from("203.0.113.9", "/v1/test/ok", { headers: { "Accept-Language": "es" } });
    expect((await expectProblem(spanish, { status: 403, code: "FORBIDDEN" })).detail).toBe("No se aceptan solicitudes desde su dirección de red.");
  });

  it.each(["IP_DENY", "IP_ALLOW"])("answers CONFIGURATION_ERROR naming %s when one of its ranges is malformed, never showing it", async (setting) => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const { from } = rules({ [setting]: "203.0.113.0/24,010.1.2.3/8" });
    const response = await from("192.0.2.9");
    const problem = await expectProblem(response, { status: 500, code: "CONFIGURATION_ERROR" });
    expect(problem.detail).toContain(setting);
    expect(JSON.stringify(problem)).not.toContain("010.1.2.3");
    expect(JSON.stringify(errors.mock.calls)).not.toContain("010.1.2.3");
    errors.mockRestore();
  });
});

describe("reading the admins' IP rules", () => {
  it("keeps the request that reads the admins' rules until the read settles, for the requests waiting on it too", async () => {
    const app = testApp();
    const request = async () => {
      const ctx = createExecutionContext();
      const waitUntil = vi.spyOn(ctx, "waitUntil");
      // A path the Cache API leaves alone: storing the OpenAPI document is work kept by waitUntil too.
      const response = await app.request("/v1/nope", { headers: { "CF-Connecting-IP": "192.0.2.9" } }, env, ctx);
      await waitOnExecutionContext(ctx);
      return { status: response.status, kept: waitUntil.mock.calls.length };
    };
    expect(await request()).toEqual({ status: 404, kept: 1 });
    expect(await request()).toEqual({ status: 404, kept: 0 });
  });
});
