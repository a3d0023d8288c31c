/** The queue each producer binding sends to, by kind; wrangler.toml names them `edge-backend-<kind>[-<environment>]`. */
export const QUEUE_KINDS = {
  MAIL_QUEUE: "mail",
  EVENTS_QUEUE: "events",
  DELIVERY_QUEUE: "deliveries",
  INBOUND_QUEUE: "inbound",
} as const;

export type QueueKind = (typeof QUEUE_KINDS)[keyof typeof QUEUE_KINDS];

// The environment suffix (`-staging`, `-local`) is optional; dead-letter queues (`…-dlq`) are nobody's.
const QUEUE_NAME = /^edge-backend-(mail|events|deliveries|inbound)(?:-(?!dlq$)[a-z]+)?$/;

/** Which consumer a batch from queue `name` goes to; undefined for a queue this Worker does not consume. */
export function queueKind(name: string): QueueKind | undefined {
  return QUEUE_NAME.exec(name)?.[1] as QueueKind | undefined;
}

/**
 * Each queue's `max_retries` in wrangler.toml (dev/wrangler-config.test.ts holds them equal): a
 * message whose delivery fails on attempt `max_retries + 1` goes to the dead-letter queue, and the
 * consumer counts it failed rather than retried.
 */
export const MAX_RETRIES: Record<QueueKind, number> = { mail: 5, events: 10, deliveries: 10, inbound: 8 };

/** Whether a message on attempt `attempts` (from 1) that fails now is given up for good. */
export function isLastAttempt(kind: QueueKind, attempts: number): boolean {
  return attempts > MAX_RETRIES[kind];
}
