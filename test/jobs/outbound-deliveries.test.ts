import { and, eq } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { events, webhookAttempts, webhookDeliveries, webhookEndpoints } from "../../src/db/schema";
import { FAILING_TOO_LONG } from "../../src/services/webhooks/attempts";
import { ENDPOINT_DISABLED_EVENT } from "../../src/services/webhooks/event-types";
import { ATTEMPT_DELAYS_SECONDS, DISABLE_AFTER_FAILING_MS } from "../../src/services/webhooks/schedule";
import type { Sample } from "../../src/lib/metrics";
import { db } from "../helpers/accounts";
import { allowConsoleError } from "../helpers/expected-noise";
import { manualClock } from "../helpers/clock";
import { createUser } from "../helpers/identity";
import { consume, insertEvent, received, receiverEndpoint, RecordingDeliveryQueue, relayTo } from "../helpers/webhooks";
import { createWorkspace } from "../helpers/workspaces";

/** A workspace with one receiver endpoint answering `status`, one event relayed to it: the delivery's first message waits in `queue`. */
async function oneDelivery(status = 200, time = manualClock()) {
  const owner = await createUser();
  const workspaceId = await createWorkspace(owner);
  const endpoint = await receiverEndpoint(workspaceId, owner.id, { status });
  const eventId = await insertEvent(workspaceId);
  const queue = new RecordingDeliveryQueue();
  await relayTo(queue, workspaceId, time.clock);
  const [message] = queue.take();
  return { owner, workspaceId, endpoint, eventId, queue, message: message!, time };
}

const deliveryRow = async (id: string) => (await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, id)))[0]!;
const attemptsOf = (id: string) => db.select().from(webhookAttempts).where(eq(webhookAttempts.deliveryId, id)).orderBy(webhookAttempts.attempt);
const endpointRow = async (id: string) => (await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id)))[0]!;

describe("the DELIVERY_QUEUE consumer", () => {
  it("posts the event signed per Standard Webhooks, verifiable with the endpoint's secret, and records the success", async () => {
    const { endpoint, eventId, queue, message, workspaceId } = await oneDelivery(200, manualClock(Date.now()));
    const result = await consume([message.body], queue, { clock: Date.now });

    expect(result.explicitAcks).toHaveLength(1);
    const [hook] = await received(endpoint.path);
    expect(hook!.headers["webhook-id"]).toBe(message.body.deliveryId);
    expect(hook!.headers["content-type"]).toBe("application/json");
    expect(hook!.headers["user-agent"]).toMatch(/^edge-backend-webhooks\//);
    expect(new Webhook(endpoint.secret).verify(hook!.body, hook!.headers)).toMatchObject({ type: "task.created", data: { id: "tsk_test", title: "Ship it" } });
    expect(() => new Webhook(`whsec_${btoa("another secret of 24 bytes!")}`).verify(hook!.body, hook!.headers)).toThrow();
    expect(await deliveryRow(message.body.deliveryId)).toMatchObject({ status: "succeeded", attempts: 1, lastStatusCode: 200, eventId, workspaceId, nextAttemptAt: null });
    expect(await attemptsOf(message.body.deliveryId)).toEqual([expect.objectContaining({ attempt: 1, statusCode: 200, error: null })]);
    expect(queue.take()).toEqual([]);
  });

  it("retries a failing endpoint on the schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h) and fails the delivery after the 8th attempt", async () => {
    const { endpoint, queue, message, time } = await oneDelivery(503);
    const delays: Array<number | undefined> = [];
    let body = message.body;
    for (let attempt = 1; attempt <= 8; attempt++) {
      await consume([body], queue, { clock: time.clock });
      const next = queue.take();
      if (attempt === 8) {
        expect(next).toEqual([]);
        break;
      }
      expect(next).toHaveLength(1);
      delays.push(next[0]!.delaySeconds);
      // Early: not due yet, so the message is dropped without an attempt.
      await consume([next[0]!.body], queue, { clock: time.clock });
      expect(queue.take()).toEqual([]);
      time.advance(next[0]!.delaySeconds! * 1000);
      body = next[0]!.body;
    }
    expect(delays).toEqual(ATTEMPT_DELAYS_SECONDS.slice(1));
    expect(delays).toEqual([5, 300, 1800, 7200, 18_000, 36_000, 36_000]);
    const delivery = await deliveryRow(message.body.deliveryId);
    expect(delivery).toMatchObject({ status: "failed", attempts: 8, lastStatusCode: 503, nextAttemptAt: null });
    const log = await attemptsOf(message.body.deliveryId);
    expect(log.map((row) => [row.attempt, row.statusCode])).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => [n, 503]));
    expect(log[0]!.error).toBe("receiver answered 503");
    expect(await received(endpoint.path)).toHaveLength(8);
    // A duplicate of a message after the end changes nothing.
    await consume([body], queue, { clock: time.clock });
    expect(await received(endpoint.path)).toHaveLength(8);
  });

  it("leaves one message for the next attempt when two copies of a message race", async () => {
    const { queue, message, time } = await oneDelivery(500);
    await Promise.all([consume([message.body], queue, { clock: time.clock }), consume([message.body], queue, { clock: time.clock })]);
    expect(queue.take()).toEqual([{ body: message.body, delaySeconds: 5 }]);
    expect(await attemptsOf(message.body.deliveryId)).toHaveLength(1);
    expect(await deliveryRow(message.body.deliveryId)).toMatchObject({ attempts: 1, status: "pending" });
  });

  it("clears the endpoint's failure record on a success after failures", async () => {
    const { endpoint, queue, message, time } = await oneDelivery(500);
    await consume([message.body], queue, { clock: time.clock });
    expect((await endpointRow(endpoint.endpointId)).failingSince).toEqual(new Date(time.clock()));
    await db.update(webhookEndpoints).set({ url: (await endpointRow(endpoint.endpointId)).url.replace("/status/500/", "/status/204/") }).where(eq(webhookEndpoints.id, endpoint.endpointId));
    time.advance(5000);
    await consume([queue.take()[0]!.body], queue, { clock: time.clock });
    expect(await deliveryRow(message.body.deliveryId)).toMatchObject({ status: "succeeded", attempts: 2, lastStatusCode: 204 });
    expect((await endpointRow(endpoint.endpointId)).failingSince).toBeNull();
  });

  it("treats a redirect as a failure and never follows it", async () => {
    const { endpoint, queue, message, time } = await oneDelivery(302);
    await consume([message.body], queue, { clock: time.clock });
    expect(await attemptsOf(message.body.deliveryId)).toEqual([expect.objectContaining({ statusCode: 302, error: "redirect not followed" })]);
    expect(await deliveryRow(message.body.deliveryId)).toMatchObject({ status: "pending", attempts: 1 });
    expect(await received(`/redirected${endpoint.path}`)).toEqual([]);
    expect(await received(endpoint.path)).toHaveLength(1);
  });

  it("disables an endpoint failing for 5 days at its next failure, fails its pending deliveries and writes a webhook.endpoint_disabled event", async () => {
    const { endpoint, queue, message, time, workspaceId } = await oneDelivery(500);
    // A second delivery of the same endpoint, pending.
    const otherEvent = await insertEvent(workspaceId, "comment.added");
    await relayTo(queue, workspaceId, time.clock);
    const [other] = queue.take();
    await db.update(webhookEndpoints).set({ failingSince: new Date(time.clock() - DISABLE_AFTER_FAILING_MS + 60_000) }).where(eq(webhookEndpoints.id, endpoint.endpointId));

    // A minute short of the window: still retried.
    await consume([message.body], queue, { clock: time.clock });
    expect((await endpointRow(endpoint.endpointId)).disabledAt).toBeNull();
    const [next] = queue.take();
    time.advance(60_000);
    const nudges = new RecordingDeliveryQueue();
    await consume([next!.body], queue, { clock: time.clock, bindings: { EVENTS_QUEUE: nudges } });
    expect(nudges.take()).toEqual([{ body: { reason: "write" }, delaySeconds: undefined }]);

    expect(queue.take()).toEqual([]);
    expect(await endpointRow(endpoint.endpointId)).toMatchObject({ disabledAt: new Date(time.clock()), disabledReason: FAILING_TOO_LONG });
    expect(await deliveryRow(message.body.deliveryId)).toMatchObject({ status: "failed", attempts: 2 });
    expect(await deliveryRow(other!.body.deliveryId)).toMatchObject({ status: "failed", attempts: 0, eventId: otherEvent });
    const written = await db.select().from(events).where(and(eq(events.workspaceId, workspaceId), eq(events.type, ENDPOINT_DISABLED_EVENT)));
    expect(written).toEqual([expect.objectContaining({ subjectType: "webhook_endpoint", subjectId: endpoint.endpointId, actorId: null })]);
    expect(written[0]!.payload).toMatchObject({ id: endpoint.endpointId, enabled: false, disabledReason: FAILING_TOO_LONG });
    expect(JSON.stringify(written[0]!.payload)).not.toMatch(/whsec_|"secret|Sealed|v1\./);

    // The other delivery's message now finds a disabled endpoint: nothing is sent.
    const before = (await received(endpoint.path)).length;
    await consume([other!.body], queue, { clock: time.clock });
    expect(await received(endpoint.path)).toHaveLength(before);
  });

  it("refuses a target outside the allowed one on loopback, recording the refusal as a failed attempt", async () => {
    const { endpoint, queue, message, time } = await oneDelivery(200);
    await consume([message.body], queue, { clock: time.clock, allowedTarget: null });
    expect(await received(endpoint.path)).toEqual([]);
    expect(await attemptsOf(message.body.deliveryId)).toEqual([expect.objectContaining({ statusCode: null, error: expect.stringMatching(/^refused: address 127\.0\.0\.1 is not public/) })]);
    expect(queue.take()).toEqual([{ body: message.body, delaySeconds: 5 }]);
  });

  it("refuses a name that resolves to a private address, checked again before every attempt", async () => {
    const { endpoint, queue, message, time } = await oneDelivery(200);
    await db.update(webhookEndpoints).set({ url: "https://hooks.example.com/edge" }).where(eq(webhookEndpoints.id, endpoint.endpointId));
    const answers: Record<string, string[]> = { "hooks.example.com": ["93.184.215.14", "10.0.0.7"] };
    await consume([message.body], queue, { clock: time.clock, resolver: () => async (name) => answers[name] ?? [] });
    expect(await attemptsOf(message.body.deliveryId)).toEqual([expect.objectContaining({ statusCode: null, error: "refused: name resolves to 10.0.0.7, which is not public" })]);
  });

  it("counts each message in background_jobs_total by outcome, in one call to the aggregator", async () => {
    allowConsoleError(/delivery message refused/, "a malformed message on purpose; the consumer logs and drops it");
    const time = manualClock();
    const ok = await oneDelivery(200, time);
    const failing = await oneDelivery(500, time);
    const added: Sample[][] = [];
    const aggregator = { idFromName: (name: string) => name, get: () => ({ add: async (samples: Sample[]) => void added.push(samples) }) };
    await consume([ok.message.body, failing.message.body, { deliveryId: "not-an-id" }], ok.queue, { clock: time.clock, bindings: { METRICS_AGGREGATOR: aggregator } });
    const series = (outcome: string) => `background_jobs_total{kind="deliveries",outcome="${outcome}"}`;
    expect(added.map((samples) => Object.fromEntries(samples))).toEqual([{ [series("ok")]: 1, [series("retried")]: 1, [series("dropped")]: 1 }]);
  });
});
