import { createLogger } from "../lib/logger";
import { queueKind, type QueueKind } from "./queue-kinds";

/** While a batch comes from a queue nobody here consumes (a misnamed queue), it waits this long. */
const UNKNOWN_QUEUE_RETRY_SECONDS = 300;

/**
 * The Worker's queue handler: hands each batch to the consumer of its queue's kind. A batch from a
 * queue of no known kind is retried until the queue's dead-letter queue takes it, never dropped.
 */
export function queueConsumers(consumers: Record<QueueKind, ExportedHandlerQueueHandler<Env>>): ExportedHandlerQueueHandler<Env> {
  return async function dispatch(batch, env, ctx) {
    const kind = queueKind(batch.queue);
    if (!kind) {
      createLogger({ level: "error", fields: { queue: batch.queue } }).error("batch from an unknown queue", { count: batch.messages.length });
      batch.retryAll({ delaySeconds: UNKNOWN_QUEUE_RETRY_SECONDS });
      return;
    }
    await consumers[kind](batch, env, ctx);
  };
}
