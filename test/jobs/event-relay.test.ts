import { env } from "cloudflare:test";
import { inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { events } from "../../src/db/schema";
import { relayEvents } from "../../src/jobs/event-relay";
import { newId } from "../../src/lib/ids";
import { RELAY_CLAIM_MS, type EventSubscriber, type RelayedEvent } from "../../src/services/events/relay";
import { db } from "../helpers/accounts";
import { allowConsoleError } from "../helpers/expected-noise";
import { createUser } from "../helpers/identity";
import { createWorkspace } from "../helpers/workspaces";

/** A workspace with `count` unrelayed events, oldest first; their ids. */
async function workspaceWithEvents(count: number) {
  const owner = await createUser();
  const workspaceId = await createWorkspace(owner);
  const ids = Array.from({ length: count }, () => newId("event"));
  // One insert: `seq` follows the rows' order.
  await db.insert(events).values(ids.map((id, index) => ({ id, workspaceId, type: "task.created", subjectType: "task", subjectId: `tsk_${index}`, actorId: owner.id, payload: { index } })));
  return { workspaceId, ids };
}

/** A subscriber that records what it was handed, failing while `failing` says so. */
function recorder(failing = () => false) {
  const received: RelayedEvent[] = [];
  const subscriber: EventSubscriber = {
    name: "recorder",
    async handle(batch) {
      if (failing()) throw new Error("subscriber down");
      received.push(...batch);
    },
  };
  return { received, subscribers: () => [subscriber] };
}

const relayedAt = async (ids: string[]) => (await db.select({ id: events.id, relayedAt: events.relayedAt }).from(events).where(inArray(events.id, ids))).filter((row) => row.relayedAt).length;

describe("the event relay", () => {
  it("hands every event to the subscribers once, in sequence order, and marks them relayed", async () => {
    const { workspaceId, ids } = await workspaceWithEvents(5);
    const { received, subscribers } = recorder();

    expect(await relayEvents(env, { subscribers, workspaceId, limit: 2 })).toBe(5);
    expect(await relayEvents(env, { subscribers, workspaceId })).toBe(0);

    expect(received.map((event) => event.id)).toEqual(ids);
    expect(received[0]).toMatchObject({ workspaceId, type: "task.created", subjectType: "task", subjectId: "tsk_0", payload: { index: 0 } });
    expect(await relayedAt(ids)).toBe(5);
  });

  it("keeps a batch a subscriber refused claimed until the lease runs out, then hands it over again", async () => {
    allowConsoleError(/events not relayed/, "the subscriber fails on purpose; the relay logs it");
    const { workspaceId, ids } = await workspaceWithEvents(2);
    let down = true;
    const { received, subscribers } = recorder(() => down);
    const now = Date.now();

    expect(await relayEvents(env, { subscribers, workspaceId, clock: () => now })).toBe(0);
    down = false;
    // Still claimed by the failed run: a second relay within the lease does not take it.
    expect(await relayEvents(env, { subscribers, workspaceId, clock: () => now + 1000 })).toBe(0);
    expect(await relayedAt(ids)).toBe(0);

    expect(await relayEvents(env, { subscribers, workspaceId, clock: () => now + RELAY_CLAIM_MS + 1000 })).toBe(2);
    expect(received.map((event) => event.id)).toEqual(ids);
  });

  it("never hands one event to two relays running at once", async () => {
    const { workspaceId, ids } = await workspaceWithEvents(30);
    const { received, subscribers } = recorder();

    const counts = await Promise.all([1, 2, 3].map(() => relayEvents(env, { subscribers, workspaceId, limit: 5 })));

    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(30);
    expect(received.map((event) => event.id).sort()).toEqual([...ids].sort());
  });
});
