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
