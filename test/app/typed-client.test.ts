import { hc } from "hono/client";
import { describe, expect, expectTypeOf, it } from "vitest";
import type { AppType } from "../../src/app-type";
import { call, testApp } from "../helpers/app";
import { bearer } from "../helpers/identity";
import { signedInUser } from "../helpers/workspaces";

/** A client of `AppType` whose requests go to an in-process app, with `headers` on each. */
function client(headers: Record<string, string> = {}) {
  const app = testApp();
  return hc<AppType>("http://api.test", { headers, fetch: (input: RequestInfo | URL, init?: RequestInit) => call(app, String(input instanceof Request ? input.url : input), init) });
}

describe("the typed client (hono/client over AppType)", () => {
  it("creates a workspace and reads it back, typed from the route definitions", async () => {
    const owner = await signedInUser();
    const api = client(bearer(owner.accessToken));

    const created = await api.v1.workspaces.$post({ json: { name: "Typed" } });
    expect(created.status).toBe(201);
    if (created.status !== 201) throw new Error("not created");
    const workspace = await created.json();
    expectTypeOf(workspace.id).toEqualTypeOf<string>();

    const read = await api.v1.workspaces[":workspaceId"].$get({ param: { workspaceId: workspace.id } });
    expect(read.status).toBe(200);
    if (read.status !== 200) throw new Error("not read");
    expect((await read.json()).name).toBe("Typed");

    const health = await api.health.$get();
    expect(await health.json()).toEqual({ status: "ok" });
  });

  it("refuses to compile a call the routes do not accept", () => {
    const api = client();
    // Never run: the compiler checks these (`npm run typecheck`), each line must fail to compile.
    const wrong = () => [
      // @ts-expect-error the name is a string
      api.v1.workspaces.$post({ json: { name: 42 } }),
      // @ts-expect-error a route that does not exist
      api.v1.nowhere.$get(),
      // @ts-expect-error the workspace id is required
      api.v1.workspaces[":workspaceId"].$get({ param: {} }),
      // @ts-expect-error a role's permissions come from the permission list
      api.v1.workspaces[":workspaceId"].roles.$post({ param: { workspaceId: "ws_x" }, json: { name: "Role", permissions: ["everything"] } }),
    ];
    // And these must compile: every router is one method chain, so AppType carries the domain's routes too.
    const right = () => [
      api.v1.workspaces[":workspaceId"].tasks[":taskId"].$get({ param: { workspaceId: "ws_x", taskId: "WEB-1" } }),
      api.v1.workspaces[":workspaceId"].projects.$get({ param: { workspaceId: "ws_x" }, query: {} }),
      api.v1.workspaces[":workspaceId"].tasks[":taskId"].comments[":commentId"].$get({ param: { workspaceId: "ws_x", taskId: "tsk_x", commentId: "cmt_x" } }),
      api.v1.workspaces[":workspaceId"].attachments.deleted.$get({ param: { workspaceId: "ws_x" }, query: {} }),
    ];
    expect(typeof wrong).toBe("function");
    expect(typeof right).toBe("function");
  });
});
