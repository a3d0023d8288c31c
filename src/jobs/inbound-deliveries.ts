/**
 * The INBOUND_QUEUE consumer: processing of stored inbound webhook deliveries. Issue 13 builds it;
 * until then a batch waits, so nothing sent to the queue is lost.
 */
export function inboundConsumer(): ExportedHandlerQueueHandler<Env> {
  return async function consumeInbound(batch) {
    batch.retryAll({ delaySeconds: 300 });
  };
}
