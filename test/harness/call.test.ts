// test/helpers/app.ts's call(): the request gets a real execution context, whose waitUntil work
// call() waits for.
import { describe, expect, it } from "vitest";
import { call, testApp } from "../helpers/app";

/** Work that finishes a task later than the response: after a timer, never within microtasks. */
const afterATimer = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe("call()", () => {
  it("returns once the work the request passed to waitUntil has finished", async () => {
    const finished: string[] = [];
    const app = testApp((app) =>
      app.get("/v1/test/later", (c) => {
        c.executionCtx.waitUntil(afterATimer().then(() => finished.push("background work")));
        return c.json({ answered: true });
      }),
    );
    const response = await call(app, "/v1/test/later");
    expect(await response.json()).toEqual({ answered: true });
    expect(finished).toEqual(["background work"]);
  });

  it("rejects when the work passed to waitUntil fails, so a background failure is not lost", async () => {
    const app = testApp((app) =>
      app.get("/v1/test/later", (c) => {
        c.executionCtx.waitUntil(afterATimer().then(() => Promise.reject(new Error("background work failed"))));
        return c.json({ answered: true });
      }),
    );
    await expect(call(app, "/v1/test/later")).rejects.toThrow("background work failed");
  });
});
