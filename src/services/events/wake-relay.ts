import type { Logger } from "../../lib/logger";

/** Why the relay was woken, for its logs: a request's write, an inbound webhook's effect. */
export type WakeReason = "write" | "inbound";

/**
 * Wakes the event relay (src/jobs/event-relay.ts) through EVENTS_QUEUE after events were written, so
 * they go out within a second rather than at the next minute's sweep. Never rejects: a lost wake-up
 * costs a delay and a warn line, never an event (the sweep relays it). Nothing to do without a queue.
 */
export async function wakeEventRelay(queue: Queue | undefined, reason: WakeReason, log: () => Logger): Promise<void> {
  if (!queue) return;
  try {
    await queue.send({ reason });
  } catch (error) {
    log().warn("event relay not woken", { error });
  }
}
