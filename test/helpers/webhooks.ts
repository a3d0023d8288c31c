import { createExecutionContext, createMessageBatch, env, getQueueResult, type QueueResult } from "cloudflare:test";
import { inject } from "vitest";
import type { ReceivedWebhook } from "../../dev/webhook-receiver.ts";
import { createDatabase } from "../../src/db/client";
import { events } from "../../src/db/schema";
import { relayEvents } from "../../src/jobs/event-relay";
import { deliveriesConsumer, type DeliveriesConsumerOptions } from "../../src/jobs/outbound-deliveries";
import type { Clock } from "../../src/lib/clock";
import { newId } from "../../src/lib/ids";
import { ROLE_PERMISSIONS } from "../../src/lib/permissions";
import { createEndpoint } from "../../src/services/webhooks/endpoints";
import { db } from "./accounts";
import { testConfig } from "./identity";

/** The run's webhook receiver (dev/webhook-receiver.ts), and its `host:port`: the one target the tests' consumer may reach on loopback. */
export const receiverUrl = () => inject("webhookReceiverUrl");
export const receiverHost = () => new URL(receiverUrl()).host;

/** A message a RecordingDeliveryQueue was sent: its body and delay. */
export interface SentMessage {
  body: { deliveryId: string; manual?: true };
  delaySeconds: number | undefined;
}

/** A DELIVERY_QUEUE that keeps what it is sent, with each message's delay, for the test to hand to the consumer. */
export class RecordingDeliveryQueue implements Queue<unknown> {
  readonly sent: SentMessage[] = [];

  async send(body: unknown, options?: QueueSendOptions): Promise<QueueSendResponse> {
    this.sent.push({ body: structuredClone(body) as SentMessage["body"], delaySeconds: options?.delaySeconds });
    return { metadata: { metrics: { backlogCount: this.sent.length, backlogBytes: 0 } } };
  }

  async sendBatch(messages: Iterable<MessageSendRequest<unknown>>): Promise<QueueSendBatchResponse> {
    for (const message of messages) this.sent.push({ body: structuredClone(message.body) as SentMessage["body"], delaySeconds: message.delaySeconds });
    return { metadata: { metrics: { backlogCount: this.sent.length, backlogBytes: 0 } } };
  }

  async metrics(): Promise<QueueMetrics> {
    return { backlogCount: this.sent.length, backlogBytes: 0 };
  }

  /** The messages sent since the last call; forgets them. */
  take(): SentMessage[] {
    return this.sent.splice(0);
  }
}

/**
 * An endpoint of `workspaceId` pointing at the receiver, on a path of its own that answers `status`;
 * made through the service with the receiver as the allowed target (the API refuses loopback).
 */
export async function receiverEndpoint(workspaceId: string, createdBy: string, { status = 200, eventTypes = [] as string[] } = {}) {
  const path = `/status/${status}/${crypto.randomUUID()}`;
  const config = testConfig();
  const deps = { db: createDatabase(config), clock: Date.now, secretsKey: config.WEBHOOK_SECRETS_KEY, appEnv: "test" };
  const access = { workspaceId, actor: { type: "user", id: createdBy } as const, role: { builtIn: "owner" } as const, permissions: ROLE_PERMISSIONS.owner };
  const { endpoint, secret } = await createEndpoint(deps, access, { url: `${receiverUrl()}${path}`, eventTypes }, { ip: null, userAgent: null, requestId: "test" }, { allowedTarget: receiverHost() });
  return { endpointId: endpoint.id, secret, path };
}

/** What the receiver took under `path`, oldest first. */
export async function received(path: string): Promise<ReceivedWebhook[]> {
  const response = await fetch(`${receiverUrl()}/received?prefix=${encodeURIComponent(path)}`);
  return response.json<ReceivedWebhook[]>();
}

/** Inserts an event of `workspaceId` straight into the outbox; its id. */
export async function insertEvent(workspaceId: string, type = "task.created", payload: Record<string, unknown> = { id: "tsk_test", title: "Ship it" }): Promise<string> {
  const id = newId("event");
  await db.insert(events).values({ id, workspaceId, type, subjectType: "task", subjectId: "tsk_test", actorId: null, payload });
  return id;
}

/** Relays `workspaceId`'s events with the real subscribers, the DELIVERY_QUEUE recorded by `queue`. */
export function relayTo(queue: RecordingDeliveryQueue, workspaceId: string, clock?: Clock): Promise<number> {
  return relayEvents({ ...env, DELIVERY_QUEUE: queue } as Env, { workspaceId, clock });
}

/**
 * Hands `bodies` to the DELIVERY_QUEUE consumer as one batch, with the receiver allowed and the
 * next attempts recorded by `queue` (and other bindings overridden); resolves with what the consumer
 * acknowledged and retried.
 */
export async function consume(
  bodies: readonly unknown[],
  queue: RecordingDeliveryQueue,
  { bindings = {}, ...options }: Omit<DeliveriesConsumerOptions, "allowedTarget"> & { allowedTarget?: string | null; bindings?: Record<string, unknown> } = {},
): Promise<QueueResult> {
  const messages = bodies.map((body) => ({ id: crypto.randomUUID(), timestamp: new Date(), attempts: 1, body }));
  const batch = createMessageBatch("edge-backend-deliveries-local", messages);
  const ctx = createExecutionContext();
  const allowedTarget = options.allowedTarget === null ? undefined : (options.allowedTarget ?? receiverHost());
  await deliveriesConsumer({ ...options, allowedTarget })(batch, { ...env, DELIVERY_QUEUE: queue, ...bindings } as Env, ctx);
  return getQueueResult(batch, ctx);
}
