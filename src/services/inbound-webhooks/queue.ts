import { DEPENDENCY_RETRY_AFTER_SECONDS, ApiError } from "../../lib/errors";
import { InboundMessageSchema } from "./deliveries";

/** How long the receiving route waits for INBOUND_QUEUE to take a message. */
export const ENQUEUE_TIMEOUT_MS = 3000;

/**
 * Puts stored delivery `id` on INBOUND_QUEUE for src/jobs/inbound-deliveries.ts. A send that fails
 * or is late is 503 with `Retry-After`: the delivery stays stored as `received`, and the sender's
 * retry, a duplicate of it, sends the message again.
 */
export async function enqueueInbound(queue: Queue, id: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("INBOUND_QUEUE send timed out")), ENQUEUE_TIMEOUT_MS);
  });
  try {
    await Promise.race([queue.send(InboundMessageSchema.parse({ id }), { contentType: "json" }), late]);
  } catch (error) {
    throw new ApiError("SERVICE_UNAVAILABLE", { retryAfter: DEPENDENCY_RETRY_AFTER_SECONDS, cause: error });
  } finally {
    clearTimeout(timer);
  }
}
