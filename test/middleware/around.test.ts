import type { Handler } from "hono";
import { describe, expect, it } from "vitest";
import type { AppEnv } from "../../src/lib/app-env";
import { createRouter } from "../../src/lib/create-router";
import { around, type AroundHook } from "../../src/middleware/around";

/** A hook that notes when it opens and closes, and what the response was when it closed. */
function recording(name: string, log: string[]): AroundHook {
  return {
    open: () => log.push(`open ${name}`),
    close: (c) => log.push(`close ${name} ${c.res.status}`),
  };
}

function appWith(hooks: AroundHook[], handler: Handler<AppEnv>) {
  const app = createRouter();
  app.use(around("test", hooks));
  app.get("/thing", handler);
  app.onError((error, c) => c.json({ error: error.message }, 500));
  return app;
}

describe("around", () => {
  it("opens hooks in order before the handler and closes them in reverse once the response is known", async () => {
    const log: string[] = [];
    const app = appWith([recording("a", log), recording("b", log), recording("c", log)], (c) => {
      log.push("handler");
      return c.json({ ok: true }, 201);
    });

    const response = await app.request("/thing");

    expect(response.status).toBe(201);
    expect(log).toEqual(["open a", "open b", "open c", "handler", "close c 201", "close b 201", "close a 201"]);
  });

  it("closes on the problem an error became, and on a 404", async () => {
    const log: string[] = [];
    const app = appWith([recording("a", log)], () => {
      throw new Error("boom");
    });

    expect((await app.request("/thing")).status).toBe(500);
    expect((await app.request("/elsewhere")).status).toBe(404);
    expect(log).toEqual(["open a", "close a 500", "open a", "close a 404"]);
  });

  it("lets a close set headers that reach the client, after an open's variables reached the handler", async () => {
    const hook: AroundHook = {
      open: (c) => c.set("requestId", "from-open"),
      close: (c) => c.res.headers.set("X-Seen", c.get("requestId")),
    };
    const app = appWith([hook], (c) => c.json({ requestId: c.get("requestId") }));

    const response = await app.request("/thing");

    expect(await response.json()).toEqual({ requestId: "from-open" });
    expect(response.headers.get("X-Seen")).toBe("from-open");
  });

  it("gives every close the same duration, measured from before the first open", async () => {
    const durations: number[] = [];
    const timing: AroundHook = { close: (_, { durationMs }) => durations.push(durationMs) };
    const app = appWith([timing, timing], async (c) => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      return c.json({});
    });

    await app.request("/thing");

    expect(durations).toHaveLength(2);
    expect(durations[0]).toBe(durations[1]);
    expect(durations[0]).toBeGreaterThanOrEqual(25);
  });

  it("answers an open that throws as an error, without closing its group", async () => {
    const log: string[] = [];
    const refusing: AroundHook = {
      open: () => {
        throw new Error("refused");
      },
    };
    const app = appWith([recording("a", log), refusing, recording("c", log)], () => new Response("never"));

    const response = await app.request("/thing");

    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: "refused" });
    expect(log).toEqual(["open a"]);
  });
});
