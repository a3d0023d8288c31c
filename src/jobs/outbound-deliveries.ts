/**
 * The DELIVERY_QUEUE consumer: outbound webhook attempts. Issue 13 builds it; until then a batch
 * waits, so nothing sent to the queue is lost.
 */
export function deliveriesConsumer(): ExportedHandlerQueueHandler<Env> {
  return async function consumeDeliveries(batch) {
    batch.retryAll({ delaySeconds: 300 });
  };
}
