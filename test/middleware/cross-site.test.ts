import { describe, expect, it } from "vitest";
import { call, testApp } from "../helpers/app";
import { expectProblem } from "../helpers/problem";

const ALLOWED = "http://localhost:3000";
const EVIL = "https://evil.example";

const app = testApp((app) => {
  app.post("/v1/test/things", (c) => c.json({ ok: true }, 201));
  app.delete("/v1/test/things/1", (c) => c.body(null, 204));
  app.get("/v1/test/things", (c) => c.json({ ok: true }));
});

const json = (headers: Record<string, string>) => ({
  method: "POST",
  headers: { "Content-Type": "application/json", ...headers },
  body: "{}",
});

describe("cross-site requests", () => {
  it("refuses a POST from another site's page", async () => {
    const problem = await expectProblem(await call(app, "/v1/test/things", json({ Origin: EVIL })), { status: 403, code: "FORBIDDEN" });
    expect(problem.detail).toMatch(/this site/);
  });

  it("refuses a DELETE without a body from another site's page", async () => {
    await expectProblem(await call(app, "/v1/test/things/1", { method: "DELETE", headers: { Origin: EVIL } }), { status: 403, code: "FORBIDDEN" });
  });

  it("refuses an unsafe request whose fetch metadata says cross-site, even without Origin", async () => {
    await expectProblem(await call(app, "/v1/test/things/1", { method: "DELETE", headers: { "Sec-Fetch-Site": "cross-site" } }), {
      status: 403,
      code: "FORBIDDEN",
    });
  });

  it("refuses the opaque origin of sandboxed frames and local files", async () => {
    await expectProblem(await call(app, "/v1/test/things", json({ Origin: "null" })), { status: 403, code: "FORBIDDEN" });
  });

  it("accepts allowlisted origins, the API's own origin, and clients that are not browsers", async () => {
    expect((await call(app, "/v1/test/things", json({ Origin: ALLOWED, "Sec-Fetch-Site": "same-site" }))).status).toBe(201);
    expect((await call(app, "/v1/test/things", json({ Origin: "http://localhost", "Sec-Fetch-Site": "same-origin" }))).status).toBe(201);
    expect((await call(app, "/v1/test/things", json({}))).status).toBe(201);
    expect((await call(app, "/v1/test/things/1", { method: "DELETE" })).status).toBe(204);
  });

  it("leaves safe methods to CORS", async () => {
    expect((await call(app, "/v1/test/things", { headers: { Origin: EVIL } })).status).toBe(200);
  });
});
