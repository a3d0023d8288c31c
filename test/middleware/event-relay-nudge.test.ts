import { describe, expect, it, vi } from "vitest";
import { call, testApp } from "../helpers/app";
import { signedInUser } from "../helpers/workspaces";

/** A stand-in for EVENTS_QUEUE that records each message sent, or refuses them. */
function recordingQueue({ failing = false } = {}) {
  const sent: unknown[] = [];
  return {
    sent,
    queue: {
      send: async (body: unknown) => {
        if (failing) throw new Error("queue unavailable");
        sent.push(body);
      },
    },
  };
}

const app = testApp((app) => {
  app.post("/v1/workspaces/nudge-test/written", (c) => c.json({ ok: true }, 201));
  app.post("/v1/workspaces/nudge-test/refused", (c) => c.json({ ok: false }, 409));
  app.get("/v1/workspaces/nudge-test/read", (c) => c.json({ ok: true }));
  app.post("/v1/elsewhere/written", (c) => c.json({ ok: true }, 201));
});

/** Workspace routes need a signed-in user before any handler runs. */
async function as(method: string) {
  const { accessToken } = await signedInUser();
  return { method, headers: { authorization: `Bearer ${accessToken}` } };
}

describe("the event relay's wake-up", () => {
  it("is sent once after a successful workspace write", async () => {
    const { sent, queue } = recordingQueue();
    const response = await call(app, "/v1/workspaces/nudge-test/written", await as("POST"), { EVENTS_QUEUE: queue });
    expect(response.status).toBe(201);
    expect(sent).toEqual([{ reason: "write" }]);
  });

  it.each([
    ["a refused write", "/v1/workspaces/nudge-test/refused", "POST", 409],
    ["a read", "/v1/workspaces/nudge-test/read", "GET", 200],
    ["a write outside workspaces", "/v1/elsewhere/written", "POST", 201],
  ])("is not sent after %s", async (_, path, method, status) => {
    const { sent, queue } = recordingQueue();
    const response = await call(app, path, await as(method), { EVENTS_QUEUE: queue });
    expect(response.status).toBe(status);
    expect(sent).toEqual([]);
  });

  it("costs the request nothing but a warn line when the queue refuses it", async () => {
    const { queue } = recordingQueue({ failing: true });
    const warnings = vi.spyOn(console, "warn").mockImplementation(() => {});
    const response = await call(app, "/v1/workspaces/nudge-test/written", await as("POST"), { EVENTS_QUEUE: queue });
    const logged = warnings.mock.calls.map(([line]) => String(line));
    warnings.mockRestore();
    expect(response.status).toBe(201);
    expect(logged).toEqual([expect.stringContaining('"msg":"event relay not woken"')]);
  });
});
