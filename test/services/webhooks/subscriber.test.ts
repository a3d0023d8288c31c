import { eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { events, webhookDeliveries, webhookEndpoints } from "../../../src/db/schema";
import { isId } from "../../../src/lib/ids";
import { db } from "../../helpers/accounts";
import { createUser } from "../../helpers/identity";
import { consume, insertEvent, receiverEndpoint, RecordingDeliveryQueue, relayTo } from "../../helpers/webhooks";
import { createWorkspace } from "../../helpers/workspaces";

const deliveriesOf = (endpointIds: string[]) => db.select().from(webhookDeliveries).where(inArray(webhookDeliveries.endpointId, endpointIds));

describe("the outbound webhooks' relay subscriber", () => {
  it("creates one delivery per enabled endpoint subscribed to the event's type, and queues each", async () => {
    const owner = await createUser();
    const [workspaceId, otherWorkspaceId] = await Promise.all([createWorkspace(owner), createWorkspace(owner)]);
    const [all, comments, disabled, deleted, elsewhere] = await Promise.all([
      receiverEndpoint(workspaceId, owner.id),
      receiverEndpoint(workspaceId, owner.id, { eventTypes: ["comment.added"] }),
      receiverEndpoint(workspaceId, owner.id),
      receiverEndpoint(workspaceId, owner.id),
      receiverEndpoint(otherWorkspaceId, owner.id),
    ]);
    await db.update(webhookEndpoints).set({ disabledAt: new Date() }).where(eq(webhookEndpoints.id, disabled.endpointId));
    await db.update(webhookEndpoints).set({ deletedAt: new Date() }).where(eq(webhookEndpoints.id, deleted.endpointId));
    const taskEvent = await insertEvent(workspaceId, "task.created");
    const commentEvent = await insertEvent(workspaceId, "comment.added");
    const queue = new RecordingDeliveryQueue();

    expect(await relayTo(queue, workspaceId)).toBe(2);

    const rows = await deliveriesOf([all, comments, disabled, deleted, elsewhere].map((endpoint) => endpoint.endpointId));
    expect(rows.map((row) => `${row.endpointId} ${row.eventId}`).sort()).toEqual(
      [`${all.endpointId} ${taskEvent}`, `${all.endpointId} ${commentEvent}`, `${comments.endpointId} ${commentEvent}`].sort(),
    );
    expect(rows.every((row) => isId("webhookDelivery", row.id) && row.status === "pending" && row.attempts === 0 && row.workspaceId === workspaceId)).toBe(true);
    expect(new Set(rows.map((row) => row.id)).size).toBe(3);
    expect(queue.take().map((message) => message.body.deliveryId).sort()).toEqual(rows.map((row) => row.id).sort());
  });

  it("is idempotent by event id: events handed over twice make one delivery per endpoint, re-queueing only those never attempted", async () => {
    const owner = await createUser();
    const workspaceId = await createWorkspace(owner);
    const endpoint = await receiverEndpoint(workspaceId, owner.id);
    const [first, second] = [await insertEvent(workspaceId), await insertEvent(workspaceId)];
    const queue = new RecordingDeliveryQueue();
    await relayTo(queue, workspaceId);
    const queued = queue.take();
    expect(queued).toHaveLength(2);
    // The first delivery is made; then the relay hands both events over again (at-least-once).
    const firstDelivery = (await deliveriesOf([endpoint.endpointId])).find((row) => row.eventId === first)!;
    await consume([{ deliveryId: firstDelivery.id }], queue);
    await db.update(events).set({ relayedAt: null, relayClaimedUntil: null }).where(inArray(events.id, [first, second]));

    expect(await relayTo(queue, workspaceId)).toBe(2);

    const rows = await deliveriesOf([endpoint.endpointId]);
    expect(rows).toHaveLength(2);
    expect(queue.take().map((message) => message.body.deliveryId)).toEqual([rows.find((row) => row.eventId === second)!.id]);
    // A duplicate message of the delivery already made sends nothing more.
    await consume([{ deliveryId: firstDelivery.id }], queue);
    expect((await deliveriesOf([endpoint.endpointId])).find((row) => row.id === firstDelivery.id)).toMatchObject({ status: "succeeded", attempts: 1 });
  });
});
