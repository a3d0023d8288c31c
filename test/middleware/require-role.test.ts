import { describe, expect, it } from "vitest";
import { requireRole } from "../../src/middleware/require-role";
import { call, testApp } from "../helpers/app";
import { expectProblem } from "../helpers/problem";

describe("requireRole", () => {
  it("lets nobody through a route that has no authenticate() in front of it", async () => {
    let handled = 0;
    const app = testApp((app) =>
      app.get("/v1/test/admin-only", requireRole("admin"), (c) => {
        handled++;
        return c.json({ ok: true });
      }),
    );
    await expectProblem(await call(app, "/v1/test/admin-only"), { status: 403, code: "FORBIDDEN" });
    expect(handled).toBe(0);
  });
});
