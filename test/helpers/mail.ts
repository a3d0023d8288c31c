import { createExecutionContext, createMessageBatch, env, getQueueResult, type QueueResult } from "cloudflare:test";
import { expect } from "vitest";
import worker from "../../src/index";
import type { TestApp } from "./app";
import type { MailMessage } from "../../src/services/mail/message";

/**
 * A MAIL_QUEUE that keeps what the app sends instead of queueing it, so a test decides when mail is
 * delivered (`deliverMail`) rather than the queue's batch timer. Pass it as the `MAIL_QUEUE` binding.
 * @example const queue = new RecordingQueue(); await call(app, path, init, { MAIL_QUEUE: queue })
 */
export class RecordingQueue implements Queue<unknown> {
  readonly sent: unknown[] = [];

  async send(body: unknown): Promise<QueueSendResponse> {
    this.sent.push(structuredClone(body));
    return { metadata: { metrics: { backlogCount: this.sent.length, backlogBytes: 0 } } };
  }

  async sendBatch(messages: Iterable<MessageSendRequest<unknown>>): Promise<QueueSendBatchResponse> {
    for (const message of messages) this.sent.push(structuredClone(message.body));
    return { metadata: { metrics: { backlogCount: this.sent.length, backlogBytes: 0 } } };
  }

  async metrics(): Promise<QueueMetrics> {
    return { backlogCount: this.sent.length, backlogBytes: 0 };
  }

  /** The messages sent since the last call, as mail messages; forgets them. */
  take(): MailMessage[] {
    return this.sent.splice(0) as MailMessage[];
  }
}

/**
 * Hands `bodies` to the Worker's `queue` handler as one batch, the way the queue delivers it, with
 * the test bindings (optionally overridden); resolves with what the handler acknowledged and retried.
 */
export async function deliverMail(
  bodies: readonly unknown[],
  { bindings = {}, attempts = 1 }: { bindings?: Record<string, unknown>; attempts?: number } = {},
): Promise<QueueResult & { ids: string[]; retryDelays: Array<number | undefined> }> {
  const messages = bodies.map((body) => ({ id: crypto.randomUUID(), timestamp: new Date(), attempts, body }));
  const batch = createMessageBatch("edge-backend-mail-local", messages);
  // getQueueResult reports which messages were retried, not with what delay: record that here.
  const retryDelays: Array<number | undefined> = [];
  for (const message of batch.messages) {
    const retry = message.retry.bind(message);
    Object.defineProperty(message, "retry", { value: (options?: QueueRetryOptions) => (retryDelays.push(options?.delaySeconds), retry(options)) });
  }
  const ctx = createExecutionContext();
  await worker.queue(batch, { ...env, ...bindings } as Env, ctx);
  return { ...(await getQueueResult(batch, ctx)), ids: messages.map((message) => message.id), retryDelays };
}

/** A mail as `GET /dev/outbox` lists it. */
export interface OutboxMail {
  id: string;
  to: string;
  template: string;
  locale: string;
  subject: string;
  text: string;
  html: string;
  links: string[];
  createdAt: string;
}

/**
 * The outbox's mails to `to`, newest first, read the way a developer reads them: `GET /dev/outbox`.
 * Straight through `app.request`, not `call()`: showing one-time tokens is this route's purpose, and
 * what holds the API's responses to never carrying one need not make an exception for it.
 */
export async function outboxFor(app: TestApp, to: string): Promise<OutboxMail[]> {
  const response = await app.request(`/dev/outbox?to=${encodeURIComponent(to)}`, undefined, env as Env, createExecutionContext());
  expect(response.status).toBe(200);
  return (await response.json<{ mails: OutboxMail[] }>()).mails;
}

/** The `token` of the one link in `mail` that points at `page` of the web app. */
export function linkToken(mail: Pick<OutboxMail, "links">, page: "verify-email" | "reset-password"): string {
  const links = mail.links.map((link) => new URL(link)).filter((link) => link.pathname === `/${page}`);
  expect(links).toHaveLength(1);
  return links[0]!.searchParams.get("token")!;
}
