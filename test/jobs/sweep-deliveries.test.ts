import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { webhookDeliveries } from "../../src/db/schema";
import { sweepDeliveriesJob } from "../../src/jobs/sweep-deliveries";
import { LOST_AFTER_MS } from "../../src/services/webhooks/subscriber";
import { db } from "../helpers/accounts";
import { manualClock } from "../helpers/clock";
import { createUser } from "../helpers/identity";
import { consume, insertEvent, received, receiverEndpoint, RecordingDeliveryQueue, relayTo } from "../helpers/webhooks";
import { createWorkspace } from "../helpers/workspaces";

describe("the deliveries' sweep", () => {
  it("queues again a pending delivery whose message was lost, once per grace period, and the attempt is then made", async () => {
    const owner = await createUser();
    const workspaceId = await createWorkspace(owner);
    const endpoint = await receiverEndpoint(workspaceId, owner.id);
    await insertEvent(workspaceId);
    const time = manualClock();
    const lost = new RecordingDeliveryQueue();
    await relayTo(lost, workspaceId, time.clock);
    const [message] = lost.take();
    const queue = new RecordingDeliveryQueue();
    const sweep = () => sweepDeliveriesJob({ ...env, DELIVERY_QUEUE: queue } as Env, { clock: time.clock, workspaceId });

    time.advance(LOST_AFTER_MS - 1000);
    expect(await sweep()).toBe(0);
    time.advance(2000);
    expect(await sweep()).toBe(1);
    expect(await sweep()).toBe(0);
    const [requeued] = queue.take();
    expect(requeued!.body).toEqual(message!.body);
    const [row] = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, message!.body.deliveryId));
    expect(row!.nextAttemptAt).toEqual(new Date(time.clock()));

    await consume([requeued!.body], queue, { clock: time.clock });
    expect(await received(endpoint.path)).toHaveLength(1);
    time.advance(LOST_AFTER_MS * 2);
    expect(await sweep()).toBe(0);
  });
});
